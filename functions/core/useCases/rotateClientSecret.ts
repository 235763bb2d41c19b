import { randomUUID } from 'node:crypto';
import { deterministicToken } from '../claimTokens.js';
import { type ResolvedTarget, secretNameFor } from '../config/serviceConfig.js';
import { NotFoundError, NotSupportedError, TemporarilyUnavailableError } from '../errors.js';
import { DEFAULT_RETRY_POLICY, withRetries } from '../retry.js';
import { parseSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome } from './outcomeEvents.js';
import type { RegistrationOutcome } from './registrationRequest.js';
import { loadTarget } from './targets.js';
import type { TenantRequest } from './tenantRequest.js';

export type RotationOutcome = Omit<RegistrationOutcome, 'status'> & { status: 'rotated' };

/**
 * Obtains a new client secret by RFC 7592 PUT of the client's full metadata and stores it as a new
 * version (the old one stays AWSPREVIOUS); a rotated registration access token is stored too.
 * `requestId` makes a redelivered request a no-op. A PUT whose answer is lost is not retried: the
 * provider may already have replaced the secret, so the caller learns it must rotate again.
 */
export async function rotateClientSecret(
  request: TenantRequest & { requestId?: string },
  deps: UseCaseDependencies,
): Promise<RotationOutcome> {
  const target = await loadTarget(request.target, deps);
  const secretName = secretNameFor(deps.config, target.name, request.tenantId);
  const stored = await deps.secrets.get(secretName);
  const record = stored && parseSecretRecord(stored.value);
  if (!stored || !record || record.dcr_status === 'offboarded') {
    throw new NotFoundError(`no registration for tenant ${request.tenantId} at target ${target.name}`);
  }
  if (record.dcr_status === 'pending') {
    throw new TemporarilyUnavailableError(`a registration for tenant ${request.tenantId} is in progress`, 2);
  }
  const outcome: RotationOutcome = {
    tenantId: request.tenantId,
    target: target.name,
    clientId: record.client_id,
    secretArn: stored.arn,
    secretName,
    status: 'rotated',
  };
  if (request.requestId && record.last_rotation_request_id === request.requestId) return outcome;

  const { rotated, newSecret, tokenRotated } = await requestNewSecret(record, target, deps);
  rotated.last_rotation_request_id = request.requestId;
  if (!newSecret && !tokenRotated) {
    throw new NotSupportedError('the identity provider did not issue a new client secret on update; nothing was changed');
  }
  try {
    await deps.secrets.put(secretName, JSON.stringify(rotated), deterministicToken('rotated', request.requestId ?? randomUUID()));
  } catch (error) {
    deps.logger.error('rotated credentials could not be stored; the stored secret may no longer work: rotate again', {
      clientId: record.client_id,
      secretName,
      error,
    });
    throw error;
  }
  if (!newSecret) {
    throw new NotSupportedError('the identity provider rotated only the registration access token (stored), not the client secret');
  }
  deps.logger.info('client secret rotated', { tenantId: request.tenantId, target: target.name, clientId: record.client_id });
  await emitOutcome(deps, 'ClientSecretRotated', { tenantId: request.tenantId, target: target.name, clientId: record.client_id, secretArn: stored.arn });
  return outcome;
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
  const metadata = { ...record.client_metadata, client_id: record.client_id, token_endpoint_auth_method: record.token_endpoint_auth_method };
  const updated = await withRetries(() => deps.idp.updateClient(target.config, record, metadata), deps.retry ?? DEFAULT_RETRY_POLICY, {
    retryIf: (error) => !error.ambiguous,
  });
  const rotated: RegisteredRecord = {
    ...record,
    client_secret: updated.client_secret ?? record.client_secret,
    registration_access_token: updated.registration_access_token ?? record.registration_access_token,
    registration_client_uri: updated.registration_client_uri ?? record.registration_client_uri,
    client_secret_expires_at: updated.client_secret_expires_at ?? record.client_secret_expires_at,
    client_metadata: updated.metadata,
    rotated_at: (deps.now?.() ?? new Date()).toISOString(),
  };
  return {
    rotated,
    newSecret: Boolean(updated.client_secret) && updated.client_secret !== record.client_secret,
    tokenRotated: rotated.registration_access_token !== record.registration_access_token,
  };
}
