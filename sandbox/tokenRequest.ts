import type { TokenRequest } from '../functions/core/config/targetConfig.js';
import { clientCredentialsRequest } from '../functions/core/idp/clientCredentialsRequest.js';
import type { ClientCredentials } from '../functions/core/ports/IdentityProvider.js';

/**
 * Asks a token endpoint for a client_credentials token, authenticating as the stored record says and
 * adding the target's `tokenRequest` parameters, if any; the raw answer.
 */
export function clientCredentialsToken(tokenEndpoint: string, record: ClientCredentials, tokenRequest?: TokenRequest): Promise<Response> {
  return fetch(tokenEndpoint, { method: 'POST', ...clientCredentialsRequest(record, tokenRequest, { tokenEndpoint, now: new Date() }) });
}
