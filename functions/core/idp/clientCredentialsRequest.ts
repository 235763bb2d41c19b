import { NotSupportedError } from '../errors.js';
import type { ClientCredentials } from '../ports/IdentityProvider.js';

/**
 * The headers and form body of a client_credentials token request, authenticated as the client was
 * registered: `client_secret_basic` (RFC 6749 §2.3.1: both parts form-urlencoded before base64) or
 * `client_secret_post`.
 */
export function clientCredentialsRequest(credentials: ClientCredentials): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const secret = credentials.client_secret ?? '';
  if (credentials.token_endpoint_auth_method === 'client_secret_basic') {
    const pair = `${encodeURIComponent(credentials.client_id)}:${encodeURIComponent(secret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else if (credentials.token_endpoint_auth_method === 'client_secret_post') {
    form.set('client_id', credentials.client_id);
    form.set('client_secret', secret);
  } else {
    throw new NotSupportedError(`token proof with ${credentials.token_endpoint_auth_method} is not supported`);
  }
  return { headers, body: form.toString() };
}
