import type { RegistrationCredential } from '../config/targetConfig.js';
import { ConfigurationError } from '../errors.js';
import type { RegistrationHeader } from '../ports/IdentityProvider.js';
import type { SecretStore } from '../ports/SecretStore.js';
import { rememberSecret } from '../redaction.js';
import { checkCredentialValue, parseJsonObject } from './credentialValue.js';

type ApiKeyCredential = Extract<RegistrationCredential, { type: 'apiKey' }>;

/**
 * An API key in the configured header: `${scheme} ${key}` (Okta: `Authorization: SSWS <key>`), or the
 * bare key when the scheme is "". The secret holds the raw key or JSON `{"apiKey": "..."}`.
 */
export async function apiKeyHeader(secrets: SecretStore, credential: ApiKeyCredential): Promise<RegistrationHeader> {
  const { secretId } = credential;
  const secret = await secrets.get(secretId);
  if (!secret) throw new ConfigurationError(`API key secret ${secretId} does not exist or has no value`);
  const key = parseApiKey(secret.value);
  if (!key) throw new ConfigurationError(`API key secret ${secretId} holds no key`);
  rememberSecret(key, { pin: true });
  checkCredentialValue(key, 'the API key', secretId);
  const scheme = credential.scheme ?? 'SSWS';
  return { name: credential.header ?? 'Authorization', value: scheme ? `${scheme} ${key}` : key };
}

function parseApiKey(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return trimmed || undefined;
  const key = parseJsonObject(trimmed)?.apiKey;
  return typeof key === 'string' && key.trim() ? key.trim() : undefined;
}
