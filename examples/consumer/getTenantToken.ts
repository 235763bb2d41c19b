import * as oauth from 'openid-client';
import { readTenantCredentials, type TenantCredentials } from './tenantCredentials.js';

export interface TenantTokenOptions {
  /** Token request parameters (`scope`, `audience`, `resource`, …) as the provider wants them. */
  parameters?: Record<string, string>;
  /** Only for a provider on loopback http:// in tests; never in production. */
  allowInsecureRequests?: boolean;
}

/**
 * An access token for a tenant by the client credentials grant, from the tenant secret alone: its
 * `issuer`, `token_endpoint`, `token_endpoint_auth_method` and credentials. A refused client
 * (`invalid_client`) is retried once with the secret fetched again, which covers a rotation since the
 * cached read.
 */
export async function getTenantToken(secretName: string, options: TenantTokenOptions = {}): Promise<oauth.TokenEndpointResponse> {
  try {
    return await requestToken(await readTenantCredentials(secretName), options);
  } catch (error) {
    if (!isInvalidClient(error)) throw error;
    return requestToken(await readTenantCredentials(secretName, { forceFetch: true }), options);
  }
}

/** RFC 6749 §5.2: `invalid_client` in the body, or a 401 with a WWW-Authenticate challenge (HTTP Basic). */
function isInvalidClient(error: unknown): boolean {
  if (error instanceof oauth.ResponseBodyError) return error.error === 'invalid_client';
  return error instanceof oauth.WWWAuthenticateChallengeError && error.status === 401;
}

async function requestToken(credentials: TenantCredentials, options: TenantTokenOptions): Promise<oauth.TokenEndpointResponse> {
  const server = { issuer: credentials.issuer, token_endpoint: credentials.token_endpoint };
  const config = new oauth.Configuration(server, credentials.client_id, undefined, await clientAuthentication(credentials));
  if (options.allowInsecureRequests) oauth.allowInsecureRequests(config);
  return oauth.clientCredentialsGrant(config, options.parameters);
}

async function clientAuthentication(credentials: TenantCredentials): Promise<oauth.ClientAuth> {
  switch (credentials.token_endpoint_auth_method) {
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(required(credentials.client_secret, 'client_secret'));
    case 'client_secret_post':
      return oauth.ClientSecretPost(required(credentials.client_secret, 'client_secret'));
    case 'private_key_jwt': {
      const jwk = required(credentials.private_key_jwk, 'private_key_jwk');
      const key = await crypto.subtle.importKey('jwk', jwk, importParameters(jwk), false, ['sign']);
      return oauth.PrivateKeyJwt({ key, kid: jwk.kid });
    }
    case 'none':
      return oauth.None();
    default:
      throw new Error(`token_endpoint_auth_method ${credentials.token_endpoint_auth_method} is not supported by this example`);
  }
}

/** WebCrypto import parameters for the algorithms the service generates keys for. */
function importParameters(jwk: JsonWebKey & { alg?: string }): AlgorithmIdentifier | EcKeyImportParams | RsaHashedImportParams {
  switch (jwk.alg) {
    case 'ES256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ES384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'RS256':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    case 'PS256':
      return { name: 'RSA-PSS', hash: 'SHA-256' };
    case 'EdDSA':
      return { name: 'Ed25519' };
    default:
      throw new Error(`private_key_jwk alg ${jwk.alg} is not supported by this example`);
  }
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`the tenant secret lacks ${field}`);
  return value;
}
