import { randomUUID } from 'node:crypto';
import { deterministicToken } from '../claimTokens.js';
import type { ResolvedTarget } from '../config/serviceConfig.js';
import { ConfigurationError, TemporarilyUnavailableError } from '../errors.js';
import { SecretAlreadyExistsError, SecretScheduledForDeletionError } from '../ports/SecretStore.js';
import { type PendingRecord, parseSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { recordPossibleOrphan } from './orphans.js';

export type ClaimResult = { kind: 'claimed'; arn: string; claimId: string } | { kind: 'exists'; arn: string; record: RegisteredRecord };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Claims the tenant's deterministic secret name before anything is registered (docs/idempotency.md):
 * only one CreateSecret for a name succeeds, so concurrent duplicates agree on one winner. Losers wait
 * briefly for the winner's result; a stale claim is taken over with a compare-and-set write.
 */
export async function claimSecret(
  secretName: string,
  tenantId: string,
  target: ResolvedTarget,
  deps: UseCaseDependencies,
): Promise<ClaimResult> {
  const options = deps.claim;
  const clock = () => deps.now().getTime();
  const claimId = randomUUID();
  const pendingValue = () => JSON.stringify(pendingRecord(tenantId, target.name, claimId, new Date(clock())));
  const deadline = clock() + options.waitMs;
  let restored = false;

  for (;;) {
    try {
      const { arn } = await deps.secrets.create({
        name: secretName,
        value: pendingValue(),
        description: `OAuth client of tenant ${tenantId} at target ${target.name} (dcr-onboarding)`,
        kmsKeyId: deps.config.kmsKeyId,
        tags: { 'dcr:tenant': tenantId, 'dcr:target': target.name },
        clientRequestToken: claimId,
      });
      return { kind: 'claimed', arn, claimId };
    } catch (error) {
      if (!(error instanceof SecretAlreadyExistsError || error instanceof SecretScheduledForDeletionError)) throw error;
    }

    const existing = await deps.secrets.get(secretName);
    // Unreadable but taken: scheduled for deletion (an offboarded tenant onboarding again), or just
    // released. Restoring brings back the tombstone, which is taken over below; otherwise look again.
    if (!existing && !restored && (restored = await deps.secrets.restore(secretName))) {
      deps.logger.info('restored the secret of an offboarded tenant to onboard it again', { secretName });
      continue;
    }
    const record = existing && parseSecretRecord(existing.value);
    if (existing && (!record || record.tenant_id !== tenantId || record.target !== target.name)) {
      throw new ConfigurationError(`secret ${secretName} exists and was not written by dcr-onboarding for this tenant`);
    }
    if (existing && record?.dcr_status === 'registered') return { kind: 'exists', arn: existing.arn, record };
    if (existing && record?.dcr_status === 'offboarded') {
      const takenOver = await takeOver(secretName, `offboarded:${record.offboarded_at}`, pendingValue(), deps);
      if (takenOver) return { kind: 'claimed', arn: existing.arn, claimId };
    }
    if (existing && record?.dcr_status === 'pending') {
      // Our own create went through on an earlier (retried) attempt.
      if (record.claim_id === claimId) return { kind: 'claimed', arn: existing.arn, claimId };
      if (clock() - Date.parse(record.claimed_at) > options.staleAfterMs) {
        const takenOver = await takeOver(secretName, record.claim_id, pendingValue(), deps);
        if (takenOver) {
          recordPossibleOrphan(
            deps.logger,
            target.name,
            'warn',
            'took over a stale registration claim; its invocation may have left an orphaned client',
            {
              secretName,
              staleClaimedAt: record.claimed_at,
            },
          );
          return { kind: 'claimed', arn: existing.arn, claimId };
        }
      }
    }
    // Pending elsewhere, or just released by a failed winner: wait a little and look again.
    if (clock() + options.pollMs > deadline) {
      throw new TemporarilyUnavailableError(`a registration for tenant ${tenantId} is in progress`, 2);
    }
    await sleep(options.pollMs);
  }
}

/**
 * All racers for one stale claim or tombstone write with the same token (derived from what they
 * replace); Secrets Manager accepts the first value for a token and refuses any other.
 */
async function takeOver(secretName: string, replaced: string, value: string, deps: UseCaseDependencies): Promise<boolean> {
  try {
    await deps.secrets.put(secretName, value, deterministicToken('takeover', replaced));
    return true;
  } catch (error) {
    if (error instanceof SecretAlreadyExistsError) return false;
    throw error;
  }
}

function pendingRecord(tenantId: string, target: string, claimId: string, now: Date): PendingRecord {
  return { dcr_status: 'pending', tenant_id: tenantId, target, claim_id: claimId, claimed_at: now.toISOString() };
}

/** Gives the name back after a registration that created nothing, so a retry starts clean. */
export async function releaseClaim(secretName: string, deps: UseCaseDependencies): Promise<void> {
  try {
    await deps.secrets.delete(secretName, { force: true });
  } catch (error) {
    deps.logger.error('could not release the registration claim; it becomes stale and is taken over later', {
      secretName,
      error,
    });
  }
}
