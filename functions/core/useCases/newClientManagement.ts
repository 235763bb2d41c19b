import { deterministicToken } from '../claimTokens.js';
import type { ResolvedTarget } from '../config/serviceConfig.js';
import { DcrError, RegistrationAccessTokenRejectedError } from '../errors.js';
import {
  createManagementCredentials,
  type ManagedTenant,
  type ManagementRecord,
  readManagementRecord,
  storeRegisteredManagementCredentials,
} from '../managementCredentials.js';
import type { ClientRegistration } from '../ports/IdentityProvider.js';
import { withRetries } from '../retry.js';
import type { UseCaseDependencies } from './dependencies.js';
import { recordOrphanedClient, recordPossibleOrphan } from './orphans.js';

/**
 * Stores a new client's RFC 7592 credentials in its management secret, before the tenant record
 * (docs/secret-contract.md, "Write order"): an invocation that ends between the two leaves a
 * management secret whose client no tenant record names, and the next holder of the claim deletes
 * that client first. Nothing is written when the provider issued no RFC 7592 credentials (Salesforce).
 */
export async function storeNewClientManagement(
  tenant: ManagedTenant,
  target: ResolvedTarget,
  registration: ClientRegistration,
  claimId: string,
  deps: UseCaseDependencies,
): Promise<void> {
  const { registration_client_uri, registration_access_token } = registration;
  if (registration_client_uri === undefined && registration_access_token === undefined) return;
  const credentials = { registration_client_uri, registration_access_token };
  const versionToken = deterministicToken('management', claimId);
  // Create first: the usual case is one call; a name already taken is looked at only then.
  if ((await createManagementCredentials(deps, tenant, credentials, versionToken)) === 'created') return;
  const stored = await readManagementRecord(deps, tenant);
  if (stored && stored.client_id !== tenant.client_id) await removeLeftoverClient(stored, target, deps);
  // Our own create whose answer was lost (a retried create then finds the name taken): already stored.
  if (stored?.client_id === tenant.client_id && stored.registration_access_token === registration_access_token) return;
  await storeRegisteredManagementCredentials(deps, tenant, credentials, { exists: stored !== undefined, versionToken });
}

/**
 * A management secret that no tenant record names: its client was registered by an invocation that
 * ended before storing the tenant record (or, already deleted, by an offboarding cut short). Deleted
 * by RFC 7592 with the credentials kept for it; when that fails, recorded as an orphan. Never throws.
 */
export async function removeLeftoverClient(leftover: ManagementRecord, target: ResolvedTarget, deps: UseCaseDependencies): Promise<void> {
  const clientId = leftover.client_id;
  try {
    const result = await withRetries(() => deps.idp.deleteClient(target.config, leftover), deps.retry);
    deps.logger.warn('removed a client that an interrupted registration or offboarding left behind', { clientId, result });
  } catch (error) {
    if (error instanceof RegistrationAccessTokenRejectedError) {
      recordPossibleOrphan(deps.logger, target.name, 'warn', 'a left-behind client could not be confirmed deleted (401/403)', { clientId });
      return;
    }
    const reason = `left behind by an interrupted registration; deletion failed${error instanceof DcrError ? `: ${error.code}` : ''}`;
    await recordOrphanedClient({ tenantId: leftover.tenant_id, target: target.name, clientId, reason }, deps).catch(() => {});
  }
}
