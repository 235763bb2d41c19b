import { deterministicToken } from '../claimTokens.js';
import { type ResolvedTarget, secretNameFor } from '../config/serviceConfig.js';
import { ConfigurationError, NotFoundError, RegistrationAccessTokenRejectedError, TemporarilyUnavailableError } from '../errors.js';
import { METRICS, TARGET_DIMENSION } from '../constants.js';
import { emitMetrics } from '../metrics.js';
import { withRetries } from '../retry.js';
import { deleteManagementCredentials, loadManagementCredentials, readManagementRecord } from '../managementCredentials.js';
import type { ManagedClient } from '../ports/IdentityProvider.js';
import { type OffboardedRecord, readSecretRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { recordPossibleOrphan } from './orphans.js';
import { removeLeftoverClient } from './newClientManagement.js';
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
  /**
   * 'absent' when the provider no longer knew the client (404/410); 'unconfirmed' when it refused the
   * DELETE with 401/403, which is how RFC 7592 §2 answers for a client it no longer knows.
   */
  clientDeletion?: ClientDeletion;
}

export type ClientDeletion = 'deleted' | 'absent' | 'unconfirmed';

/**
 * Deletes the tenant's client at the provider (RFC 7592 DELETE), then its secret: a tombstone version
 * is written and the secret scheduled for deletion with the configured recovery window. Runs under
 * the tenant's lease, so concurrent offboardings and rotations take turns; the ones after an
 * offboarding find nothing left and answer 'absent'. A stale pending claim (its registration ended
 * without storing anything) is removed too. A provider that cannot delete clients gets a
 * NotSupportedError and nothing is changed. A DELETE refused with 401/403 (a client already deleted
 * at the provider, or a registration access token no longer valid) does not block offboarding: the
 * secret is removed all the same and the deletion recorded as unconfirmed for an operator to check.
 */
export async function offboardTenant(request: TenantRequest, deps: UseCaseDependencies): Promise<OffboardingOutcome> {
  const target = await loadTarget(request.target, deps);
  const secretName = secretNameFor(deps.config, target.name, request.tenantId);
  const base = { tenantId: request.tenantId, target: target.name, secretName };

  if (!(await readOffboardable(secretName, request, deps))) {
    await removeLingeringManagement(secretName, deps);
    return { ...base, status: 'absent' };
  }
  try {
    return await withTenantLease(secretName, 'offboard', deps, async (lease) => {
      // Read again under the lease: the turn before ours may have offboarded already.
      const current = await readOffboardable(secretName, request, deps);
      if (!current) return { ...base, status: 'absent' as const };
      const { stored, record } = current;
      if (record.dcr_status === 'pending') {
        // A management secret under a pending claim names a client its registration never recorded.
        const leftover = await readManagementRecord(deps, record);
        if (leftover) {
          await removeLeftoverClient(leftover, target, deps);
          await deleteManagementCredentials(deps, record);
        }
        await lease.release();
        await deps.secrets.delete(secretName, { force: true });
        recordPossibleOrphan(
          deps.logger,
          target.name,
          'warn',
          'removed a stale registration claim; its invocation may have left a client behind',
          {
            ...base,
            staleClaimedAt: record.claimed_at,
          },
        );
        return { ...base, status: 'offboarded' as const, secretArn: stored.arn };
      }

      const clientDeletion = await deleteClient(target, await loadManagementCredentials(deps, secretName, record), deps);
      const tombstone: OffboardedRecord = {
        dcr_status: 'offboarded',
        tenant_id: request.tenantId,
        target: target.name,
        client_id: record.client_id,
        offboarded_at: deps.now().toISOString(),
      };
      await deps.secrets.put(secretName, JSON.stringify(tombstone), deterministicToken('offboarded', record.client_id));
      // The client is gone: its RFC 7592 credentials are worthless, and the name is free at once.
      await deleteManagementCredentials(deps, record);
      await lease.release();
      const days = deps.config.offboardingRecoveryWindowDays;
      await deps.secrets.delete(secretName, days === 0 ? { force: true } : { recoveryWindowDays: days });

      deps.logger.info('tenant offboarded', { ...base, clientId: record.client_id, clientDeletion });
      await emitOutcome(deps, 'ClientDeregistered', {
        tenantId: request.tenantId,
        target: target.name,
        clientId: record.client_id,
        secretArn: stored.arn,
      });
      if (clientDeletion === 'unconfirmed') await recordUnconfirmedDeletion(request.tenantId, target.name, record.client_id, deps);
      return { ...base, status: 'offboarded' as const, clientId: record.client_id, secretArn: stored.arn, clientDeletion };
    });
  } catch (error) {
    // Deleted while we waited for our turn: the work is done.
    if (error instanceof NotFoundError) return { ...base, status: 'absent' };
    throw error;
  }
}

