import type { ManagedClient } from './ports/IdentityProvider.js';
import type { RegisteredRecord } from './secretRecord.js';
import type { UseCaseDependencies } from './useCases/dependencies.js';

/** What reading and writing a tenant's RFC 7592 credentials needs. */
export type ManagementDependencies = Pick<UseCaseDependencies, 'config' | 'secrets'>;

/**
 * The tenant's RFC 7592 credentials (registration_client_uri, registration_access_token).
 * `secretName` is the tenant secret's name. For now they live in the tenant record itself; they are
 * moving to a management secret of their own, and callers need not change when they do.
 */
export async function loadManagementCredentials(
  _deps: ManagementDependencies,
  _secretName: string,
  record: RegisteredRecord,
): Promise<ManagedClient> {
  return {
    ...(record.registration_client_uri !== undefined && { registration_client_uri: record.registration_client_uri }),
    ...(record.registration_access_token !== undefined && { registration_access_token: record.registration_access_token }),
  };
}

/**
 * Stores the tenant's RFC 7592 credentials after an answer carried new ones (Keycloak rotates the
 * registration access token on every call). Fields `client` leaves out keep their stored value.
 */
export async function storeManagementCredentials(
  deps: ManagementDependencies,
  secretName: string,
  record: RegisteredRecord,
  client: ManagedClient,
): Promise<void> {
  const next: RegisteredRecord = {
    ...record,
    registration_client_uri: client.registration_client_uri ?? record.registration_client_uri,
    registration_access_token: client.registration_access_token ?? record.registration_access_token,
  };
  if (
    next.registration_client_uri === record.registration_client_uri &&
    next.registration_access_token === record.registration_access_token
  )
    return;
  await deps.secrets.put(secretName, JSON.stringify(next));
}
