import { managementSecretNameFor } from './config/serviceConfig.js';
import { managementSecretResourcePolicy } from './managementSecretPolicy.js';
import type { ManagedClient } from './ports/IdentityProvider.js';
import { type CreateSecretInput, SecretAlreadyExistsError, SecretScheduledForDeletionError } from './ports/SecretStore.js';
import { rememberSecret } from './redaction.js';
import type { RegisteredRecord } from './secretRecord.js';
import type { UseCaseDependencies } from './useCases/dependencies.js';

/** What reading and writing a tenant's RFC 7592 credentials needs. */
export type ManagementDependencies = Pick<UseCaseDependencies, 'config' | 'secrets' | 'now'>;

/** The client a management secret belongs to: the tenant's record, or what the claim is registering. */
export type ManagedTenant = Pick<RegisteredRecord, 'tenant_id' | 'target' | 'client_id'>;

/**
 * The SecretString of a management secret (`${managementSecretNamePrefix}${target}/${tenantId}`): a
 * client's RFC 7592 credentials, which let their holder rewrite or delete the client. Only the
 * function reads it; consumers read the tenant secret (docs/secret-contract.md).
 */
export interface ManagementRecord extends ManagedClient {
  dcr_role: 'management';
  schema_version: 1;
  tenant_id: string;
  target: string;
  client_id: string;
  updated_at: string;
}

/** Where the credentials of a tenant's client live (the tenant secret's name is not needed). */
export function managementSecretNameOf(deps: Pick<ManagementDependencies, 'config'>, tenant: Pick<ManagedTenant, 'target' | 'tenant_id'>) {
  return managementSecretNameFor(deps.config, tenant.target, tenant.tenant_id);
}

/**
 * The tenant's RFC 7592 credentials (registration_client_uri, registration_access_token): from its
 * management secret when that holds the record's client; else, for a record written before the
 * management secret existed, from the record itself (moved out on its next write). Empty when the
 * provider issued none (Salesforce). `secretName` is the tenant secret's name.
 */
export async function loadManagementCredentials(
  deps: Pick<ManagementDependencies, 'config' | 'secrets'>,
  _secretName: string,
  record: RegisteredRecord,
): Promise<ManagedClient> {
  const stored = await readManagementRecord(deps, record);
  const client = stored?.client_id === record.client_id ? credentialsOf(stored) : credentialsOf(record);
  rememberSecret(client.registration_access_token);
  return client;
}

/**
 * Stores the tenant's RFC 7592 credentials after an answer carried new ones (Keycloak rotates the
 * registration access token on every call), or moves a legacy record's out of the tenant secret
 * before that record is written again. Fields `client` leaves out keep their current value. The
 * caller holds the tenant's lease (or its registration claim).
 */
export async function storeManagementCredentials(
  deps: ManagementDependencies,
  _secretName: string,
  record: RegisteredRecord,
  client: ManagedClient,
): Promise<void> {
  const stored = await readManagementRecord(deps, record);
  const current = stored?.client_id === record.client_id ? credentialsOf(stored) : credentialsOf(record);
  const next = { ...current, ...credentialsOf(client) };
  const unchanged =
    stored?.client_id === record.client_id &&
    stored.registration_client_uri === next.registration_client_uri &&
    stored.registration_access_token === next.registration_access_token;
  const nothing = next.registration_client_uri === undefined && next.registration_access_token === undefined;
  if (unchanged || (nothing && stored === undefined)) return;
  await writeManagementRecord(deps, record, next, { exists: stored !== undefined });
}

/**
 * Writes the first management record of a client just registered. `exists` says a management secret
 * is there already (a leftover the caller has dealt with); `versionToken`, derived from the claim,
 * makes an SDK retry of the same write a no-op.
 */
export async function storeRegisteredManagementCredentials(
  deps: ManagementDependencies,
  tenant: ManagedTenant,
  client: ManagedClient,
  options: { exists: boolean; versionToken: string },
): Promise<void> {
  await writeManagementRecord(deps, tenant, credentialsOf(client), options);
}

/**
 * Creates the management secret of a newly registered client, one call on the usual path. 'exists'
 * when the name is taken (a leftover of an interrupted registration, or scheduled for deletion):
 * nothing is written then, and the caller looks at what is there.
 */
