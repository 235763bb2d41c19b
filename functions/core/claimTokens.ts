import { createHash } from 'node:crypto';

/**
 * A ClientRequestToken derived from `parts`: Secrets Manager accepts a repeated token with the same
 * value as a no-op and refuses it with another value, which makes a write that names the same token
 * a compare-and-set among racers.
 */
export function deterministicToken(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
