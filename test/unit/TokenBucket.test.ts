import { describe, expect, it } from 'vitest';
import { TemporarilyUnavailableError, UpstreamError } from '../../functions/core/errors.js';
import { PacedIdentityProvider, takeToken } from '../../functions/core/pacing/PacedIdentityProvider.js';
import { PacerRegistry } from '../../functions/core/pacing/PacerRegistry.js';
import { throttleSignal } from '../../functions/core/pacing/throttleSignal.js';
import { TokenBucket } from '../../functions/core/pacing/TokenBucket.js';
import { classifyUpstreamFailure } from '../../functions/core/idp/upstreamResponse.js';
import type { IdentityProvider } from '../../functions/core/ports/IdentityProvider.js';

/** A clock that only moves when told; `sleep` moves it. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    sleep: async (ms: number) => void (now += ms),
  };
}

/** Grants of `calls` back-to-back reservations, as offsets from the first (ms). */
function schedule(bucket: TokenBucket, calls: number): number[] {
  return Array.from({ length: calls }, () => {
    const reservation = bucket.reserve();
    if (!reservation.granted) throw new Error('not granted');
    return reservation.waitMs;
  });
}

describe('TokenBucket', () => {
  it('hands concurrent callers slots one interval apart at the configured rate, with a burst of one', () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 5, now: clock.now });

    // Act
    const waits = schedule(bucket, 6);

    // Assess
    expect(waits).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  it('refills while idle, but never beyond its capacity', () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 2, capacity: 3, now: clock.now });
    schedule(bucket, 3);

    // Act
    clock.advance(60_000);
    const waits = schedule(bucket, 5);

    // Assess
    expect(waits).toEqual([0, 0, 0, 500, 1000]);
  });

  it('past maxWaitMs says when to come back and takes no token', () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, now: clock.now });
    schedule(bucket, 3); // slots at 0, 1 s, 2 s

    // Act
    const refused = bucket.reserve(2_500);
    const again = bucket.reserve(3_000);

    // Assess
    expect(refused).toEqual({ granted: false, retryInMs: 3_000 });
    expect(again).toEqual({ granted: true, waitMs: 3_000 });
  });

  it('on a throttle pauses for the Retry-After, drops the queue and halves the rate once per pause', () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 4, now: clock.now });
    schedule(bucket, 10); // 2.25 s of queue

    // Act: three answers in flight all say 429, Retry-After 3
    bucket.throttled(3_000);
    bucket.throttled(3_000);
    bucket.throttled(3_000);
    const waits = schedule(bucket, 3);

    // Assess
    expect(bucket.ratePerSecond).toBe(2);
    expect(bucket.paused).toBe(true);
    expect(waits).toEqual([3_000, 3_500, 4_000]);
  });

  it('wins the rate back by 5 % per success, never above the configured rate', () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, now: clock.now });
    bucket.throttled(1_000);
    clock.advance(1_000);

    // Act
    const rates = [];
    for (let i = 0; i < 20; i++) {
      bucket.succeeded();
      rates.push(bucket.ratePerSecond);
    }

    // Assess
    expect(rates[0]).toBeCloseTo(5.25);
    expect(rates.at(-1)).toBe(10);
    expect(Math.max(...rates)).toBe(10);
  });

  it('without a configured rate is unpaced until a throttle, then paces at half the rate it observed', () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ now: clock.now });
    for (let i = 0; i < 8; i++) {
      expect(bucket.reserve()).toEqual({ granted: true, waitMs: 0 });
      clock.advance(100);
    }

    // Act: 8 grants in the last 800 ms, then a 429 without Retry-After
    bucket.throttled();
    const waits = schedule(bucket, 3);

    // Assess
    expect(bucket.ratePerSecond).toBe(4);
    expect(waits).toEqual([1_000, 1_250, 1_500]);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: Number.NaN })).toThrow(RangeError);
  });
});

