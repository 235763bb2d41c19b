import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

/**
 * The part of the tenant secret a consumer uses (docs/secret-contract.md, schema_version 1). Other
 * fields may appear at any time: they are ignored, never refused.
 */
export interface TenantCredentials {
  schema_version: number;
  dcr_status: string;
  tenant_id: string;
  issuer: string;
  token_endpoint: string;
  token_endpoint_auth_method: string;
  client_id: string;
  client_secret?: string;
  client_secret_expires_at?: number;
  private_key_jwk?: JsonWebKey & { kid?: string; alg?: string };
}

/** The highest contract version this reader understands. */
export const KNOWN_SCHEMA_VERSION = 1;

/**
 * Reads the tenant secret through Powertools Parameters: cached for `maxAgeSeconds` across
 * invocations of a warm container, fetched again when `forceFetch` is set (after the provider refused
 * the cached credentials: the secret may have been rotated since).
 */
export async function readTenantCredentials(
  secretName: string,
  options: { maxAgeSeconds?: number; forceFetch?: boolean } = {},
): Promise<TenantCredentials> {
  const value = await getSecret<Partial<TenantCredentials>>(secretName, {
    transform: 'json',
    maxAge: options.maxAgeSeconds ?? 300,
    forceFetch: options.forceFetch ?? false,
  });
  return checked(secretName, value);
}

function checked(secretName: string, value: Partial<TenantCredentials> | undefined): TenantCredentials {
  if (!value || typeof value !== 'object') throw new Error(`${secretName} holds no JSON object`);
  if (value.dcr_status !== 'registered') throw new Error(`${secretName} holds no credentials (status ${value.dcr_status})`);
  if (typeof value.schema_version !== 'number' || value.schema_version > KNOWN_SCHEMA_VERSION) {
    throw new Error(`${secretName} has schema_version ${value.schema_version}; this reader knows ${KNOWN_SCHEMA_VERSION}`);
  }
  for (const field of ['issuer', 'token_endpoint', 'token_endpoint_auth_method', 'client_id'] as const) {
    if (typeof value[field] !== 'string') throw new Error(`${secretName} lacks ${field}`);
  }
  return value as TenantCredentials;
}
