import { TemporarilyUnavailableError } from './errors.js';
import type { RetryPolicy } from './options.js';

export interface RetryHooks {
  /** Narrows which retryable failures are retried (e.g. not an ambiguous non-idempotent call). */
  retryIf?: (error: TemporarilyUnavailableError) => boolean;
  onRetry?: (error: TemporarilyUnavailableError, attempt: number, delayMs: number) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation` again after retryable failures (TemporarilyUnavailableError: 429, 5xx, network)
 * with full-jitter exponential backoff, never sooner than a server's Retry-After, and gives up with
 * the last error when attempts or the time budget run out. Anything else is thrown at once.
 */
export async function withRetries<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const now = hooks.now ?? Date.now;
  const random = hooks.random ?? Math.random;
  const sleep = hooks.sleep ?? defaultSleep;
  const deadline = now() + policy.budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof TemporarilyUnavailableError) || attempt >= policy.maxAttempts) throw error;
      if (hooks.retryIf && !hooks.retryIf(error)) throw error;
      const backoff = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(Math.max(backoff, error.serverRetryAfterSeconds !== undefined ? error.serverRetryAfterSeconds * 1000 : 0));
      if (now() + delayMs >= deadline) throw error;
      hooks.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
