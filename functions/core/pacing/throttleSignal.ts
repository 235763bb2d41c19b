import { TemporarilyUnavailableError } from '../errors.js';

/**
 * Whether a provider failure asks us to slow down: a 429, or any retryable answer that came with a
 * Retry-After (a 503 under load). Returns the pause it asked for (ms), or null when it is no throttle.
 */
export function throttleSignal(error: unknown): { pauseMs?: number } | null {
  if (!(error instanceof TemporarilyUnavailableError)) return null;
  const seconds = error.serverRetryAfterSeconds;
  if (seconds !== undefined) return { pauseMs: seconds * 1000 };
  // classifyUpstreamFailure's message names the status; a 429 without Retry-After still means "slower".
  return /\banswered 429\b/.test(error.message) ? {} : null;
}
