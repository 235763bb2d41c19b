import { TokenBucket } from './TokenBucket.js';

export interface PacerRegistryOptions {
  /** How many instances share a provider's rate (the lane's maximum concurrency). Default 1. */
  shares?: number;
  now?: () => number;
}

/**
 * One token bucket per provider (keyed by its registration endpoint), kept for the life of the
 * container so that pacing and throttle memory span invocations. Each instance takes its share of the
 * configured rate: `registrationsPerSecond / shares`.
 */
export class PacerRegistry {
  readonly #buckets = new Map<string, { configured: number | undefined; bucket: TokenBucket }>();
  readonly #shares: number;
  readonly #now?: () => number;

  constructor(options: PacerRegistryOptions = {}) {
    this.#shares = Math.max(1, options.shares ?? 1);
    this.#now = options.now;
  }

  /** The bucket for a provider; a changed configured rate (a config reload) starts a new one. */
  for(key: string, registrationsPerSecond: number | undefined): TokenBucket {
    const known = this.#buckets.get(key);
    if (known && known.configured === registrationsPerSecond) return known.bucket;
    const bucket = new TokenBucket({
      ratePerSecond: registrationsPerSecond === undefined ? undefined : registrationsPerSecond / this.#shares,
      now: this.#now,
    });
    this.#buckets.set(key, { configured: registrationsPerSecond, bucket });
    return bucket;
  }
}
