import { randomUUID } from 'node:crypto';
import { answerHoldsKey, withNewClientKey } from '../clientKeys.js';
import { type ResolvedTarget, secretNameFor } from '../config/serviceConfig.js';
import { NotFoundError, NotSupportedError, TemporarilyUnavailableError, UpstreamError } from '../errors.js';
import { ROTATION_HISTORY_SIZE } from '../options.js';
import { withRetries } from '../retry.js';
import { loadManagementCredentials, storeManagementCredentials, withoutManagementCredentials } from '../managementCredentials.js';
import type { ManagedClient } from '../ports/IdentityProvider.js';
import { consumerEndpoints, readSecretRecord, type RegisteredRecord, TENANT_SECRET_SCHEMA_VERSION } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome } from './outcomeEvents.js';
import type { RegistrationOutcome } from './registrationRequest.js';
import { loadTarget } from './targets.js';
import { withTenantLease } from './tenantLease.js';
import type { TenantRequest } from './tenantRequest.js';

export type RotationOutcome = Omit<RegistrationOutcome, 'status'> & { status: 'rotated' };

/**
 * Obtains a new client secret by RFC 7592 PUT of the client's full metadata and stores it as a new
 * version (the old one stays AWSPREVIOUS); a rotated registration access token is stored too.
 * Runs under the tenant's lease, so concurrent rotations and offboardings take turns. Every request id
 * in the record's bounded history makes a redelivered request a no-op, in any order. A PUT whose
 * answer is lost is not retried: the provider may already have replaced the secret, so the caller
 * learns it must rotate again.
 */
export async function rotateClientSecret(
  request: TenantRequest & { requestId?: string },
  deps: UseCaseDependencies,
): Promise<RotationOutcome> {
  const target = await loadTarget(request.target, deps);
  const secretName = secretNameFor(deps.config, target.name, request.tenantId);
  const early = await readRotatable(secretName, request, target.name, deps);
  if (alreadyHandled(early.record, request.requestId)) return outcomeOf(early, request, target.name, secretName);

  return withTenantLease(secretName, 'rotate', deps, async () => {
    // Read again under the lease: the turn before ours may have rotated or offboarded.
    const current = await readRotatable(secretName, request, target.name, deps);
    const outcome = outcomeOf(current, request, target.name, secretName);
    if (alreadyHandled(current.record, request.requestId)) return outcome;
    const { record } = current;

    const { rotated, newSecret, tokenRotated } = await requestNewSecret(record, target, deps);
    rotated.rotation_request_ids = rememberRequest(record, request.requestId);
    delete rotated.last_rotation_request_id;
    if (!newSecret && !tokenRotated) {
      throw new NotSupportedError('the identity provider did not issue a new client secret on update; nothing was changed');
    }
    await storeRotated(secretName, rotated, deps);
    if (!newSecret) {
      throw new NotSupportedError('the identity provider rotated only the registration access token (stored), not the client secret');
    }
    deps.logger.info('client secret rotated', { tenantId: request.tenantId, target: target.name, clientId: record.client_id });
    await emitOutcome(deps, 'ClientSecretRotated', {
      tenantId: request.tenantId,
      target: target.name,
      clientId: record.client_id,
      secretArn: current.arn,
    });
    return outcome;
  });
}

async function readRotatable(secretName: string, request: TenantRequest, target: string, deps: UseCaseDependencies) {
  const { stored, record } = await readSecretRecord(deps.secrets, secretName);
  if (!stored || !record || record.dcr_status === 'offboarded') {
    throw new NotFoundError(`no registration for tenant ${request.tenantId} at target ${target}`);
  }
  if (record.dcr_status === 'pending') {
    throw new TemporarilyUnavailableError(`a registration for tenant ${request.tenantId} is in progress`, 2);
  }
  return { arn: stored.arn, record };
}

function outcomeOf(
  current: { arn: string; record: RegisteredRecord },
  request: TenantRequest,
  target: string,
  secretName: string,
): RotationOutcome {
  return { tenantId: request.tenantId, target, clientId: current.record.client_id, secretArn: current.arn, secretName, status: 'rotated' };
}

