import { randomUUID } from 'node:crypto';
import { deterministicToken } from '../claimTokens.js';
import type { ResolvedTarget } from '../config/serviceConfig.js';
import { ConfigurationError, TemporarilyUnavailableError } from '../errors.js';
import { SecretAlreadyExistsError, SecretScheduledForDeletionError, type StoredSecret } from '../ports/SecretStore.js';
import { type PendingRecord, parseSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import { tenantSecretResourcePolicy } from '../tenantSecretPolicy.js';
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
        resourcePolicy: tenantSecretResourcePolicy(deps.config, target.name),
      });
      return { kind: 'claimed', arn, claimId };
    } catch (error) {
      if (!(error instanceof SecretAlreadyExistsError || error instanceof SecretScheduledForDeletionError)) throw error;
    }

    const existing = await deps.secrets.get(secretName);
    const situation = () => ({ tenantId, target: target.name, claimId, restored, now: clock(), deadline, ...options });
    let step = decideClaimStep(existing, situation());
    if (step.step === 'restore') {
      if (await deps.secrets.restore(secretName)) {
        restored = true;
        deps.logger.info('restored the secret of an offboarded tenant to onboard it again', { secretName });
        continue;
      }
      step = pollOrGiveUp(situation());
    }
    if (step.step === 'not-ours') {
      throw new ConfigurationError(`secret ${secretName} exists and was not written by dcr-onboarding for this tenant`);
    }
    if (step.step === 'exists') return { kind: 'exists', arn: step.arn, record: step.record };
    if (step.step === 'ours') return { kind: 'claimed', arn: step.arn, claimId };
    if (step.step === 'take-over') {
      if (await takeOver(secretName, step.replaced, pendingValue(), deps)) {
        if (step.staleClaimedAt) {
          recordPossibleOrphan(
            deps.logger,
            target.name,
            'warn',
            'took over a stale registration claim; its invocation may have left an orphaned client',
            {
              secretName,
              staleClaimedAt: step.staleClaimedAt,
            },
          );
        }
        return { kind: 'claimed', arn: step.arn, claimId };
      }
      step = pollOrGiveUp(situation());
    }
    if (step.step === 'give-up') throw new TemporarilyUnavailableError(`a registration for tenant ${tenantId} is in progress`, 2);
    await sleep(options.pollMs);
  }
}

/** What the claim loop knows when its CreateSecret found the name taken. */
export interface ClaimSituation {
  tenantId: string;
  target: string;
  claimId: string;
  /** True once this claim restored a secret scheduled for deletion. */
  restored: boolean;
  now: number;
  deadline: number;
  pollMs: number;
  staleAfterMs: number;
}

export type ClaimStep =
  | { step: 'restore' }
  | { step: 'not-ours' }
  | { step: 'exists'; arn: string; record: RegisteredRecord }
  | { step: 'ours'; arn: string }
  | { step: 'take-over'; arn: string; replaced: string; staleClaimedAt?: string }
  | { step: 'wait' }
  | { step: 'give-up' };

/**
 * The claim protocol's decision, without I/O (docs/idempotency.md): given what holds the name, the
 * next step. Unreadable but taken: scheduled for deletion (restore it once, then take over its
 * tombstone) or just released (look again). A pending claim of our own id is ours (an SDK retry of our
 * create landed); a stale one and a tombstone are taken over; a fresh one is waited for.
 */
export function decideClaimStep(existing: StoredSecret | undefined, situation: ClaimSituation): ClaimStep {
  if (!existing) return situation.restored ? pollOrGiveUp(situation) : { step: 'restore' };
  const record = parseSecretRecord(existing.value);
  if (!record || record.tenant_id !== situation.tenantId || record.target !== situation.target) return { step: 'not-ours' };
  if (record.dcr_status === 'registered') return { step: 'exists', arn: existing.arn, record };
  if (record.dcr_status === 'offboarded') return { step: 'take-over', arn: existing.arn, replaced: `offboarded:${record.offboarded_at}` };
  if (record.claim_id === situation.claimId) return { step: 'ours', arn: existing.arn };
  if (situation.now - Date.parse(record.claimed_at) > situation.staleAfterMs) {
    return { step: 'take-over', arn: existing.arn, replaced: record.claim_id, staleClaimedAt: record.claimed_at };
  }
  return pollOrGiveUp(situation);
}

/** Look again after a poll interval, unless that would pass the deadline. */
export function pollOrGiveUp(situation: Pick<ClaimSituation, 'now' | 'deadline' | 'pollMs'>): ClaimStep {
  return situation.now + situation.pollMs > situation.deadline ? { step: 'give-up' } : { step: 'wait' };
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
