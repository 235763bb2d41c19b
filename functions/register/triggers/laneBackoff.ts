import { OperationInProgressError, TemporarilyUnavailableError } from '../../core/errors.js';

/** The lane never hides a message longer than this on a retry (SQS allows 12 h). */
export const MAX_LANE_BACKOFF_SECONDS = 900;
const BASE_SECONDS = 2;

/** A record the pacer put off: its token would come after the invocation's pacing budget. */
export class PacingDeferral {
  constructor(readonly retryInMs: number) {}
}

/**
 * How long a retried lane message stays invisible. What the provider asked for (Retry-After, or
 * Okta's X-Rate-Limit-Reset read as one), the tenant lease's hint, or the pacer's slot, plus up to
 * 20 % (at least 1 s) of jitter so that the retries do not return as a herd; otherwise full-jitter
 * exponential backoff on the receive count (2 s, 4 s, 8 s, … at most 900 s). Never 0, never the full
 * visibility timeout.
 */
export function laneBackoffSeconds(failure: unknown, receiveCount: number, random: () => number = Math.random): number {
  const asked = askedSeconds(failure);
  if (asked !== undefined) {
    const jitter = Math.ceil(random() * Math.max(1, asked * 0.2));
    return clamp(asked + jitter);
  }
  const ceiling = Math.min(MAX_LANE_BACKOFF_SECONDS, BASE_SECONDS * 2 ** Math.max(0, Math.min(20, receiveCount - 1)));
  return clamp(Math.ceil(random() * ceiling));
}

function askedSeconds(failure: unknown): number | undefined {
  if (failure instanceof PacingDeferral) return Math.ceil(failure.retryInMs / 1000);
  if (failure instanceof TemporarilyUnavailableError) return failure.serverRetryAfterSeconds;
  if (failure instanceof OperationInProgressError) return failure.retryAfterSeconds;
  return undefined;
}

function clamp(seconds: number): number {
  return Math.min(MAX_LANE_BACKOFF_SECONDS, Math.max(1, seconds));
}
