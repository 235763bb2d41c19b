import { randomUUID } from 'node:crypto';
import { deterministicToken } from '../claimTokens.js';
import { ConfigurationError, NotFoundError, OperationInProgressError } from '../errors.js';
import { SecretAlreadyExistsError } from '../ports/SecretStore.js';
import type { SecretVersions } from '../ports/SecretVersions.js';
import type { UseCaseDependencies } from './dependencies.js';

/** The version stage that marks the head of a tenant secret's lease chain. */
export const LEASE_STAGE = 'DCRLEASE';

interface LeaseRecord {
  dcr_lease: 'held' | 'released';
  lease_id: string;
  operation: string;
  acquired_at: string;
}

export interface TenantLease {
  /** Gives the lease back early (offboarding does, before it deletes the secret). Idempotent. */
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` while holding the tenant secret's mutation lease, so a rotation, an offboarding or a
 * delete of one tenant never races another (docs/idempotency.md, "One mutation at a time").
 *
 * The lease is a chain of secret versions under the `DCRLEASE` stage, never AWSCURRENT, so consumers
 * keep reading working credentials. Each link is written with `ClientRequestToken = hash(previous
 * link)`: Secrets Manager keeps one value per token, so of all callers that saw the same head exactly
 * one can append after it — a compare-and-set without a table. A held lease older than the claim's
 * stale time belongs to an invocation that has ended and is taken over the same way.
 *
 * Waiters poll for up to the claim wait; then `OperationInProgressError` (409, retryable).
 */
export async function withTenantLease<T>(
  secretName: string,
  operation: string,
  deps: UseCaseDependencies,
  work: (lease: TenantLease) => Promise<T>,
): Promise<T> {
  const versions = requireVersions(deps);
  const linkId = await acquire(secretName, operation, versions, deps);
  let released = false;
  const lease: TenantLease = {
    async release() {
      if (released) return;
      released = true;
      await releaseLink(secretName, linkId, operation, versions, deps);
    },
  };
  try {
    return await work(lease);
  } finally {
    await lease.release();
  }
}

/**
 * Takes the lease for an operation that spans invocations (the Secrets Manager rotation steps); the
 * same `operation` taking it again while it holds it gets it back. Returns the link to release.
 */
export function acquireTenantLease(secretName: string, operation: string, deps: UseCaseDependencies): Promise<string> {
  return acquire(secretName, operation, requireVersions(deps), deps, { reentrant: true });
}

/** Releases the lease if `operation` holds it; a no-op otherwise (already released or taken over). */
export async function releaseTenantLease(secretName: string, operation: string, deps: UseCaseDependencies): Promise<void> {
  const versions = requireVersions(deps);
  const head = await versions.getVersion(secretName, { stage: LEASE_STAGE });
  const held = head && parseLease(head.value);
  if (head?.versionId && held?.dcr_lease === 'held' && held.operation === operation) {
    await releaseLink(secretName, head.versionId, operation, versions, deps);
  }
}

async function acquire(
  secretName: string,
  operation: string,
  versions: SecretVersions,
  deps: UseCaseDependencies,
  options: { reentrant: boolean } = { reentrant: false },
): Promise<string> {
  const clock = () => deps.now().getTime();
  const { waitMs, pollMs, staleAfterMs } = deps.claim;
  const deadline = clock() + waitMs;
  for (;;) {
    // The lease lives on the tenant's secret: none there, nothing to mutate.
    if (!(await deps.secrets.get(secretName))) throw new NotFoundError(`no secret ${secretName}`);
    const head = await versions.getVersion(secretName, { stage: LEASE_STAGE });
    const held = head && parseLease(head.value);
    const busy = held?.dcr_lease === 'held' && clock() - Date.parse(held.acquired_at) < staleAfterMs;
    // Only an operation named uniquely across invocations (a rotation token) may take its own lease back.
    if (busy && options.reentrant && held.operation === operation && head?.versionId) return head.versionId;
    if (!busy) {
      if (held?.dcr_lease === 'held') {
        deps.logger.warn('took over a stale tenant lease; its invocation has ended', { secretName, staleOperation: held.operation });
      }
      const linkId = deterministicToken('lease', secretName, head?.versionId ?? 'genesis');
      const value: LeaseRecord = { dcr_lease: 'held', lease_id: randomUUID(), operation, acquired_at: new Date(clock()).toISOString() };
      try {
        await versions.putVersion(secretName, JSON.stringify(value), linkId, [LEASE_STAGE]);
        return linkId;
      } catch (error) {
        if (!(error instanceof SecretAlreadyExistsError)) throw error;
        // Another caller appended after the same head first.
      }
    }
    if (clock() + pollMs > deadline) {
      throw new OperationInProgressError(`another operation on ${secretName} is in progress; try again shortly`);
    }
    await sleep(pollMs);
  }
}

async function releaseLink(secretName: string, linkId: string, operation: string, versions: SecretVersions, deps: UseCaseDependencies) {
  const value: LeaseRecord = { dcr_lease: 'released', lease_id: linkId, operation, acquired_at: new Date().toISOString() };
  try {
    await versions.putVersion(secretName, JSON.stringify(value), deterministicToken('lease', secretName, linkId), [LEASE_STAGE]);
  } catch (error) {
    deps.logger.warn('could not release the tenant lease; it is taken over once stale', { secretName, error });
  }
}

function parseLease(value: string): LeaseRecord | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<LeaseRecord>;
    if ((parsed.dcr_lease === 'held' || parsed.dcr_lease === 'released') && typeof parsed.acquired_at === 'string') {
      return parsed as LeaseRecord;
    }
  } catch {}
  return undefined;
}

function requireVersions(deps: UseCaseDependencies): SecretVersions {
  if (!deps.secretVersions) throw new ConfigurationError('tenant mutations need the SecretVersions port (version stages)');
  return deps.secretVersions;
}
