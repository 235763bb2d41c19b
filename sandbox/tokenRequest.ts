import { clientCredentialsRequest } from '../functions/core/idp/clientCredentialsRequest.js';
import type { ClientCredentials } from '../functions/core/ports/IdentityProvider.js';

/** Asks a token endpoint for a client_credentials token, authenticating as the stored record says; the raw answer. */
export function clientCredentialsToken(tokenEndpoint: string, record: ClientCredentials): Promise<Response> {
  return fetch(tokenEndpoint, { method: 'POST', ...clientCredentialsRequest(record) });
}
