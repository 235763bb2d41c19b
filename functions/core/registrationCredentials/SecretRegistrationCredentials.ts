import type { RegistrationCredential } from '../config/targetConfig.js';
import {
  DEFAULT_IAT_CACHE_TTL_SECONDS,
  DEFAULT_IDP_TIMEOUT_MS,
  DEFAULT_RETRY_POLICY,
  MAX_UPSTREAM_BODY_BYTES,
  REGISTRATION_TOKEN_EXPIRY_SKEW_MS,
  type RetryPolicy,
} from '../options.js';
import type { RegistrationHeader } from '../ports/IdentityProvider.js';
import type { RegistrationCredentials } from '../ports/RegistrationCredentials.js';
import type { SecretStore } from '../ports/SecretStore.js';
import { rememberSecret } from '../redaction.js';
import { withRetries } from '../retry.js';
import { apiKeyHeader } from './apiKey.js';
import { initialAccessTokenHeader } from './initialAccessToken.js';
import { mintRegistrationToken } from './mintRegistrationToken.js';
import { type ClientCredentialsCredential, readRegistrationClient } from './registrationClient.js';

export interface SecretRegistrationCredentialsOptions {
  /** How long a credential read from a secret is reused (env IAT_CACHE_TTL_SECONDS). */
  cacheTtlMs?: number;
  /** A minted token is replaced this long before it expires (REGISTRATION_TOKEN_EXPIRY_SKEW_MS). */
  expirySkewMs?: number;
  /** Token endpoint requests: timeout, body cap and retries, as for any identity-provider call. */
  timeoutMs?: number;
  maxBodyBytes?: number;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  now?: () => number;
}

interface Cached {
  header: RegistrationHeader;
  reuseUntil: number;
  /** A minted token is not pinned in the redaction set: remember it again at each use. */
  minted?: string;
}

/**
 * Registration credentials from Secrets Manager, one strategy per `type`, cached per container:
 * secrets for `cacheTtlMs`, minted tokens until shortly before they expire. Concurrent first callers
 * share one read or mint; `refresh` (after a refusal) reads or mints anew.
 */
export class SecretRegistrationCredentials implements RegistrationCredentials {
  readonly #cache = new Map<string, Cached>();
  readonly #inflight = new Map<string, Promise<Cached>>();
  readonly #cacheTtlMs: number;
  readonly #expirySkewMs: number;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #retry: RetryPolicy;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;

  constructor(
    private readonly secrets: SecretStore,
    options: SecretRegistrationCredentialsOptions = {},
  ) {
    this.#cacheTtlMs = options.cacheTtlMs ?? DEFAULT_IAT_CACHE_TTL_SECONDS * 1000;
    this.#expirySkewMs = options.expirySkewMs ?? REGISTRATION_TOKEN_EXPIRY_SKEW_MS;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_IDP_TIMEOUT_MS;
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_UPSTREAM_BODY_BYTES;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? Date.now;
  }

  async authorization(credential: RegistrationCredential, options: { refresh?: boolean } = {}): Promise<RegistrationHeader | null> {
    if (credential.type === 'none') return null;
    const key = JSON.stringify(credential);
    const cached = this.#cache.get(key);
    if (cached && !options.refresh && cached.reuseUntil > this.#now()) {
      if (cached.minted) rememberSecret(cached.minted);
      return cached.header;
    }
    const pending = this.#inflight.get(key);
    if (pending && !options.refresh) return (await pending).header;
    const read = this.#obtain(credential).finally(() => {
      if (this.#inflight.get(key) === read) this.#inflight.delete(key);
    });
    this.#inflight.set(key, read);
    const obtained = await read;
    this.#cache.set(key, obtained);
    return obtained.header;
  }

  async #obtain(credential: Exclude<RegistrationCredential, { type: 'none' }>): Promise<Cached> {
    const readUntil = () => this.#now() + this.#cacheTtlMs;
    switch (credential.type) {
      case 'initialAccessToken':
        return { header: await initialAccessTokenHeader(this.secrets, credential.secretId), reuseUntil: readUntil() };
      case 'apiKey':
        return { header: await apiKeyHeader(this.secrets, credential), reuseUntil: readUntil() };
      case 'clientCredentials':
        return this.#mint(credential);
    }
  }

  async #mint(credential: ClientCredentialsCredential): Promise<Cached> {
    const client = await readRegistrationClient(this.secrets, credential);
    const mintedAt = this.#now();
    const minted = await withRetries(
      () =>
        mintRegistrationToken(credential, client, {
          fetch: this.#fetch,
          timeoutMs: this.#timeoutMs,
          maxBodyBytes: this.#maxBodyBytes,
          now: this.#now,
        }),
      this.#retry,
    );
    return {
      header: { name: 'Authorization', value: `Bearer ${minted.token}` },
      reuseUntil: mintedAt + this.#reuseFor(minted.expiresInSeconds),
      minted: minted.token,
    };
  }

  /** Until `skew` before expiry; half the lifetime when that is shorter than twice the skew. */
  #reuseFor(expiresInSeconds: number | undefined): number {
    if (expiresInSeconds === undefined) return this.#cacheTtlMs;
    const lifetime = expiresInSeconds * 1000;
    return lifetime > 2 * this.#expirySkewMs ? lifetime - this.#expirySkewMs : lifetime / 2;
  }
}
