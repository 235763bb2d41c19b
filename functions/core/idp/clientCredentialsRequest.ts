import { type TokenRequest, isReservedTokenParam } from '../config/targetConfig.js';
import { ConfigurationError, NotSupportedError } from '../errors.js';
import type { ClientCredentials } from '../ports/IdentityProvider.js';
import { JWT_BEARER_ASSERTION_TYPE, signClientAssertion } from './clientAssertion.js';

/** Where a client assertion goes and when it is signed: its audience is the token endpoint (RFC 7523 §3). */
export interface AssertionContext {
  tokenEndpoint: string;
  now: Date;
}

/**
 * The headers and form body of a client_credentials token request, authenticated as the client was
 * registered: `client_secret_basic` (RFC 6749 §2.3.1: both parts form-urlencoded before base64),
 * `client_secret_post`, or `private_key_jwt` (RFC 7523 §2.2: a fresh assertion signed with the stored
 * private key, for the token endpoint of `assertion`). The target's `tokenRequest` adds `scope`, `audience`, `resource` (RFC 8707,
 * repeated for several) and its `extraParams`; none of them can replace the grant or the client's
 * authentication.
 */
export function clientCredentialsRequest(
  credentials: ClientCredentials,
  tokenRequest: TokenRequest = {},
  assertion?: AssertionContext,
): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (tokenRequest.scope !== undefined) form.set('scope', tokenRequest.scope);
  if (tokenRequest.audience !== undefined) form.set('audience', tokenRequest.audience);
  for (const resource of [tokenRequest.resource ?? []].flat()) form.append('resource', resource);
  for (const [name, value] of Object.entries(tokenRequest.extraParams ?? {})) {
    // The schema refuses these already; a configuration that slipped past it must not override the grant.
    if (isReservedTokenParam(name)) throw new ConfigurationError(`tokenRequest.extraParams may not set "${name.slice(0, 64)}"`);
    form.append(name, value);
  }

  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const secret = credentials.client_secret ?? '';
  if (credentials.token_endpoint_auth_method === 'client_secret_basic') {
    const pair = `${encodeURIComponent(credentials.client_id)}:${encodeURIComponent(secret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else if (credentials.token_endpoint_auth_method === 'client_secret_post') {
    form.set('client_id', credentials.client_id);
    form.set('client_secret', secret);
  } else if (credentials.token_endpoint_auth_method === 'private_key_jwt') {
    if (!credentials.private_key_jwk) throw new ConfigurationError('a private_key_jwt client needs its private_key_jwk to request a token');
    if (!assertion) throw new ConfigurationError('a private_key_jwt token request needs the token endpoint and the time');
    form.set('client_id', credentials.client_id);
    form.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
    form.set(
      'client_assertion',
      signClientAssertion({
        clientId: credentials.client_id,
        audience: assertion.tokenEndpoint,
        privateJwk: credentials.private_key_jwk,
        now: assertion.now,
      }),
    );
  } else {
    throw new NotSupportedError(`token proof with ${credentials.token_endpoint_auth_method} is not supported`);
  }
  return { headers, body: form.toString() };
}
