import type { ClientMetadata, EndpointTarget } from '../config/targetConfig.js';
import type {
  ClientCredentials,
  CredentialsProof,
  IdentityProvider,
  ManagedClient,
  ProofOptions,
  RegistrationAuthorization,
} from '../ports/IdentityProvider.js';
import { throttleSignal } from './throttleSignal.js';
import type { TokenBucket } from './TokenBucket.js';

export interface PacedIdentityProviderOptions {
  /** The caller already holds a token for the first mutation (the lane reserves one before the use case). */
  holdsFirstToken?: boolean;
  /** Longest wait for a later token (a retry, a delete after an unusable answer). Default 10 s. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Paces the calls that count against a provider's registration quota (register, RFC 7592 update and
 * delete) through one token bucket, and tells the bucket when the provider throttles. Token requests
 * (proofs) pass through unpaced: they hit another endpoint with its own limits.
 */
export class PacedIdentityProvider implements IdentityProvider {
  readonly #inner: IdentityProvider;
  readonly #bucket: TokenBucket;
  readonly #maxWaitMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  #heldToken: boolean;

  constructor(inner: IdentityProvider, bucket: TokenBucket, options: PacedIdentityProviderOptions = {}) {
    this.#inner = inner;
    this.#bucket = bucket;
    this.#heldToken = options.holdsFirstToken ?? false;
    this.#maxWaitMs = options.maxWaitMs ?? 10_000;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  register(target: EndpointTarget, metadata: ClientMetadata, authorization: RegistrationAuthorization) {
    return this.#paced(() => this.#inner.register(target, metadata, authorization));
  }

  updateClient(target: EndpointTarget, client: ManagedClient, metadata: Record<string, unknown>) {
    return this.#paced(() => this.#inner.updateClient(target, client, metadata));
  }

  deleteClient(target: EndpointTarget, client: ManagedClient) {
    return this.#paced(() => this.#inner.deleteClient(target, client));
  }

  readClient(target: EndpointTarget, client: ManagedClient) {
    return this.#paced(() => this.#inner.readClient(target, client));
  }

  proveClientCredentials(tokenEndpoint: string, credentials: ClientCredentials, options?: ProofOptions): Promise<CredentialsProof> {
    return this.#inner.proveClientCredentials(tokenEndpoint, credentials, options);
  }

  async #paced<T>(call: () => Promise<T>): Promise<T> {
    if (this.#heldToken) this.#heldToken = false;
    else await takeToken(this.#bucket, this.#maxWaitMs, this.#sleep);
    try {
      const result = await call();
      this.#bucket.succeeded();
      return result;
    } catch (error) {
      const throttle = throttleSignal(error);
      if (throttle) this.#bucket.throttled(throttle.pauseMs);
      throw error;
    }
  }
}

/**
 * Waits for a token; reserves again when a throttle paused the bucket meanwhile (its queue was
 * dropped). Resolves `{ granted: false, retryInMs }` when the token would come after `maxWaitMs`:
 * nothing was taken. (A paced provider call then goes ahead anyway: the provider's own 429 is the
 * limit, and the caller's retry policy or the lane's visibility takes over.)
 */
export async function takeToken(
  bucket: TokenBucket,
  maxWaitMs: number,
  sleep: (ms: number) => Promise<void>,
  now: () => number = Date.now,
): Promise<{ granted: true } | { granted: false; retryInMs: number }> {
  const deadline = now() + maxWaitMs;
  for (let round = 0; round < 5; round++) {
    const reservation = bucket.reserve(Math.max(0, deadline - now()));
    if (!reservation.granted) return reservation;
    if (reservation.waitMs > 0) await sleep(reservation.waitMs);
    if (!bucket.paused) break;
  }
  return { granted: true };
}
