import type { JsonWebKey } from 'node:crypto';
import type { RegistrationCredential } from '../config/targetConfig.js';
import { ConfigurationError } from '../errors.js';
import type { SecretStore } from '../ports/SecretStore.js';
import { rememberSecret, rememberSecretsIn } from '../redaction.js';
import { checkCredentialValue, parseJsonObject } from './credentialValue.js';

export type ClientCredentialsCredential = Extract<RegistrationCredential, { type: 'clientCredentials' }>;
export type RegistrationTokenAuthMethod = NonNullable<ClientCredentialsCredential['authMethod']>;

/** The client that mints registration tokens, as its secret holds it, with the method it authenticates by. */
export type RegistrationClient =
  | { clientId: string; authMethod: 'client_secret_basic' | 'client_secret_post'; clientSecret: string }
  | { clientId: string; authMethod: 'private_key_jwt'; privateJwk: JsonWebKey };

/**
 * Reads `{ "client_id", "client_secret" }` or `{ "client_id", "private_key_jwk" }` from the secret. The
 * method is the configured `authMethod`, else `private_key_jwt` for a key and `client_secret_basic` for
 * a secret. Errors name the secret id and the missing member, never a value.
 */
export async function readRegistrationClient(secrets: SecretStore, credential: ClientCredentialsCredential): Promise<RegistrationClient> {
  const { secretId } = credential;
  const secret = await secrets.get(secretId);
  if (!secret) throw new ConfigurationError(`registration client secret ${secretId} does not exist or has no value`);
  rememberSecretsIn(secret.value, { pin: true });
  const value = parseJsonObject(secret.value);
  if (!value) throw new ConfigurationError(`registration client secret ${secretId} is not a JSON object`);
  const clientId = value.client_id;
  if (typeof clientId !== 'string' || !clientId) throw new ConfigurationError(`registration client secret ${secretId} has no client_id`);

  const jwk = privateJwkOf(value.private_key_jwk);
  const authMethod = credential.authMethod ?? (jwk ? 'private_key_jwt' : 'client_secret_basic');
  if (authMethod === 'private_key_jwt') {
    if (!jwk)
      throw new ConfigurationError(`registration client secret ${secretId} has no private_key_jwk (a private JWK) for private_key_jwt`);
    return { clientId, authMethod, privateJwk: jwk };
  }
  const clientSecret = value.client_secret;
  if (typeof clientSecret !== 'string' || !clientSecret) {
    throw new ConfigurationError(`registration client secret ${secretId} has no client_secret for ${authMethod}`);
  }
  rememberSecret(clientSecret, { pin: true });
  checkCredentialValue(clientSecret, 'the client_secret', secretId);
  return { clientId, authMethod, clientSecret };
}

/** A private JWK: an object (or its JSON text) with the private member `d`. */
function privateJwkOf(value: unknown): JsonWebKey | undefined {
  const jwk = typeof value === 'string' ? parseJsonObject(value) : value;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return undefined;
  return typeof (jwk as JsonWebKey).d === 'string' ? (jwk as JsonWebKey) : undefined;
}
