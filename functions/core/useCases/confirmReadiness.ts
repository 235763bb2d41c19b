import * as z from 'zod/mini';
import { describeIssues, type ResolvedTarget, secretNameFor } from '../config/serviceConfig.js';
import { TARGET_NAME, TENANT_ID } from '../config/targetConfig.js';
import { METRICS, TARGET_DIMENSION } from '../constants.js';
import { InvalidRequestError, isRetryable } from '../errors.js';
import { emitMetrics } from '../metrics.js';
import { MAX_SQS_DELAY_SECONDS } from '../options.js';
import type { ReadinessCheck } from '../ports/ReadinessScheduler.js';
import { rememberSecret } from '../redaction.js';
import { readSecretRecord } from '../secretRecord.js';
import { isInvalidClient } from './canaryProof.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome } from './outcomeEvents.js';
import { proofOptions } from './proofOptions.js';
import type { RegistrationOutcome } from './registrationRequest.js';
import { withRetries } from '../retry.js';
import { loadTarget } from './targets.js';
import { lazy } from '../lazy.js';

/** A `confirmReady` lane message, as ReadinessScheduler sends it. */
export const readinessCheckSchema = lazy(() =>
  z.strictObject({
    action: z.literal('confirmReady'),
    tenantId: z.string().check(z.regex(TENANT_ID)),
    target: z.string().check(z.regex(TARGET_NAME)),
    clientId: z.string().check(z.minLength(1), z.maxLength(512)),
    attempt: z.number().check(z.int(), z.gte(1), z.lte(10_000)),
    deadline: z.iso.datetime(),
  }),
);

export function parseReadinessCheck(input: unknown): ReadinessCheck {
  const parsed = readinessCheckSchema().safeParse(input);
  if (!parsed.success) throw new InvalidRequestError(`confirmReady: ${describeIssues(parsed.error.issues)}`);
  return parsed.data;
}

export type ReadinessStatus = 'ready' | 'pending' | 'timed-out' | 'superseded';

/**
 * After a registration: without a `readiness` setting on the target (or no scheduler), `ClientReady`
 * (`readiness: "unchecked"`) at once, so a consumer may always wait for `ClientReady` alone. With one,
 * the first check is scheduled `intervalSeconds` later and the function returns; confirmReadiness does
 * the rest. Never throws: the client is registered whatever happens here (a check that could not be
 * scheduled is logged, counted as `ClientNotReady`, and announced `timed-out`).
 */
export async function announceReadiness(outcome: RegistrationOutcome, target: ResolvedTarget, deps: UseCaseDependencies): Promise<void> {
  const detail = { tenantId: outcome.tenantId, target: target.name, clientId: outcome.clientId, secretArn: outcome.secretArn };
  const readiness = target.config.readiness;
  if (!readiness || !deps.readiness || !outcome.clientId) {
    await emitOutcome(deps, 'ClientReady', { ...detail, readiness: 'unchecked' });
    return;
  }
  const deadline = new Date(deps.now().getTime() + readiness.timeoutSeconds * 1000).toISOString();
  const check: ReadinessCheck = {
    action: 'confirmReady',
    tenantId: outcome.tenantId,
    target: target.name,
    clientId: outcome.clientId,
    attempt: 1,
    deadline,
  };
  try {
    await deps.readiness.schedule(check, Math.min(readiness.intervalSeconds, MAX_SQS_DELAY_SECONDS));
  } catch (error) {
    deps.logger.error('readiness check could not be scheduled; the client is announced as not confirmed', { ...detail, error });
    emitMetrics(deps.logger, { [TARGET_DIMENSION]: target.name }, { [METRICS.clientNotReady]: { value: 1, unit: 'Count' } });
    await emitOutcome(deps, 'ClientReady', { ...detail, readiness: 'timed-out', error: 'readiness_not_scheduled' });
  }
}

/**
 * One readiness check (a `confirmReady` lane message): a token request with the stored credentials.
 * A token, or a refusal of the grant after authentication (RFC 6749 §5.2), is `ready` → `ClientReady`
 * (`confirmed`). Any other refusal (`invalid_client`: not active yet) before the deadline schedules the
 * next check; past it, `ClientNotReady` is counted and `ClientReady` published with `timed-out` — the
 * client stays registered. A transient failure throws (retryable): the lane tries the message again.
 * A tenant offboarded or re-registered since is `superseded`: nothing is announced.
 */
export async function confirmReadiness(check: ReadinessCheck, deps: UseCaseDependencies): Promise<{ status: ReadinessStatus }> {
  const target = await loadTarget(check.target, deps);
  const secretName = secretNameFor(deps.config, target.name, check.tenantId);
  const { stored, record } = await readSecretRecord(deps.secrets, secretName);
  const log = deps.logger.child({ tenantId: check.tenantId, target: target.name, clientId: check.clientId, attempt: check.attempt });
  if (record?.dcr_status !== 'registered' || record.client_id !== check.clientId) {
    log.info('readiness check dropped: the tenant no longer holds this client');
    return { status: 'superseded' };
  }
  rememberSecret(record.client_secret);
  const detail = {
    tenantId: check.tenantId,
    target: target.name,
    clientId: record.client_id,
    secretArn: stored?.arn,
    attempts: check.attempt,
  };
  const tokenEndpoint = target.config.tokenEndpoint;
  if (!tokenEndpoint) {
    log.warn('readiness not checked: the target has no token endpoint');
    await emitOutcome(deps, 'ClientReady', { ...detail, readiness: 'unchecked' });
    return { status: 'ready' };
  }
  let refusal: unknown;
  try {
    await withRetries(() => deps.idp.proveClientCredentials(tokenEndpoint, record, proofOptions(record, target.config)), deps.retry);
  } catch (error) {
    if (isRetryable(error)) throw error;
    refusal = error;
  }
  if (refusal === undefined) {
    log.info('client is ready: it obtained a token');
    await emitOutcome(deps, 'ClientReady', { ...detail, readiness: 'confirmed' });
    return { status: 'ready' };
  }
  const now = deps.now().getTime();
  const deadline = Date.parse(check.deadline);
  if (now < deadline) {
    const interval = target.config.readiness?.intervalSeconds ?? MAX_SQS_DELAY_SECONDS;
    const delay = Math.min(interval, MAX_SQS_DELAY_SECONDS, Math.max(1, Math.ceil((deadline - now) / 1000)));
    if (deps.readiness) {
      log.info('client not ready yet; checking again later', { inSeconds: delay, invalidClient: isInvalidClient(refusal) });
      await deps.readiness.schedule({ ...check, attempt: check.attempt + 1 }, delay);
      return { status: 'pending' };
    }
  }
  log.error('client did not become ready within its readiness window; it stays registered', { error: refusal });
  emitMetrics(deps.logger, { [TARGET_DIMENSION]: target.name }, { [METRICS.clientNotReady]: { value: 1, unit: 'Count' } });
  await emitOutcome(deps, 'ClientReady', {
    ...detail,
    readiness: 'timed-out',
    error: isInvalidClient(refusal) ? 'invalid_client' : 'not_ready',
  });
  return { status: 'timed-out' };
}
