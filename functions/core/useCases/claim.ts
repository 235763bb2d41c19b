import { randomUUID } from 'node:crypto';
import type { ResolvedTarget } from '../config/serviceConfig.js';
import { ConfigurationError, TemporarilyUnavailableError } from '../errors.js';
import { SecretAlreadyExistsError } from '../ports/SecretStore.js';
import { type PendingRecord, parseSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';

export type ClaimResult =
  | { kind: 'claimed'; arn: string; claimId: string }
  | { kind: 'exists'; arn: string; record: RegisteredRecord };

/**
 * Claims the tenant's deterministic secret name before anything is registered, so that concurrent
 * duplicates agree on one winner: Secrets Manager lets only one CreateSecret for a name succeed.
 */
export async function claimSecret(
  secretName: string,
  tenantId: string,
  target: ResolvedTarget,
  deps: UseCaseDependencies,
): Promise<ClaimResult> {
  const now = deps.now?.() ?? new Date();
  const pending: PendingRecord = {
    dcr_status: 'pending',
    tenant_id: tenantId,
    target: target.name,
    claim_id: randomUUID(),
    claimed_at: now.toISOString(),
  };
  try {
    const { arn } = await deps.secrets.create({
      name: secretName,
      value: JSON.stringify(pending),
      description: `OAuth client of tenant ${tenantId} at target ${target.name} (dcr-onboarding)`,
      kmsKeyId: deps.config.kmsKeyId,
      tags: { 'dcr:tenant': tenantId, 'dcr:target': target.name },
      clientRequestToken: pending.claim_id,
    });
    return { kind: 'claimed', arn, claimId: pending.claim_id };
  } catch (error) {
    if (!(error instanceof SecretAlreadyExistsError)) throw error;
  }

  const existing = await deps.secrets.get(secretName);
  if (!existing) {
    throw new TemporarilyUnavailableError(`secret ${secretName} exists but cannot be read yet (being deleted?)`, 5);
  }
  const record = parseSecretRecord(existing.value);
  if (!record || record.tenant_id !== tenantId || record.target !== target.name) {
    throw new ConfigurationError(`secret ${secretName} exists and was not written by dcr-onboarding for this tenant`);
  }
  if (record.dcr_status === 'registered') return { kind: 'exists', arn: existing.arn, record };
  throw new TemporarilyUnavailableError(`a registration for tenant ${tenantId} is in progress`, 2);
}

/** Gives the name back after a registration that certainly created nothing, so a retry starts clean. */
export async function releaseClaim(secretName: string, deps: UseCaseDependencies): Promise<void> {
  try {
    await deps.secrets.delete(secretName, { force: true });
  } catch (error) {
    deps.logger.error('could not release the registration claim', { secretName, error });
  }
}
