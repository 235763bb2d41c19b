import { deterministicToken } from '../claimTokens.js';
import { withNewClientKey } from '../clientKeys.js';
import { applyMetadataPolicy, withTokenEndpointAuthMethod } from '../config/metadataPolicy.js';
import { type ResolvedTarget, secretNameFor } from '../config/serviceConfig.js';
import type { ClientMetadata } from '../config/targetConfig.js';
import { DcrError, InitialAccessTokenRejectedError, TemporarilyUnavailableError, UnusableRegistrationError } from '../errors.js';
import type { ClientRegistration, ManagedClient, RegistrationHeader } from '../ports/IdentityProvider.js';
import { withRetries } from '../retry.js';
import { MAX_SECRET_BYTES } from '../options.js';
import { deleteManagementCredentials, type ManagedTenant, readManagementRecord } from '../managementCredentials.js';
import { buildRegisteredRecord, parseSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import { claimSecret, releaseClaim } from './claim.js';
import { announceReadiness } from './confirmReadiness.js';
import { storeNewClientManagement } from './newClientManagement.js';
import type { UseCaseDependencies } from './dependencies.js';
import { recordOrphanedClient, recordPossibleOrphan } from './orphans.js';
import { emitOutcome, failureDetail } from './outcomeEvents.js';
import type { RegistrationOutcome, RegistrationRequest } from './registrationRequest.js';
import { loadTarget } from './targets.js';
import { reportUnmanageableClient } from './unmanageableClient.js';

/**
 * The one use case: claim the tenant's secret name, register a client at the configured identity
 * provider, store the issued credentials. A replay for a registered tenant answers "exists" without
 * calling the provider. The protocol and its failure cases are in docs/idempotency.md.
 */
export async function registerTenant(request: RegistrationRequest, deps: UseCaseDependencies): Promise<RegistrationOutcome> {
  const target = await loadTarget(request.target, deps);
  try {
    const outcome = await register(request, target, deps);
    if (outcome.status === 'registered') {
      // Neither throws; started in this order, sent side by side (EventBridge keeps no order anyway).
      await Promise.all([
        emitOutcome(deps, 'ClientRegistered', {
          tenantId: outcome.tenantId,
          target: target.name,
          clientId: outcome.clientId,
          secretArn: outcome.secretArn,
        }),
        announceReadiness(outcome, target, deps),
      ]);
    }
    return outcome;
  } catch (error) {
    await emitOutcome(deps, 'ClientRegistrationFailed', { tenantId: request.tenantId, target: target.name, ...failureDetail(error) });
    throw error;
  }
}

async function register(request: RegistrationRequest, target: ResolvedTarget, deps: UseCaseDependencies): Promise<RegistrationOutcome> {
  const secretName = secretNameFor(deps.config, target.name, request.tenantId);
  const base = { tenantId: request.tenantId, target: target.name, secretName };
  const log = deps.logger.child(base);

  // The caller's metadata is checked before anything is claimed, read or sent (400 names the field).
  const metadata = withTokenEndpointAuthMethod(applyMetadataPolicy(target.config, request.client), target.config.profile);
  // Read the registration credential (usually cached) while claiming: a cold container saves a round trip.
  const authorization = deps.registrationCredentials.authorization(target.config.registrationCredential);
  authorization.catch(() => {}); // surfaced where it is awaited
  const claim = await claimSecret(secretName, request.tenantId, target, deps);
  if (claim.kind === 'exists') {
    return { ...base, clientId: claim.record.client_id, secretArn: claim.arn, status: 'exists' };
  }

  // A private_key_jwt client's key pair: its public half is registered, the private half lives only in
  // memory until it is stored with the client (a failed registration leaves it nowhere).
  const keyed = withNewClientKey(metadata, target.config.clientKeyAlgorithm);
  const unconfirmed: string[] = [];
  let registration: ClientRegistration;
  let record: RegisteredRecord;
  let storedValue: string;
  try {
    registration = await registerWithRetries(target, keyed.metadata, await authorization, { ...deps, logger: log }, unconfirmed);
    record = buildRegisteredRecord(request.tenantId, target, registration, deps.now());
    if (keyed.privateJwk && registration.token_endpoint_auth_method === 'private_key_jwt') record.private_key_jwk = keyed.privateJwk;
    if (unconfirmed.length) record.unconfirmed_attempts = unconfirmed;
    storedValue = storableValue(record, registration);
  } catch (error) {
    if (error instanceof UnusableRegistrationError) await removeUnusableClient(request.tenantId, target, error, { ...deps, logger: log });
    await releaseClaim(secretName, deps);
    throw error;
  }

  const tenant = { tenant_id: request.tenantId, target: target.name, client_id: registration.client_id };
  const undo = async (error: unknown): Promise<never> => {
    await deleteUnstoredClient(tenant, target, registration, { ...deps, logger: log });
    await releaseClaim(secretName, deps);
    throw error;
  };
  // The management secret first: a tenant record never names a client whose credentials are lost. When
  // it fails, the tenant record was never written: no read-back is needed before undoing.
  await storeNewClientManagement(tenant, target, registration, claim.claimId, { ...deps, logger: log }).catch(undo);
  try {
    await deps.secrets.put(secretName, storedValue, deterministicToken('registered', claim.claimId));
  } catch (error) {
    if (!(await holdsClient(secretName, target.name, registration.client_id, error, { ...deps, logger: log }))) await undo(error);
  }
  if (record.management === 'foreign-origin') {
    reportUnmanageableClient({ ...record, registration_client_uri: registration.registration_client_uri }, target, { logger: log });
  }
  log.info('client registered', { clientId: registration.client_id });
  return { ...base, clientId: registration.client_id, secretArn: claim.arn, status: 'registered' };
}

/**
 * Retries 429 / 5xx / network failures within the policy's budget, and re-reads the initial access
 * token once after it was refused (401/403, or `invalid_token` / `access_denied` at any 4xx; seed 004:
 * a regenerated token invalidates the cached one). Attempts whose outcome is unknown (a timeout after
 * sending) are noted: each may have left a client behind.
 */
async function registerWithRetries(
  target: ResolvedTarget,
  metadata: ClientMetadata,
  authorization: RegistrationHeader | null,
  deps: UseCaseDependencies,
  unconfirmed: string[],
): Promise<ClientRegistration> {
  const noteAmbiguous = (error: TemporarilyUnavailableError) => {
    if (!error.ambiguous) return;
    unconfirmed.push(deps.now().toISOString());
    recordPossibleOrphan(
      deps.logger,
      target.name,
      'warn',
      'registration outcome unknown (sent, no answer); a client may exist without a secret',
      {
        error,
      },
    );
  };
  const attempt = (credential: RegistrationHeader | null) =>
    withRetries(() => deps.idp.register(target.config, metadata, credential), deps.retry, {
      onRetry: noteAmbiguous,
    }).catch((error: unknown) => {
      if ((error as TemporarilyUnavailableError).ambiguous) noteAmbiguous(error as TemporarilyUnavailableError);
      throw error;
    });

  try {
    return await attempt(authorization);
  } catch (error) {
    if (!(error instanceof InitialAccessTokenRejectedError)) throw error;
    // A re-read IAT or API key, or a newly minted token; open registration has nothing to replace.
    const fresh = await deps.registrationCredentials.authorization(target.config.registrationCredential, { refresh: true });
    if (fresh === null || (authorization !== null && fresh.value === authorization.value)) throw error;
    deps.logger.info('registration credential was refused; retrying once with a fresh one', {
      credential: target.config.registrationCredential.type,
    });
    return attempt(fresh);
  }
}

/** Secrets Manager refuses a SecretString over 64 KB: a provider that echoes that much is unusable. */
function storableValue(record: RegisteredRecord, registration: ClientRegistration): string {
  const value = JSON.stringify(record);
  const bytes = Buffer.byteLength(value);
  if (bytes <= MAX_SECRET_BYTES) return value;
  throw new UnusableRegistrationError(`the registration answer makes a ${bytes}-byte record, over Secrets Manager's ${MAX_SECRET_BYTES}`, {
    client_id: registration.client_id,
    registration_client_uri: registration.registration_client_uri,
    registration_access_token: registration.registration_access_token,
  });
}

/**
 * After a failed write, the write may still have landed (a lost answer): look before undoing. A look
 * that fails too proves nothing, so nothing is undone: the claim stays (taken over once stale), the
 * client is noted as a possible orphan, and the failure is retryable.
 */
async function holdsClient(
  secretName: string,
  target: string,
  clientId: string,
  writeError: unknown,
  deps: UseCaseDependencies,
): Promise<boolean> {
  let stored: Awaited<ReturnType<UseCaseDependencies['secrets']['get']>>;
  try {
    stored = await deps.secrets.get(secretName);
  } catch (readError) {
    recordPossibleOrphan(
      deps.logger,
      target,
      'error',
      'stored credentials could not be confirmed (write and read-back failed); the client is kept',
      {
        clientId,
        error: readError,
      },
    );
    throw new TemporarilyUnavailableError('storing the credentials could not be confirmed; retry later', 5, { cause: writeError });
  }
  const record = stored && parseSecretRecord(stored.value);
  return record?.dcr_status === 'registered' && record.client_id === clientId;
}

/**
 * A client whose credentials could not be stored is useless: remove it with its management secret.
 * When the deletion fails but its management secret was stored, the secret is kept: the tenant's next
 * registration attempt finds it and removes the client first (newClientManagement.ts), so a retry
 * ends with one client. Without one, the client is recorded as orphaned.
 */
async function deleteUnstoredClient(
  tenant: ManagedTenant,
  target: ResolvedTarget,
  registration: ClientRegistration,
  deps: UseCaseDependencies,
) {
  const clientId = registration.client_id;
  try {
    await withRetries(() => deps.idp.deleteClient(target.config, registration), deps.retry);
    deps.logger.warn('deleted a client because its credentials could not be stored', { clientId });
    await deleteManagementCredentials(deps, tenant).catch(() => {});
    return;
  } catch (error) {
    const kept = await readManagementRecord(deps, tenant).catch(() => undefined);
    if (kept?.client_id === clientId) {
      recordPossibleOrphan(
        deps.logger,
        target.name,
        'warn',
        'a client whose credentials could not be stored is not deleted yet; its management secret is kept so that the next attempt removes it',
        {
          clientId,
          error,
        },
      );
      return;
    }
    const reason = `its credentials could not be stored; deletion failed${error instanceof DcrError ? `: ${error.code}` : ''}`;
    await recordOrphanedClient({ tenantId: tenant.tenant_id, target: target.name, clientId, reason }, deps);
  }
}

/** The provider created a client but its answer cannot be used: remove it, or record it as orphaned. */
async function removeUnusableClient(tenantId: string, target: ResolvedTarget, error: UnusableRegistrationError, deps: UseCaseDependencies) {
  const client = error.client;
  if (!client) {
    recordPossibleOrphan(
      deps.logger,
      target.name,
      'error',
      'the provider answer was unusable and named no client; one may exist without a secret',
      {
        error,
      },
    );
    return;
  }
  await deleteOrRecord(tenantId, target, client.client_id, client, 'the provider answer was unusable', deps);
}

async function deleteOrRecord(
  tenantId: string,
  target: ResolvedTarget,
  clientId: string,
  client: ManagedClient,
  why: string,
  deps: UseCaseDependencies,
): Promise<void> {
  try {
    await withRetries(() => deps.idp.deleteClient(target.config, client), deps.retry);
    deps.logger.warn(`deleted a client because ${why}`, { clientId });
  } catch (error) {
    const reason = error instanceof DcrError ? `${why}; deletion failed: ${error.code}` : `${why}; deletion failed`;
    await recordOrphanedClient({ tenantId, target: target.name, clientId, reason }, deps);
  }
}
