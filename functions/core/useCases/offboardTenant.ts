import { deterministicToken } from '../claimTokens.js';
import { secretNameFor } from '../config/serviceConfig.js';
import { ConfigurationError, NotFoundError, TemporarilyUnavailableError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, withRetries } from '../retry.js';
import { type OffboardedRecord, parseSecretRecord } from '../secretRecord.js';
import { DEFAULT_CLAIM_OPTIONS } from './claim.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome } from './outcomeEvents.js';
import { loadTarget } from './targets.js';
import type { TenantRequest } from './tenantRequest.js';
import { withTenantLease } from './tenantLease.js';

export interface OffboardingOutcome {
  tenantId: string;
  target: string;
  secretName: string;
  status: 'offboarded' | 'absent';
  clientId?: string;
  secretArn?: string;
  /** 'absent' when the provider no longer knew the client (404/410). */
  clientDeletion?: 'deleted' | 'absent';
}

/**
 * Deletes the tenant's client at the provider (RFC 7592 DELETE), then its secret: a tombstone version
 * is written and the secret scheduled for deletion with the configured recovery window. Runs under
 * the tenant's lease, so concurrent offboardings and rotations take turns; the ones after an
 * offboarding find nothing left and answer 'absent'. A stale pending claim (its registration ended
 * without storing anything) is removed too. A provider that cannot delete clients gets a
 * NotSupportedError and nothing is changed.
 */
export async function offboardTenant(request: TenantRequest, deps: UseCaseDependencies): Promise<OffboardingOutcome> {
  const target = await loadTarget(request.target, deps);
  const secretName = secretNameFor(deps.config, target.name, request.tenantId);
  const base = { tenantId: request.tenantId, target: target.name, secretName };

  if (!(await readOffboardable(secretName, request, deps))) return { ...base, status: 'absent' };
  try {
    return await withTenantLease(secretName, 'offboard', deps, async (lease) => {
      // Read again under the lease: the turn before ours may have offboarded already.
      const current = await readOffboardable(secretName, request, deps);
      if (!current) return { ...base, status: 'absent' as const };
      const { stored, record } = current;
      if (record.dcr_status === 'pending') {
        await lease.release();
        await deps.secrets.delete(secretName, { force: true });
        deps.logger.warn('removed a stale registration claim; its invocation may have left a client behind', {
          ...base,
          staleClaimedAt: record.claimed_at,
          possibleOrphan: 1,
        });
        return { ...base, status: 'offboarded' as const, secretArn: stored.arn };
      }

      const clientDeletion = await withRetries(() => deps.idp.deleteClient(target.config, record), deps.retry ?? DEFAULT_RETRY_POLICY);
      const tombstone: OffboardedRecord = {
        dcr_status: 'offboarded',
        tenant_id: request.tenantId,
        target: target.name,
        client_id: record.client_id,
        offboarded_at: (deps.now?.() ?? new Date()).toISOString(),
      };
      await deps.secrets.put(secretName, JSON.stringify(tombstone), deterministicToken('offboarded', record.client_id));
      await lease.release();
      const days = deps.config.offboardingRecoveryWindowDays;
      await deps.secrets.delete(secretName, days === 0 ? { force: true } : { recoveryWindowDays: days });

      deps.logger.info('tenant offboarded', { ...base, clientId: record.client_id, clientDeletion });
      await emitOutcome(deps, 'ClientDeregistered', { tenantId: request.tenantId, target: target.name, clientId: record.client_id, secretArn: stored.arn });
      return { ...base, status: 'offboarded' as const, clientId: record.client_id, secretArn: stored.arn, clientDeletion };
    });
  } catch (error) {
    // Deleted while we waited for our turn: the work is done.
    if (error instanceof NotFoundError) return { ...base, status: 'absent' };
    throw error;
  }
}

/**
 * The tenant's registered record, or a pending claim that is stale; undefined when nothing is left
 * to offboard. A fresh pending claim is a registration in progress: try again shortly.
 */
async function readOffboardable(secretName: string, request: TenantRequest, deps: UseCaseDependencies) {
  const stored = await deps.secrets.get(secretName);
  const record = stored && parseSecretRecord(stored.value);
  if (!stored || record?.dcr_status === 'offboarded') return undefined;
  if (!record || record.tenant_id !== request.tenantId) {
    throw new ConfigurationError(`secret ${secretName} was not written by dcr-onboarding for this tenant`);
  }
  if (record.dcr_status === 'pending') {
    const staleAfterMs = (deps.claim ?? DEFAULT_CLAIM_OPTIONS).staleAfterMs;
    if ((deps.now?.() ?? new Date()).getTime() - Date.parse(record.claimed_at) <= staleAfterMs) {
      throw new TemporarilyUnavailableError(`a registration for tenant ${request.tenantId} is in progress`, 2);
    }
  }
  return { stored, record };
}
