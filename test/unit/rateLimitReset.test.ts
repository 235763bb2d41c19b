import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import type { EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { TemporarilyUnavailableError } from '../../functions/core/errors.js';
import { HttpIdentityProvider } from '../../functions/core/idp/HttpIdentityProvider.js';
import { retryAfterHeader } from '../../functions/core/idp/upstreamResponse.js';

const target = parseServiceConfig(
  JSON.stringify({
    targets: { default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/reg', initialAccessTokenSecretId: 'iat' } },
  }),
  'test',
).targets.default! as EndpointTarget;

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const epoch = (secondsFromNow: number) => String(NOW / 1000 + secondsFromNow);

describe("Okta's X-Rate-Limit-Reset", () => {
  it('becomes the Retry-After of a 429 that has none, as seconds from now', () => {
    expect(retryAfterHeader(429, new Headers({ 'x-rate-limit-reset': epoch(42) }), NOW)).toBe('42');
    expect(retryAfterHeader(429, new Headers({ 'x-rate-limit-reset': epoch(2) }), NOW + 500)).toBe('2'); // 1.5 s, rounded up
    // A reset already past: retry now (parseRetryAfter makes it at least 1 s)
    expect(retryAfterHeader(429, new Headers({ 'x-rate-limit-reset': epoch(-30) }), NOW)).toBe('0');
  });

  it('loses to Retry-After when both are sent, and counts only on a 429', () => {
    const both = new Headers({ 'retry-after': '7', 'x-rate-limit-reset': epoch(50) });
    expect(retryAfterHeader(429, both, NOW)).toBe('7');
    expect(retryAfterHeader(503, new Headers({ 'x-rate-limit-reset': epoch(50) }), NOW)).toBeNull();
    expect(retryAfterHeader(503, new Headers({ 'retry-after': '9' }), NOW)).toBe('9');
  });

  it('ignores a reset that is not epoch seconds', () => {
    for (const reset of ['soon', '-5', '1.5e9', '', '12345678901234']) {
      expect(retryAfterHeader(429, new Headers({ 'x-rate-limit-reset': reset }), NOW)).toBeNull();
    }
  });

  it("reaches the error's serverRetryAfterSeconds through HttpIdentityProvider, bounded to 300 s", async () => {
    const answers = [
      () =>
        new Response('{"errorCode":"E0000047"}', {
          status: 429,
          headers: { 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 20) },
        }),
      () =>
        new Response('{}', {
          status: 429,
          headers: { 'retry-after': '3', 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 40) },
        }),
      () => new Response('{}', { status: 429, headers: { 'x-rate-limit-reset': String(Math.ceil(Date.now() / 1000) + 3600) } }),
    ];
    const seen: (number | undefined)[] = [];
    for (const answer of answers) {
      const idp = new HttpIdentityProvider({ fetch: (async () => answer()) as unknown as typeof fetch });
      const error = await idp.register(target, {}, 'iat').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TemporarilyUnavailableError);
      seen.push((error as TemporarilyUnavailableError).serverRetryAfterSeconds);
    }
    expect(seen[0]).toBeGreaterThanOrEqual(19);
    expect(seen[0]).toBeLessThanOrEqual(21);
    expect(seen[1]).toBe(3);
    expect(seen[2]).toBe(300);
  });
});