function alreadyHandled(record: RegisteredRecord, requestId: string | undefined): boolean {
  if (!requestId) return false;
  return record.last_rotation_request_id === requestId || (record.rotation_request_ids ?? []).includes(requestId);
}

/** The newest request ids first, at most ROTATION_HISTORY_SIZE of them. */
function rememberRequest(record: RegisteredRecord, requestId: string | undefined): string[] {
  const earlier = record.rotation_request_ids ?? (record.last_rotation_request_id ? [record.last_rotation_request_id] : []);
  return (requestId ? [requestId, ...earlier.filter((id) => id !== requestId)] : earlier).slice(0, ROTATION_HISTORY_SIZE);
}

/**
 * The provider has replaced the secret: the new one must reach the store, or the stored credentials
 * stop working. Every attempt writes the same version (one token), so a write that landed under a lost
 * answer is a no-op when repeated; a failure after the last attempt is reported loudly.
 */
async function storeRotated(secretName: string, rotated: RegisteredRecord, deps: UseCaseDependencies): Promise<void> {
  const token = randomUUID();
  try {
    await withRetries(() => deps.secrets.put(secretName, JSON.stringify(rotated), token), deps.retry);
  } catch (error) {
    deps.logger.error('rotated credentials could not be stored; the stored secret may no longer work: rotate again', {
      clientId: rotated.client_id,
      secretName,
      rotationUnstored: 1,
      error,
    });
    throw error;
  }
}

/**
 * RFC 7592 PUT of the client's full metadata (§2.2: without the fields the server owns), and the record
 * as it would be with the answer. A PUT whose answer is lost is not retried: the provider may already
 * have replaced the secret.
 */
export async function requestNewSecret(
  record: RegisteredRecord,
  target: ResolvedTarget,
  deps: UseCaseDependencies,
): Promise<{ rotated: RegisteredRecord; newSecret: boolean; tokenRotated: boolean }> {
  // A private_key_jwt client gets a new key pair instead: the PUT registers the new public key alone.
  const { metadata, privateJwk } = withNewClientKey(
    { ...record.client_metadata, client_id: record.client_id, token_endpoint_auth_method: record.token_endpoint_auth_method },
    target.config.clientKeyAlgorithm,
  );
  const secretName = secretNameFor(deps.config, record.target, record.tenant_id);
  const client = await loadManagementCredentials(deps, secretName, record);
  const updated = await withRetries(() => deps.idp.updateClient(target.config, client, metadata), deps.retry, {
    retryIf: (error) => !error.ambiguous,
  });
  // At once: a rotated registration access token is the only way back to the client.
  await storeManagement(secretName, record, updated, deps);
  if (privateJwk && !answerHoldsKey(updated.metadata, privateJwk)) {
    throw new UpstreamError('the identity provider did not register the new public key on update; the stored key is kept');
  }
  const rotated: RegisteredRecord = withoutManagementCredentials({
    ...record,
    ...consumerEndpoints(target),
    schema_version: TENANT_SECRET_SCHEMA_VERSION,
    ...(privateJwk && { private_key_jwk: privateJwk }),
    client_secret: updated.client_secret ?? record.client_secret,
    client_secret_expires_at: updated.client_secret_expires_at ?? record.client_secret_expires_at,
    client_metadata: updated.metadata,
    rotated_at: deps.now().toISOString(),
  });
  return {
    rotated,
    newSecret: privateJwk !== undefined || (Boolean(updated.client_secret) && updated.client_secret !== record.client_secret),
    tokenRotated: updated.registration_access_token !== undefined && updated.registration_access_token !== client.registration_access_token,
  };
}

/** Stores the answer's RFC 7592 credentials (and moves a legacy record's out), retried; loud when it fails. */
async function storeManagement(secretName: string, record: RegisteredRecord, updated: ManagedClient, deps: UseCaseDependencies) {
  const issued = { registration_client_uri: updated.registration_client_uri, registration_access_token: updated.registration_access_token };
  try {
    await withRetries(() => storeManagementCredentials(deps, secretName, record, issued), deps.retry);
  } catch (error) {
    deps.logger.error('the rotated registration access token could not be stored; RFC 7592 may no longer reach the client', {
      clientId: record.client_id,
      managementUnstored: 1,
      error,
    });
    throw error;
  }
}
