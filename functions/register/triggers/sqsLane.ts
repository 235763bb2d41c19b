import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { requireTarget } from '../../core/useCases/targets.js';
import { DcrError, isRetryable } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { PacedIdentityProvider, takeToken } from '../../core/pacing/PacedIdentityProvider.js';
import type { TokenBucket } from '../../core/pacing/TokenBucket.js';
import type { UseCaseDependencies } from '../../core/useCases/dependencies.js';
import { createLaneRuntime } from '../laneRuntime.js';
import type { LaneRuntime, Runtime } from '../runtime.js';
import { countDroppedTenantEvent } from './eventBridge.js';
import { laneBackoffSeconds, PacingDeferral } from './laneBackoff.js';
import { type LaneWork, parseLaneMessage } from './laneMessage.js';

export function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((record) => (record as SQSRecord | null)?.eventSource === 'aws:sqs');
}

let fallbackLane: LaneRuntime | undefined;
/** For runtimes built without a lane (tests, tools): the lane from process.env, once. */
function defaultLane(): LaneRuntime {
  fallbackLane ??= createLaneRuntime(process.env, {});
  return fallbackLane;
}

type RecordResult = { messageId: string; status: string } | { messageId: string; retry: unknown; record: SQSRecord };

/**
 * The onboarding lane: each record (an EventBridge envelope or a bare lane request, laneMessage.ts)
 * runs through the same use cases as the other triggers, at the target's pace. One outcome per record:
 * - a body that cannot be parsed is dropped with a log line (no retry can fix it);
 * - a terminal failure is logged; the use case already emitted its outcome event; not retried;
 * - a retryable failure (throttled, in progress, a fault), or a record the pacer put off, is returned
 *   in `batchItemFailures` with its visibility set to the delay the provider asked for, or a jittered
 *   backoff (laneBackoff.ts) — never left for the queue's full visibility timeout.
 */
export async function handleSqsLane(event: SQSEvent, runtime: Runtime, logger: Logger): Promise<SQSBatchResponse> {
  const lane = runtime.lane ? runtime.lane() : defaultLane();
  const started = lane.now();
  let deps: UseCaseDependencies | undefined;
  let depsError: unknown;
  try {
    deps = await runtime.dependencies(logger);
  } catch (error) {
    depsError = error;
    logger.error('lane batch failed: dependencies unavailable; every record is retried', { error });
  }
  const results = await Promise.all(
    event.Records.map((record) =>
      deps ? handleRecord(record, deps, lane, started, logger) : { messageId: record.messageId, retry: depsError, record },
    ),
  );
  const retries = results.filter((result) => 'retry' in result);
  if (retries.length) await hideForBackoff(retries, lane, logger);
  return { batchItemFailures: retries.map((result) => ({ itemIdentifier: result.messageId })) };
}

async function handleRecord(
  record: SQSRecord,
  deps: UseCaseDependencies,
  lane: LaneRuntime,
  started: number,
  logger: Logger,
): Promise<RecordResult> {
  const messageId = record.messageId;
  const log = logger.child({ messageId, receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1) });
  let work: LaneWork;
  try {
    work = parseLaneMessage(record.body, messageId);
  } catch (error) {
    log.warn('lane message dropped: not a tenant event or lane request', { error });
    countDroppedTenantEvent(log);
    return { messageId, status: 'dropped' };
  }
  const workLog = log.child({ tenantId: work.tenantId, action: work.action });
  // A readiness check is a token request, not a registration: it takes none of the target's pace.
  const bucket = work.action === 'confirmReady' ? undefined : bucketFor(work, deps, lane);
  if (bucket) {
    const token = await takeToken(bucket, Math.max(0, started + lane.pacingWaitMs - lane.now()), lane.sleep, lane.now);
    if (!token.granted) return { messageId, retry: new PacingDeferral(token.retryInMs), record };
  }
  const idp = bucket ? new PacedIdentityProvider(deps.idp, bucket, { holdsFirstToken: true, sleep: lane.sleep }) : deps.idp;
  try {
    const outcome = await work.run({ ...deps, idp, logger: workLog });
    return { messageId, status: outcome.status };
  } catch (error) {
    if (isRetryable(error)) return { messageId, retry: error, record };
    workLog.error('lane record failed terminally; not retried', { error });
    countDroppedTenantEvent(workLog);
    return { messageId, status: error instanceof DcrError ? error.code : 'server_error' };
  }
}

/** The target's bucket; none for an unknown target (the use case refuses it, terminally). */
function bucketFor(work: LaneWork, deps: UseCaseDependencies, lane: LaneRuntime): TokenBucket | undefined {
  let target: ReturnType<typeof requireTarget>;
  try {
    target = requireTarget(deps.config, work.target);
  } catch {
    return undefined;
  }
  const key = target.config.registrationEndpoint ?? target.config.issuer ?? target.name;
  return lane.pacers.for(key, target.config.rateLimit?.registrationsPerSecond);
}

async function hideForBackoff(retries: Extract<RecordResult, { retry: unknown }>[], lane: LaneRuntime, logger: Logger): Promise<void> {
  const changes = retries.map(({ record, retry }) => {
    const seconds = laneBackoffSeconds(retry, Number(record.attributes?.ApproximateReceiveCount ?? 1), lane.random);
    const log = logger.child({ messageId: record.messageId });
    if (retry instanceof PacingDeferral) log.info('lane record put off by pacing', { retryInSeconds: seconds });
    else log.warn('lane record failed; retried later', { retryInSeconds: seconds, error: retry });
    return { queueArn: record.eventSourceARN, receiptHandle: record.receiptHandle, seconds };
  });
  try {
    const { failed } = await lane.visibility.change(changes);
    if (failed) logger.warn('lane visibility could not be changed; those records return after the visibility timeout', { failed });
  } catch (error) {
    logger.warn('lane visibility could not be changed; those records return after the visibility timeout', { error });
  }
}
