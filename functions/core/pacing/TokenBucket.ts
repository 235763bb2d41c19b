export interface TokenBucketOptions {
  /** Steady rate; undefined: unpaced until the provider throttles (then the observed rate, halved). */
  ratePerSecond?: number;
  /** Tokens that may accumulate while idle (the largest burst). Default 1: no bursts beyond the rate. */
  capacity?: number;
  /** Milliseconds; injectable so tests run on a fake clock. Default Date.now. */
  now?: () => number;
  /** Never paced slower than this after throttles. Default 0.05/s (one call per 20 s). */
  minRatePerSecond?: number;
  /** Pause after a throttle that named no Retry-After. Default 1,000 ms. */
  defaultPauseMs?: number;
}

export type Reservation = { granted: true; waitMs: number } | { granted: false; retryInMs: number };

/**
 * A token bucket that hands out reservations: a caller learns how long to wait for its token (the
 * bucket goes into debt, so concurrent callers queue one interval apart) or, past `maxWaitMs`, is told
 * when to come back without taking one. A throttle pauses the bucket until the provider's Retry-After,
 * drops queued debt (waiters reserve again: one goes when the pause ends) and halves the rate; each success then
 * adds 5 % back up to the configured rate (AIMD, as TCP does).
 */
export class TokenBucket {
  readonly #ceiling: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #minRate: number;
  readonly #defaultPauseMs: number;
  #rate: number;
  #tokens: number;
  /** Tokens are counted as of this instant; in the future while paused. */
  #updatedAt: number;
  #pausedUntil = 0;
  readonly #recentGrants: number[] = [];

  constructor(options: TokenBucketOptions = {}) {
    const rate = options.ratePerSecond;
    if (rate !== undefined && !(rate > 0 && Number.isFinite(rate)))
      throw new RangeError(`ratePerSecond must be a positive number, not ${rate}`);
    this.#ceiling = rate ?? Number.POSITIVE_INFINITY;
    this.#rate = this.#ceiling;
    this.#capacity = Math.max(1, options.capacity ?? 1);
    this.#now = options.now ?? Date.now;
    this.#minRate = options.minRatePerSecond ?? 0.05;
    this.#defaultPauseMs = options.defaultPauseMs ?? 1_000;
    this.#tokens = this.#capacity;
    this.#updatedAt = this.#now();
  }

  /** The current rate (calls per second); Infinity while unpaced. */
  get ratePerSecond(): number {
    return this.#rate;
  }

  /** True while a throttle's pause lasts: a caller that waited through it should reserve again. */
  get paused(): boolean {
    return this.#now() < this.#pausedUntil;
  }

  reserve(maxWaitMs = Number.POSITIVE_INFINITY): Reservation {
    const now = this.#now();
    this.#refill(now);
    const untilCounted = Math.max(0, this.#updatedAt - now);
    const deficit = 1 - this.#tokens;
    const waitMs = Math.ceil(untilCounted + (deficit > 0 && Number.isFinite(this.#rate) ? (deficit / this.#rate) * 1000 : 0));
    if (waitMs > maxWaitMs) return { granted: false, retryInMs: waitMs };
    if (Number.isFinite(this.#rate)) this.#tokens -= 1;
    this.#noteGrant(now + waitMs);
    return { granted: true, waitMs };
  }

  /** The provider answered 429 (or 503 with Retry-After): pause, forget the queue, halve the rate. */
  throttled(retryAfterMs?: number): void {
    const now = this.#now();
    // Calls in flight all see the same 429: halve once per pause, not once per answer.
    if (now >= this.#pausedUntil) {
      const base = Number.isFinite(this.#rate) ? this.#rate : this.#observedRate(now);
      this.#rate = Math.max(this.#minRate, base / 2);
    }
    this.#pausedUntil = Math.max(this.#pausedUntil, now + (retryAfterMs ?? this.#defaultPauseMs));
    // The provider named the moment calls may resume: one may go then, the rest follow at the new rate.
    this.#tokens = 1;
    this.#updatedAt = Math.max(this.#updatedAt, this.#pausedUntil);
  }

  /** A paced call went through: win back 5 % of the rate, up to the configured one. */
  succeeded(): void {
    if (this.#rate >= this.#ceiling) return;
    this.#refill(this.#now());
    this.#rate = Math.min(this.#ceiling, this.#rate * 1.05);
  }

  #refill(now: number): void {
    if (!Number.isFinite(this.#rate)) {
      this.#tokens = this.#capacity;
      this.#updatedAt = Math.max(this.#updatedAt, now);
      return;
    }
    if (now <= this.#updatedAt) return;
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#rate);
    this.#updatedAt = now;
  }

  #noteGrant(at: number): void {
    this.#recentGrants.push(at);
    if (this.#recentGrants.length > 64) this.#recentGrants.shift();
  }

  /** Grants in the last second: what an unpaced bucket was doing when the provider pushed back. */
  #observedRate(now: number): number {
    return Math.max(1, this.#recentGrants.filter((at) => at > now - 1000 && at <= now).length);
  }
}