/** RFC 7592 DELETE; a refused registration access token means the deletion cannot be confirmed. */
async function deleteClient(target: ResolvedTarget, client: ManagedClient, deps: UseCaseDependencies): Promise<ClientDeletion> {
  try {
    return await withRetries(() => deps.idp.deleteClient(target.config, client), deps.retry);
  } catch (error) {
    if (error instanceof RegistrationAccessTokenRejectedError) return 'unconfirmed';
    throw error;
  }
}

/**
 * An offboarding that ended between its tombstone and the management secret's deletion leaves that
 * secret behind: removed when the tombstone still names its client (a newer registration's is kept).
 */
async function removeLingeringManagement(secretName: string, deps: UseCaseDependencies): Promise<void> {
  const { record } = await readSecretRecord(deps.secrets, secretName);
  if (record?.dcr_status !== 'offboarded') return;
  const lingering = await readManagementRecord(deps, record);
  if (lingering?.client_id === record.client_id) await deleteManagementCredentials(deps, record);
}

/**
 * Recorded three ways, with the client id only: a WARN line (`clientDeletionUnconfirmed: 1`), an EMF
 * metric and a `ClientDeletionUnconfirmed` event, so that an operator checks the client is gone.
 */
async function recordUnconfirmedDeletion(tenantId: string, target: string, clientId: string, deps: UseCaseDependencies): Promise<void> {
  const reason =
    'the provider refused the RFC 7592 DELETE (401/403): the client is gone already or its registration access token is invalid';
  deps.logger.warn('client deletion unconfirmed; the tenant was offboarded, check the client at the provider', {
    tenantId,
    target,
    clientId,
    reason,
    clientDeletionUnconfirmed: 1,
  });
  emitMetrics(deps.logger, { [TARGET_DIMENSION]: target }, { [METRICS.clientDeletionUnconfirmed]: { value: 1, unit: 'Count' } });
  await emitOutcome(deps, 'ClientDeletionUnconfirmed', {
    tenantId,
    target,
    clientId,
    error: 'client_deletion_unconfirmed',
    errorDescription: reason,
  });
}

/**
 * The tenant's registered record, or a pending claim that is stale; undefined when nothing is left
 * to offboard. A fresh pending claim is a registration in progress: try again shortly.
 */
async function readOffboardable(secretName: string, request: TenantRequest, deps: UseCaseDependencies) {
  const { stored, record } = await readSecretRecord(deps.secrets, secretName);
  if (!stored || record?.dcr_status === 'offboarded') return undefined;
  if (!record || record.tenant_id !== request.tenantId) {
    throw new ConfigurationError(`secret ${secretName} was not written by dcr-onboarding for this tenant`);
  }
  if (record.dcr_status === 'pending') {
    const staleAfterMs = deps.claim.staleAfterMs;
    if (deps.now().getTime() - Date.parse(record.claimed_at) <= staleAfterMs) {
      throw new TemporarilyUnavailableError(`a registration for tenant ${request.tenantId} is in progress`, 2);
    }
  }
  return { stored, record };
}
