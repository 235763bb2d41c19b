import * as z from 'zod/mini';

/**
 * A target's pace in the onboarding lane: registrations (and RFC 7592 updates and deletions) per
 * second across all lane instances; each instance takes `registrationsPerSecond / maxConcurrency`.
 * Without it the lane is unpaced until the provider answers 429, then slows down (docs/scaling.md).
 * Built by the target schemas (targetConfig.ts), at their first use.
 */
export function rateLimitSchema() {
  return z.strictObject({
    registrationsPerSecond: z.number().check(z.positive('must be above 0'), z.lte(1000, 'must be at most 1000')),
  });
}
export type RateLimit = z.infer<ReturnType<typeof rateLimitSchema>>;
