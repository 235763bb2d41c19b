import { deterministicToken } from '../claimTokens.js';
import { secretNameFor } from '../config/serviceConfig.js';
import { ConfigurationError, TemporarilyUnavailableError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, withRetries } from '../retry.js';
import { type OffboardedRecord, parseSecretRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome } from './outcomeEvents.js';
import { loadTarget } from './targets.js';
import type { TenantRequest } from './tenantRequest.js';

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
 * is written and the secret scheduled for deletion with the configured recovery window. Idempotent:
 * an unknown or already offboarded tenant answers 'absent'. A provider that cannot delete clients
 * gets a NotSupportedError and nothing is changed.
 */
export async function offboardTenant(request: TenantRequest, deps: UseCaseDependencies): Promise<OffboardingOutcome> {
  const target = await loadTarget(request.target, deps);
  const secretName = secretNameFor(deps.config, target.name, request.tenantId);
  const base = { tenantId: request.tenantId, target: target.name, secretName };

  const stored = await deps.secrets.get(secretName);
  const record = stored && parseSecretRecord(stored.value);
  if (!stored || record?.dcr_status === 'offboarded') return { ...base, status: 'absent' };
  if (!record || record.tenant_id !== request.tenantId) {
    throw new ConfigurationError(`secret ${secretName} was not written by dcr-onboarding for this tenant`);
  }
  if (record.dcr_status === 'pending') {
    throw new TemporarilyUnavailableError(`a registration for tenant ${request.tenantId} is in progress`, 2);
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
  const days = deps.config.offboardingRecoveryWindowDays;
  await deps.secrets.delete(secretName, days === 0 ? { force: true } : { recoveryWindowDays: days });

  deps.logger.info('tenant offboarded', { ...base, clientId: record.client_id, clientDeletion });
  await emitOutcome(deps, 'ClientDeregistered', { tenantId: request.tenantId, target: target.name, clientId: record.client_id, secretArn: stored.arn });
  return { ...base, status: 'offboarded', clientId: record.client_id, secretArn: stored.arn, clientDeletion };
}
