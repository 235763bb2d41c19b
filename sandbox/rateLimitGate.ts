import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RateLimitGateOptions {
  /** Requests allowed per second, with a burst of one second's worth (a token bucket). */
  perSecond: number;
  /** Which requests count: default registrations (POST), RFC 7592 updates (PUT) and deletions (DELETE). */
  counts?: (req: IncomingMessage) => boolean;
  /** Seconds in the 429's Retry-After. Default 1. */
  retryAfterSeconds?: number;
  now?: () => number;
}

export interface RateLimitGate {
  (req: IncomingMessage, res: ServerResponse): boolean;
  /** Requests that counted and went through. */
  readonly allowed: number;
  /** Requests answered 429. */
  readonly throttled: number;
}

const MUTATIONS = new Set(['POST', 'PUT', 'DELETE']);

/**
 * A provider's rate limit, as Okta or Auth0 apply one: beyond `perSecond` a counted request is
 * answered 429 with Retry-After (and Okta's X-Rate-Limit-* headers) and never reaches the provider.
 * Token requests (`/token`) do not count.
 */
export function createRateLimitGate(options: RateLimitGateOptions): RateLimitGate {
  const now = options.now ?? Date.now;
  const counts = options.counts ?? ((req) => MUTATIONS.has(req.method ?? '') && !(req.url ?? '').includes('/token'));
  const capacity = options.perSecond;
  let tokens = capacity;
  let updatedAt = now();
  let allowed = 0;
  let throttled = 0;
  const gate = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!counts(req)) return false;
    const at = now();
    tokens = Math.min(capacity, tokens + ((at - updatedAt) / 1000) * options.perSecond);
    updatedAt = at;
    if (tokens >= 1) {
      tokens -= 1;
      allowed++;
      return false;
    }
    throttled++;
    const retryAfter = options.retryAfterSeconds ?? 1;
    req.resume();
    res.writeHead(429, {
      'content-type': 'application/json',
      'retry-after': String(retryAfter),
      'x-rate-limit-limit': String(options.perSecond),
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(Math.ceil(at / 1000) + retryAfter),
    });
    res.end(JSON.stringify({ error: 'too_many_requests', error_description: 'rate limit exceeded' }));
    return true;
  };
  return Object.defineProperties(gate, {
    allowed: { get: () => allowed },
    throttled: { get: () => throttled },
  }) as RateLimitGate;
}
