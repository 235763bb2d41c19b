import { ConfigurationError } from './errors.js';
import { MAX_CREDENTIAL_LENGTH } from './options.js';
import { rememberSecret } from './redaction.js';
import type { SecretStore } from './ports/SecretStore.js';

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Reads initial access tokens from Secrets Manager and caches them per container. An admin can
 * regenerate the token (seed 004), which invalidates the old one at once: callers re-read with
 * `{ refresh: true }` after a 401.
 */
export class InitialAccessTokens {
  readonly #cache = new Map<string, CachedToken>();
  // Concurrent first reads in a container share one GetSecretValue.
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly secrets: SecretStore,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(secretId: string, options: { refresh?: boolean } = {}): Promise<string> {
    const cached = this.#cache.get(secretId);
    if (cached && !options.refresh && cached.expiresAt > this.now()) return cached.token;
    const pending = this.#inflight.get(secretId);
    if (pending && !options.refresh) return pending;
    const read = this.#read(secretId).finally(() => this.#inflight.delete(secretId));
    this.#inflight.set(secretId, read);
    return read;
  }

  async #read(secretId: string): Promise<string> {
    const secret = await this.secrets.get(secretId);
    if (!secret) throw new ConfigurationError(`initial access token secret ${secretId} does not exist or has no value`);
    const token = parseInitialAccessToken(secret.value);
    if (!token) throw new ConfigurationError(`initial access token secret ${secretId} holds no token`);
    rememberSecret(token, { pin: true });
    checkInitialAccessToken(token, secretId);
    this.#cache.set(secretId, { token, expiresAt: this.now() + this.ttlMs });
    return token;
  }
}

// Visible ASCII only: a control character (a line break) or a space cannot go into an Authorization
// header, and the HTTP client's error for it would print the header value, token included.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** Refuses a token no header can carry, naming the secret and never the value. */
export function checkInitialAccessToken(token: string, secretId: string): void {
  if (token.length > MAX_CREDENTIAL_LENGTH) {
    throw new ConfigurationError(`initial access token secret ${secretId} holds a token longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  }
  if (!HEADER_SAFE.test(token)) {
    throw new ConfigurationError(
      `initial access token secret ${secretId} holds a token with control characters, spaces or non-ASCII characters`,
    );
  }
}

/** The SecretString is either the raw token or JSON `{"initialAccessToken": "..."}`. */
export function parseInitialAccessToken(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { initialAccessToken?: unknown };
      return typeof parsed.initialAccessToken === 'string' && parsed.initialAccessToken.trim()
        ? parsed.initialAccessToken.trim()
        : undefined;
    } catch {
      return undefined;
    }
  }
  return trimmed || undefined;
}
