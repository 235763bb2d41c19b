import { randomUUID } from 'node:crypto';
import { publicJwkOf } from '../clientKeys.js';
import { METRICS, TARGET_DIMENSION } from '../constants.js';
import { DcrError, RegistrationAccessTokenRejectedError } from '../errors.js';
import { loadManagementCredentials, storeManagementCredentials, withoutManagementCredentials } from '../managementCredentials.js';
import { emitMetrics } from '../metrics.js';
import type { ClientRegistration, ManagedClient } from '../ports/IdentityProvider.js';
import { withRetries } from '../retry.js';
import { type RegisteredRecord, readSecretRecord } from '../secretRecord.js';
import { isInvalidClient } from './canaryProof.js';
import type { UseCaseDependencies } from './dependencies.js';
import { driftedFields, pinnedMetadata } from './metadataDrift.js';
import { emitOutcome } from './outcomeEvents.js';
import { proofOptions } from './proofOptions.js';
import type { TenantRef } from './renewExpiringSecrets.js';
import { type SweepOptions, type SweptTenant, sweepTenants } from './tenantSweep.js';
import { withTenantLease } from './tenantLease.js';

export interface ReconcileResult {
  /** Registered tenants read this run. */
  checked: number;
  /** Clients the provider no longer knows (each tenant's record is marked `drift.status: "missing"`). */
  missing: TenantRef[];
  /** Clients whose registration differs from the configuration in `fields` (names only); `fixed` after `fix`. */
  drifted: (TenantRef & { fields: string[]; fixed?: boolean })[];
  /** Tenants skipped: no RFC 7592 credentials (Salesforce), or managed on a foreign origin. */
  unmanaged: number;
  /** Tenants that could not be read (`error` is our code); the next run tries again. */
  failed: (TenantRef & { error: string })[];
  /** Tenant secrets left for a later run (over the per-run cap). */
  deferred: number;
}

/**
 * The scheduled `reconcile` and `dcr reconcile`: reads each stored client back by RFC 7592 GET and
 * compares it with the configuration. A client the provider no longer knows is `missing`: the tenant's
 * record is marked, `ClientDrifted` (reason `missing`) is published when first found. Pinned metadata
 * that differs is `drifted` (event reason `metadata`, field names only); with `fix` an RFC 7592 PUT
 * restores it. Each tenant is handled under its lease (a rotation cannot interleave), and every new
 * registration access token an answer carries is stored (Keycloak rotates it on each call).
 */
export async function reconcileClients(
  request: { target?: string; fix?: boolean },
  deps: UseCaseDependencies,
  options: SweepOptions = {},
): Promise<ReconcileResult> {
  const result: ReconcileResult = { checked: 0, missing: [], drifted: [], unmanaged: 0, failed: [], deferred: 0 };
  const drifts = new Map<string, number>();
  const sweep = await sweepTenants(
    request.target,
    deps,
    async (tenant) => {
      drifts.set(tenant.target.name, drifts.get(tenant.target.name) ?? 0);
      const found = await reconcileOne(tenant, request.fix === true, deps, result);
      if (found) drifts.set(tenant.target.name, (drifts.get(tenant.target.name) ?? 0) + 1);
    },
    options,
  );
  result.checked = sweep.checked;
  result.deferred = sweep.deferred;
  for (const [target, count] of drifts) {
    emitMetrics(deps.logger, { [TARGET_DIMENSION]: target }, { [METRICS.clientDrifted]: { value: count, unit: 'Count' } });
  }
  deps.logger.info('reconciliation run finished', {
    target: request.target,
    fix: request.fix === true,
    checked: result.checked,
    missing: result.missing.length,
    drifted: result.drifted.length,
    unmanaged: result.unmanaged,
    failed: result.failed.length,
    deferred: result.deferred,
  });
  return result;
}

/** True when the tenant's client is missing or drifted. */
async function reconcileOne(tenant: SweptTenant, fix: boolean, deps: UseCaseDependencies, result: ReconcileResult): Promise<boolean> {
  const { target, tenantId, secretName, record } = tenant;
  const ref = { tenantId, target: target.name };
  const log = deps.logger.child({ ...ref, clientId: record.client_id });
  if (record.management === 'foreign-origin' || !manageable(await loadManagementCredentials(deps, secretName, record))) {
    result.unmanaged++;
    return false;
  }
  try {
    return await withTenantLease(secretName, 'reconcile', { ...deps, logger: log }, async () => {
      // Read again under the lease: a rotation or offboarding may have run in between.
      const { record: current } = await readSecretRecord(deps.secrets, secretName);
      if (current?.dcr_status !== 'registered' || current.client_id !== record.client_id) return false;
      let client = await loadManagementCredentials(deps, secretName, current);
      const answer = await readRegistration(tenant, current, client, deps);
      if (answer === 'absent') {
        result.missing.push(ref);
        await markMissing(tenant, current, client, { ...deps, logger: log });
        return true;
      }
      client = await keepNewestCredentials(secretName, current, client, answer, deps);
      if (current.drift) await writeRecord(secretName, withoutDrift(current), current, client, deps);
      const pinned = pinnedMetadata(target.config);
      const fields = driftedFields(pinned, answer);
      if (!fields.length) return false;
      const entry: ReconcileResult['drifted'][number] = { ...ref, fields };
      result.drifted.push(entry);
      log.warn('client metadata differs from the configuration', { fields, fix });
      await emitOutcome(deps, 'ClientDrifted', { ...ref, clientId: current.client_id, reason: 'metadata', fields });
      if (fix) entry.fixed = (await restoreMetadata(tenant, current, client, answer, pinned, { ...deps, logger: log })).length === 0;
      return true;
    });
  } catch (error) {
    result.failed.push({ ...ref, error: error instanceof DcrError ? error.code : 'server_error' });
    log.error('client could not be reconciled; the next run tries again', { error });
    return false;
  }
}