describe('takeToken', () => {
  it('reserves again after a throttle paused the bucket while it waited', async () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, now: clock.now });
    schedule(bucket, 1);
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      if (sleeps.length === 1) bucket.throttled(5_000); // a 429 arrives for another caller meanwhile
      clock.advance(ms);
    };

    // Act
    const token = await takeToken(bucket, 60_000, sleep, clock.now);

    // Assess: its first slot (1 s) was dropped; it waits out the pause, then its new slot
    expect(token).toEqual({ granted: true });
    expect(sleeps).toEqual([1_000, 4_000]);
  });

  it('answers when to come back instead of waiting past its budget', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 0.5, now: clock.now });
    schedule(bucket, 1);
    await expect(takeToken(bucket, 1_000, clock.sleep, clock.now)).resolves.toEqual({ granted: false, retryInMs: 2_000 });
  });
});

describe('PacedIdentityProvider', () => {
  const target = { registrationEndpoint: 'https://idp.example.com/register' } as never;
  const registration = { client_id: 'c', token_endpoint_auth_method: 'client_secret_basic', metadata: {} };

  it('paces register, update and delete, and tells the bucket of a 429 with its Retry-After', async () => {
    // Prepare
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 2, now: clock.now });
    const calls: number[] = [];
    const throttled = classifyUpstreamFailure(429, {}, '7', 'client registration', 'registration');
    let answers = 0;
    const inner = {
      register: async () => {
        calls.push(clock.now());
        if (++answers === 2) throw throttled;
        return registration;
      },
      updateClient: async () => (calls.push(clock.now()), registration),
      deleteClient: async () => (calls.push(clock.now()), 'deleted' as const),
      readClient: async () => registration,
      proveClientCredentials: async () => 'token' as const,
    } as IdentityProvider;
    const paced = new PacedIdentityProvider(inner, bucket, { sleep: clock.sleep });

    // Act
    await paced.register(target, {}, 'iat');
    await paced.updateClient(target, {}, {});
    await expect(paced.register(target, {}, 'iat')).rejects.toBe(throttled);
    await paced.deleteClient(target, {});

    // Assess: 500 ms apart, then the 7 s pause
    const start = calls[0] ?? 0;
    expect(calls.map((at) => at - start)).toEqual([0, 500, 1_000, 8_000]);
    expect(bucket.ratePerSecond).toBeCloseTo(1 * 1.05);
  });

  it('lets the first call use the token its caller already holds', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, now: clock.now });
    schedule(bucket, 1);
    const inner = { register: async () => registration } as unknown as IdentityProvider;
    const paced = new PacedIdentityProvider(inner, bucket, { holdsFirstToken: true, sleep: clock.sleep });
    await paced.register(target, {}, 'iat');
    expect(clock.now()).toBe(1_000_000);
  });
});

describe('throttleSignal', () => {
  it('reads a 429 (with or without Retry-After) and a 503 with Retry-After as throttles; nothing else', () => {
    expect(throttleSignal(classifyUpstreamFailure(429, {}, '12', 'x'))).toEqual({ pauseMs: 12_000 });
    expect(throttleSignal(classifyUpstreamFailure(429, {}, null, 'x'))).toEqual({});
    expect(throttleSignal(classifyUpstreamFailure(503, {}, '3', 'x'))).toEqual({ pauseMs: 3_000 });
    expect(throttleSignal(classifyUpstreamFailure(503, {}, null, 'x'))).toBeNull();
    expect(throttleSignal(new TemporarilyUnavailableError('identity provider unreachable (ECONNRESET)'))).toBeNull();
    expect(throttleSignal(new UpstreamError('identity provider answered 429 to x'))).toBeNull();
  });
});

describe('PacerRegistry', () => {
  it('gives each instance its share of the rate, one bucket per provider, a new one when the rate changes', () => {
    const registry = new PacerRegistry({ shares: 5 });
    const okta = registry.for('https://okta.example.com/oauth2/v1/clients', 25);
    expect(okta.ratePerSecond).toBe(5);
    expect(registry.for('https://okta.example.com/oauth2/v1/clients', 25)).toBe(okta);
    expect(registry.for('https://okta.example.com/oauth2/v1/clients', 10).ratePerSecond).toBe(2);
    expect(registry.for('https://auth0.example.com/oidc/register', undefined).ratePerSecond).toBe(Number.POSITIVE_INFINITY);
  });
});
