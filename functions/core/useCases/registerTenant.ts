import { secretNameFor } from '../config/serviceConfig.js';
import type { TargetConfig, ClientMetadata } from '../config/targetConfig.js';
import { InitialAccessTokenRejectedError } from '../errors.js';
import type { ClientRegistration } from '../ports/IdentityProvider.js';
import { buildRegisteredRecord } from '../secretRecord.js';
import { claimSecret, releaseClaim } from './claim.js';
import type { UseCaseDependencies } from './dependencies.js';
import type { RegistrationOutcome, RegistrationRequest } from './registrationRequest.js';
import { requireTarget } from './targets.js';

/**
 * The one use case: claim the tenant's secret name, register a client at the configured identity
 * provider, store the issued credentials. A replay for a registered tenant answers "exists" without
 * calling the provider.
 */
export async function registerTenant(request: RegistrationRequest, deps: UseCaseDependencies): Promise<RegistrationOutcome> {
  const target = requireTarget(deps.config, request.target);
  const secretName = secretNameFor(deps.config, target.name, request.tenantId);
  const base = { tenantId: request.tenantId, target: target.name, secretName };

  const claim = await claimSecret(secretName, request.tenantId, target, deps);
  if (claim.kind === 'exists') {
    return { ...base, clientId: claim.record.client_id, secretArn: claim.arn, status: 'exists' };
  }

  const metadata: ClientMetadata = { ...target.config.clientMetadata, ...request.client };
  let registration: ClientRegistration;
  try {
    registration = await registerWithTokenRefresh(target.config, metadata, deps);
  } catch (error) {
    await releaseClaim(secretName, deps);
    throw error;
  }

  const record = buildRegisteredRecord(request.tenantId, target, registration, deps.now?.() ?? new Date());
  try {
    await deps.secrets.put(secretName, JSON.stringify(record));
  } catch (error) {
    await deleteUnstoredClient(target.config, registration, deps);
    await releaseClaim(secretName, deps);
    throw error;
  }
  deps.logger.info('client registered', { ...base, clientId: registration.client_id });
  return { ...base, clientId: registration.client_id, secretArn: claim.arn, status: 'registered' };
}

/** Seed 004: a regenerated initial access token invalidates the cached one; re-read it once on a 401. */
async function registerWithTokenRefresh(
  target: TargetConfig,
  metadata: ClientMetadata,
  deps: UseCaseDependencies,
): Promise<ClientRegistration> {
  const token = await deps.tokens.get(target.initialAccessTokenSecretId);
  try {
    return await deps.idp.register(target, metadata, token);
  } catch (error) {
    if (!(error instanceof InitialAccessTokenRejectedError)) throw error;
    const fresh = await deps.tokens.get(target.initialAccessTokenSecretId, { refresh: true });
    if (fresh === token) throw error;
    deps.logger.info('initial access token was refused; retrying once with the re-read token');
    return deps.idp.register(target, metadata, fresh);
  }
}

/** A client whose credentials could not be stored is useless: remove it, or leave a trace to find it. */
async function deleteUnstoredClient(target: TargetConfig, registration: ClientRegistration, deps: UseCaseDependencies) {
  try {
    await deps.idp.deleteClient(target, registration);
    deps.logger.warn('deleted a client whose credentials could not be stored', { clientId: registration.client_id });
  } catch (error) {
    deps.logger.error('orphaned client: registered but neither stored nor deleted', {
      clientId: registration.client_id,
      orphanedClient: 1,
      error,
    });
  }
}