export async function createManagementCredentials(
  deps: ManagementDependencies,
  tenant: ManagedTenant,
  client: ManagedClient,
  versionToken: string,
): Promise<'created' | 'exists'> {
  try {
    await writeManagementRecord(deps, tenant, credentialsOf(client), { exists: 'create-only', versionToken });
    return 'created';
  } catch (error) {
    if (error instanceof SecretAlreadyExistsError || error instanceof SecretScheduledForDeletionError) return 'exists';
    throw error;
  }
}

/** Removes the management secret at once: its client is gone, so its credentials are worthless. */
export async function deleteManagementCredentials(
  deps: Pick<ManagementDependencies, 'config' | 'secrets'>,
  tenant: Pick<ManagedTenant, 'target' | 'tenant_id'>,
) {
  await deps.secrets.delete(managementSecretNameOf(deps, tenant), { force: true });
}

/** The management record of the tenant, whichever client it belongs to; undefined when there is none. */
export async function readManagementRecord(
  deps: Pick<ManagementDependencies, 'config' | 'secrets'>,
  tenant: Pick<ManagedTenant, 'target' | 'tenant_id'>,
): Promise<ManagementRecord | undefined> {
  const stored = await deps.secrets.get(managementSecretNameOf(deps, tenant));
  return stored ? parseManagementRecord(stored.value, tenant) : undefined;
}

/** True when the record still carries RFC 7592 credentials in the tenant secret (written before 18). */
export function carriesManagementCredentials(record: RegisteredRecord): boolean {
  return record.registration_client_uri !== undefined || record.registration_access_token !== undefined;
}

/** The tenant record as it is stored from now on: without RFC 7592 credentials. */
export function withoutManagementCredentials<T extends RegisteredRecord>(record: T): T {
  const { registration_client_uri: _uri, registration_access_token: _token, ...rest } = record;
  return rest as T;
}

function credentialsOf(source: ManagedClient): ManagedClient {
  return {
    ...(source.registration_client_uri !== undefined && { registration_client_uri: source.registration_client_uri }),
    ...(source.registration_access_token !== undefined && { registration_access_token: source.registration_access_token }),
  };
}

async function writeManagementRecord(
  deps: ManagementDependencies,
  tenant: ManagedTenant,
  client: ManagedClient,
  options: { exists: boolean | 'create-only'; versionToken?: string },
): Promise<void> {
  const name = managementSecretNameOf(deps, tenant);
  const value: ManagementRecord = {
    dcr_role: 'management',
    schema_version: 1,
    tenant_id: tenant.tenant_id,
    target: tenant.target,
    client_id: tenant.client_id,
    ...client,
    updated_at: deps.now().toISOString(),
  };
  const text = JSON.stringify(value);
  if (options.exists === 'create-only') {
    await deps.secrets.create(managementSecretInput(deps, tenant, name, text, options.versionToken));
    return;
  }
  if (options.exists) {
    await deps.secrets.put(name, text, options.versionToken);
    return;
  }
  try {
    await deps.secrets.create(managementSecretInput(deps, tenant, name, text, options.versionToken));
  } catch (error) {
    if (error instanceof SecretScheduledForDeletionError) {
      // Deleted with a recovery window by hand: take the name back.
      await deps.secrets.restore(name);
    } else if (!(error instanceof SecretAlreadyExistsError)) {
      throw error;
    }
    await deps.secrets.put(name, text, options.versionToken);
  }
}

function managementSecretInput(
  deps: ManagementDependencies,
  tenant: ManagedTenant,
  name: string,
  value: string,
  clientRequestToken: string | undefined,
): CreateSecretInput {
  return {
    name,
    value,
    description: `RFC 7592 credentials of the OAuth client of tenant ${tenant.tenant_id} at target ${tenant.target} (dcr-onboarding; not for consumers)`,
    kmsKeyId: deps.config.kmsKeyId,
    tags: { 'dcr:tenant': tenant.tenant_id, 'dcr:target': tenant.target, 'dcr:role': 'management' },
    resourcePolicy: managementSecretResourcePolicy(deps.config),
    clientRequestToken,
  };
}

function parseManagementRecord(value: string, tenant: Pick<ManagedTenant, 'target' | 'tenant_id'>): ManagementRecord | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<ManagementRecord>;
    if (parsed.dcr_role !== 'management' || typeof parsed.client_id !== 'string') return undefined;
    if (parsed.tenant_id !== tenant.tenant_id || parsed.target !== tenant.target) return undefined;
    rememberSecret(parsed.registration_access_token);
    return parsed as ManagementRecord;
  } catch {
    return undefined;
  }
}
