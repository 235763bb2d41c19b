import { ConfigurationError } from '../errors.js';
import { MAX_CREDENTIAL_LENGTH } from '../options.js';

// Visible ASCII only: a control character (a line break) or a space cannot go into a header, and the
// HTTP client's error for it would print the header value, credential included.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * Refuses a credential no header can carry, naming where it came from (`what` and the secret id)
 * and never the value. Every kind of registration credential passes through it before it is sent.
 */
export function checkCredentialValue(value: string, what: string, secretId: string): void {
  if (value.length > MAX_CREDENTIAL_LENGTH) {
    throw new ConfigurationError(`${what} from secret ${secretId} is longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  }
  if (!HEADER_SAFE.test(value)) {
    throw new ConfigurationError(`${what} from secret ${secretId} has control characters, spaces or non-ASCII characters`);
  }
}

/** A secret's JSON object, or undefined when the value is not one. */
export function parseJsonObject(value: string): Record<string, unknown> | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
