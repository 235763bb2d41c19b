import * as z from 'zod/mini';
import { describeIssues } from '../core/config/serviceConfig.js';
import { ENV } from '../core/constants.js';
import { ConfigurationError } from '../core/errors.js';
import { DEFAULT_LANE_MAX_CONCURRENCY, DEFAULT_LANE_PACING_WAIT_MS } from '../core/options.js';
import { lazy } from '../core/lazy.js';

const positiveInt = (fallback: number) =>
  z._default(z.string().check(z.regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')), String(fallback));

const laneSchema = lazy(() =>
  z.object({
    [ENV.LANE_MAX_CONCURRENCY]: positiveInt(DEFAULT_LANE_MAX_CONCURRENCY),
    [ENV.LANE_PACING_WAIT_MS]: positiveInt(DEFAULT_LANE_PACING_WAIT_MS),
    [ENV.LANE_QUEUE_ARN]: z.optional(z.string().check(z.regex(/^arn:[a-z-]+:sqs:/, 'must be an SQS queue ARN'))),
    [ENV.LANE_QUEUE_URL]: z.optional(z.string().check(z.regex(/^https?:\/\//, 'must be a URL'))),
  }),
);

export interface LaneSettings {
  /** The event source mapping's MaximumConcurrency: how many instances share a provider's rate. */
  maxConcurrency: number;
  /** Longest an invocation waits for pacing tokens; later records are put back with that delay. */
  pacingWaitMs: number;
  /** The lane queue's URL by ARN (saves a GetQueueUrl per container). */
  knownQueueUrls: Record<string, string>;
}

/** The lane's environment (set by the stack from `onboardingLane.*`), validated at first use. */
export function loadLaneSettings(env: Record<string, string | undefined>): LaneSettings {
  const parsed = laneSchema().safeParse({
    [ENV.LANE_MAX_CONCURRENCY]: env[ENV.LANE_MAX_CONCURRENCY] || undefined,
    [ENV.LANE_PACING_WAIT_MS]: env[ENV.LANE_PACING_WAIT_MS] || undefined,
    [ENV.LANE_QUEUE_ARN]: env[ENV.LANE_QUEUE_ARN] || undefined,
    [ENV.LANE_QUEUE_URL]: env[ENV.LANE_QUEUE_URL] || undefined,
  });
  if (!parsed.success) throw new ConfigurationError(`lane environment is invalid: ${describeIssues(parsed.error.issues)}`);
  const { LANE_QUEUE_ARN: arn, LANE_QUEUE_URL: url } = parsed.data;
  return {
    maxConcurrency: Number(parsed.data.LANE_MAX_CONCURRENCY),
    pacingWaitMs: Number(parsed.data.LANE_PACING_WAIT_MS),
    knownQueueUrls: arn && url ? { [arn]: url } : {},
  };
}
