import { describe, expect, it } from 'vitest';
import { TemporarilyUnavailableError, UpstreamError } from '../../functions/core/errors.js';
import { withRetries } from '../../functions/core/retry.js';

function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    hooks: {
      now: () => now,
      random: () => 1,
      sleep: async (ms: number) => {
        waits.push(ms);
        now += ms;
      },
    },
  };
}
const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 10_000 };

describe('withRetries', () => {
  it('retries retryable failures with exponential backoff and returns the first success', async () => {
    // Prepare
    const clock = fakeClock();
    let calls = 0;

    // Act
    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new TemporarilyUnavailableError('503');
        return 'ok';
      },
      policy,
      clock.hooks,
    );

    // Assess
    expect(result).toBe('ok');
    expect(clock.waits).toEqual([100, 200]);
  });

  it("never waits less than the server's Retry-After", async () => {
    const clock = fakeClock();
    let calls = 0;
    await withRetries(
      async () => {
        if (++calls === 1) throw new TemporarilyUnavailableError('429', undefined, { serverRetryAfterSeconds: 3 });
        return 'ok';
      },
      policy,
      clock.hooks,
    );
    expect(clock.waits).toEqual([3_000]);
  });

  it('throws terminal failures at once', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new UpstreamError('401');
        },
        policy,
        clock.hooks,
      ),
    ).rejects.toThrow(UpstreamError);
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts, with the last error', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          throw new TemporarilyUnavailableError(`503 #${++calls}`);
        },
        policy,
        clock.hooks,
      ),
    ).rejects.toThrow('503 #4');
    expect(clock.waits).toEqual([100, 200, 400]);
  });

  it('gives up rather than wait past the budget', async () => {
    const clock = fakeClock();
    let calls = 0;
    const error = new TemporarilyUnavailableError('429', undefined, { serverRetryAfterSeconds: 60 });
    await expect(
      withRetries(
        async () => {
          calls++;
          throw error;
        },
        policy,
        clock.hooks,
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
    expect(clock.waits).toEqual([]);
  });
});
