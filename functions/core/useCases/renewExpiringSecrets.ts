import { METRICS, TARGET_DIMENSION } from '../constants.js';
import { DcrError } from '../errors.js';
import { emitMetrics } from '../metrics.js';
import { DEFAULT_RENEW_BEFORE_SECONDS } from '../options.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome, failureDetail } from './outcomeEvents.js';
import { rotateClientSecret } from './rotateClientSecret.js';
import { type SweepOptions, type SweptTenant, sweepTenants } from './tenantSweep.js';

export interface TenantRef {
  tenantId: string;
  target: string;
}

export interface RenewalResult {
  /** Registered tenants read this run. */
  checked: number;
  renewed: TenantRef[];
  /** Renewals that failed (each also raised `ClientSecretRenewalFailed` and `SecretRenewalFailed`); `error` is our code. */
  failed: (TenantRef & { error: string })[];
  /** Secrets already past client_secret_expires_at when found (renewal was still tried: see renewed / failed). */
  expired: TenantRef[];
  /** Tenant secrets left for a later run (over the per-run cap). */
  deferred: number;
}

/**
 * The scheduled `renew`: rotates (RFC 7592 PUT, rotateClientSecret) every stored client secret whose
 * `client_secret_expires_at` falls within its target's `renewBeforeSeconds`, and leaves the rest alone
 * (`0` or none: it never expires). The request id `renew-<expires_at>` makes a second run, or a
 * concurrent one, a no-op for a secret already renewed. A secret found expired is renewed too, and
 * reported (`ClientSecretExpired`, event reason `expired`); a failed renewal is reported
 * (`SecretRenewalFailed`, event reason `failed`) and tried again by the next run.
 */
export async function renewExpiringSecrets(
  request: { target?: string },
  deps: UseCaseDependencies,
  options: SweepOptions = {},
): Promise<RenewalResult> {
  const result: RenewalResult = { checked: 0, renewed: [], failed: [], expired: [], deferred: 0 };
  const counts = new Map<string, { expired: number; failed: number }>();
  const sweep = await sweepTenants(request.target, deps, (tenant) => renewOne(tenant, deps, result, counts), options);
  result.checked = sweep.checked;
  result.deferred = sweep.deferred;
  for (const [target, count] of counts) {
    emitMetrics(
      deps.logger,
      { [TARGET_DIMENSION]: target },
      {
        [METRICS.clientSecretExpired]: { value: count.expired, unit: 'Count' },
        [METRICS.secretRenewalFailed]: { value: count.failed, unit: 'Count' },
      },
    );
  }
  deps.logger.info('secret renewal run finished', {
    target: request.target,
    checked: result.checked,
    renewed: result.renewed.length,
    failed: result.failed.length,
    expired: result.expired.length,
    deferred: result.deferred,
  });
  return result;
}

async function renewOne(
  { target, tenantId, record }: SweptTenant,
  deps: UseCaseDependencies,
  result: RenewalResult,
  counts: Map<string, { expired: number; failed: number }>,
): Promise<void> {
  const count = counts.get(target.name) ?? { expired: 0, failed: 0 };
  counts.set(target.name, count);
  const expiresAt = record.client_secret_expires_at;
  if (typeof expiresAt !== 'number' || expiresAt <= 0) return;
  const now = Math.floor(deps.now().getTime() / 1000);
  const renewBefore = target.config.renewBeforeSeconds ?? DEFAULT_RENEW_BEFORE_SECONDS;
  if (expiresAt - now > renewBefore) return;

  const ref = { tenantId, target: target.name };
  const requestId = `renew-${expiresAt}`;
  const expired = expiresAt <= now;
  const log = deps.logger.child({ ...ref, clientId: record.client_id });
  // Renewed already for this expiry, and the provider kept the date: another PUT would do no better.
  const renewedBefore = record.rotation_request_ids?.includes(requestId) ?? false;
  if (renewedBefore && !expired) return;
  if (expired) {
    count.expired++;
    result.expired.push(ref);
  }
  let failure: unknown;
  if (!renewedBefore) {
    try {
      await rotateClientSecret({ tenantId, target: target.name, requestId }, { ...deps, logger: log });
      result.renewed.push(ref);
      log.info('client secret renewed before it expires', { expiresAt });
    } catch (error) {
      failure = error;
      count.failed++;
      result.failed.push({ ...ref, error: error instanceof DcrError ? error.code : 'server_error' });
      log.error('client secret renewal failed; the next run tries again', { expiresAt, expired, error });
    }
  }
  if (expired || failure) {
    await emitOutcome(deps, 'ClientSecretRenewalFailed', {
      ...ref,
      clientId: record.client_id,
      reason: expired ? 'expired' : 'failed',
      expiresAt,
      ...(expired && { renewed: !renewedBefore && !failure }),
      ...(failure !== undefined && failureDetail(failure)),
    });
  }
}
