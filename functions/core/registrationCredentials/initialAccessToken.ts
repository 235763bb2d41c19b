import { ConfigurationError } from '../errors.js';
import type { RegistrationHeader } from '../ports/IdentityProvider.js';
import type { SecretStore } from '../ports/SecretStore.js';
import { rememberSecret } from '../redaction.js';
import { checkCredentialValue, parseJsonObject } from './credentialValue.js';

/**
 * `Authorization: Bearer <initial access token>` (RFC 7591 §3), the token read from its secret. An
 * admin can regenerate the token (seed 004), which invalidates the old one at once: the caller
 * re-reads after a refusal.
 */
export async function initialAccessTokenHeader(secrets: SecretStore, secretId: string): Promise<RegistrationHeader> {
  const secret = await secrets.get(secretId);
  if (!secret) throw new ConfigurationError(`initial access token secret ${secretId} does not exist or has no value`);
  const token = parseInitialAccessToken(secret.value);
  if (!token) throw new ConfigurationError(`initial access token secret ${secretId} holds no token`);
  rememberSecret(token, { pin: true });
  checkCredentialValue(token, 'the initial access token', secretId);
  return { name: 'Authorization', value: `Bearer ${token}` };
}

/** The SecretString is either the raw token or JSON `{"initialAccessToken": "..."}`. */
export function parseInitialAccessToken(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return trimmed || undefined;
  const token = parseJsonObject(trimmed)?.initialAccessToken;
  return typeof token === 'string' && token.trim() ? token.trim() : undefined;
}