function manageable(client: ManagedClient): boolean {
  return Boolean(client.registration_client_uri && client.registration_access_token);
}

/**
 * RFC 7592 GET. A 404/410 is `absent`. A 401 means (RFC 7592 §2) the client is gone or the token is
 * not valid: a token request with the stored credentials tells which — refused as `invalid_client`,
 * the client is gone; accepted, only the token is bad (reported as a failure, never as missing). A GET
 * whose answer was lost is not repeated: a provider that rotates the token on every call has replaced it.
 */
async function readRegistration(
  { target }: SweptTenant,
  record: RegisteredRecord,
  client: ManagedClient,
  deps: UseCaseDependencies,
): Promise<ClientRegistration | 'absent'> {
  try {
    return await withRetries(() => deps.idp.readClient(target.config, client), deps.retry, { retryIf: (error) => !error.ambiguous });
  } catch (error) {
    const tokenEndpoint = target.config.tokenEndpoint;
    if (!(error instanceof RegistrationAccessTokenRejectedError) || error.upstreamStatus !== 401 || !tokenEndpoint) throw error;
    try {
      await withRetries(() => deps.idp.proveClientCredentials(tokenEndpoint, record, proofOptions(record, target.config)), deps.retry);
    } catch (proofError) {
      if (isInvalidClient(proofError)) return 'absent';
      throw error;
    }
    throw error;
  }
}

async function markMissing(
  { target, tenantId, secretName }: SweptTenant,
  record: RegisteredRecord,
  client: ManagedClient,
  deps: UseCaseDependencies,
) {
  if (record.drift?.status === 'missing') return;
  const detectedAt = deps.now().toISOString();
  await writeRecord(secretName, { ...record, drift: { status: 'missing', detected_at: detectedAt } }, record, client, deps);
  deps.logger.error('client is missing at the identity provider; the tenant is marked', { detectedAt });
  await emitOutcome(deps, 'ClientDrifted', { tenantId, target: target.name, clientId: record.client_id, reason: 'missing' });
}

/** Stores the registration access token (and client URI) an answer carries when they are new. */
async function keepNewestCredentials(
  secretName: string,
  record: RegisteredRecord,
  client: ManagedClient,
  answer: ClientRegistration,
  deps: UseCaseDependencies,
): Promise<ManagedClient> {
  const next: ManagedClient = {
    registration_client_uri: answer.registration_client_uri ?? client.registration_client_uri,
    registration_access_token: answer.registration_access_token ?? client.registration_access_token,
  };
  if (
    next.registration_access_token !== client.registration_access_token ||
    next.registration_client_uri !== client.registration_client_uri
  ) {
    await storeManagementCredentials(deps, secretName, record, next);
  }
  return next;
}

/**
 * RFC 7592 PUT of the provider's current metadata with the pinned fields restored; the answer's new
 * client secret (a provider may issue one on every update) and token are stored. Returns the pinned
 * fields that still differ afterwards. A PUT whose answer was lost is not repeated.
 */
async function restoreMetadata(
  { target, tenantId, secretName }: SweptTenant,
  record: RegisteredRecord,
  client: ManagedClient,
  answer: ClientRegistration,
  pinned: Record<string, unknown>,
  deps: UseCaseDependencies,
): Promise<string[]> {
  // A private_key_jwt client's key is the one we hold: a provider that leaves `jwks` out of its answer
  // must not have it dropped by this full-metadata PUT.
  const jwks = record.private_key_jwk && { jwks: { keys: [publicJwkOf(record.private_key_jwk)] } };
  const metadata = { ...answer.metadata, ...pinned, ...jwks, client_id: record.client_id };
  const updated = await withRetries(() => deps.idp.updateClient(target.config, client, metadata), deps.retry, {
    retryIf: (error) => !error.ambiguous,
  });
  const newest = await keepNewestCredentials(secretName, record, client, updated, deps);
  const newSecret = Boolean(updated.client_secret) && updated.client_secret !== record.client_secret;
  const next: RegisteredRecord = {
    ...record,
    client_secret: updated.client_secret ?? record.client_secret,
    client_secret_expires_at: updated.client_secret_expires_at ?? record.client_secret_expires_at,
    token_endpoint_auth_method: updated.token_endpoint_auth_method,
    client_metadata: updated.metadata,
    ...(newSecret && { rotated_at: deps.now().toISOString() }),
  };
  await writeRecord(secretName, next, record, newest, deps);
  deps.logger.info('client metadata restored to the configuration', { newSecret });
  if (newSecret) {
    const { stored } = await readSecretRecord(deps.secrets, secretName);
    await emitOutcome(deps, 'ClientSecretRotated', { tenantId, target: target.name, clientId: record.client_id, secretArn: stored?.arn });
  }
  return driftedFields(pinned, updated);
}

/**
 * Writes the tenant record (the caller holds the lease). A record that still carries RFC 7592
 * credentials has them moved to the management secret first, as every write does.
 */
async function writeRecord(
  secretName: string,
  next: RegisteredRecord,
  current: RegisteredRecord,
  client: ManagedClient,
  deps: UseCaseDependencies,
) {
  await storeManagementCredentials(deps, secretName, current, client);
  const token = randomUUID();
  await withRetries(() => deps.secrets.put(secretName, JSON.stringify(withoutManagementCredentials(next)), token), deps.retry);
}

function withoutDrift(record: RegisteredRecord): RegisteredRecord {
  const { drift: _drift, ...rest } = record;
  return rest;
}
