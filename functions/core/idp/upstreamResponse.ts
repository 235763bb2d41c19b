import {
  type DcrError,
  InitialAccessTokenRejectedError,
  InvalidClientMetadataError,
  RegistrationAccessTokenRejectedError,
  TemporarilyUnavailableError,
  UpstreamError,
} from '../errors.js';
import { MAX_QUOTED_DESCRIPTION } from '../options.js';
import { quoteSafely } from '../redaction.js';

const METADATA_ERRORS = new Set([
  'invalid_client_metadata',
  'invalid_redirect_uri',
  'invalid_software_statement',
  'unapproved_software_statement',
] as const);
type MetadataErrorCode = typeof METADATA_ERRORS extends Set<infer T> ? T : never;

// OAuth error codes are short ASCII words (RFC 6749 §5.2); anything longer is not one.
const MAX_ERROR_CODE = 64;

export interface UpstreamErrorBody {
  error?: string;
  error_description?: string;
}

/**
 * Reads `error` / `error_description` from an OAuth error body, as we may quote them: one line,
 * credentials redacted, short (MAX_QUOTED_DESCRIPTION). Nothing else of the body is ever quoted, and a
 * body that is not JSON is not quoted at all.
 */
export function parseErrorBody(text: string): UpstreamErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const { error, error_description } = body as Record<string, unknown>;
  const quote = (value: unknown, max: number) => (typeof value === 'string' ? quoteSafely(value, max) || undefined : undefined);
  return { error: quote(error, MAX_ERROR_CODE), error_description: quote(error_description, MAX_QUOTED_DESCRIPTION) };
}

/** Seconds to wait from a Retry-After header (delta-seconds or HTTP date), bounded to [1, 300]. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) : (Date.parse(header) - now) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(300, Math.max(1, Math.ceil(seconds)));
}

/**
 * The Retry-After to honour: the header itself, or, on a 429 without one, Okta's `X-Rate-Limit-Reset`
 * (epoch seconds when the window resets) as delta-seconds. Retry-After wins when both are sent; Okta
 * sends the reset on every answer, so it counts only on a 429.
 */
export function retryAfterHeader(status: number, headers: Pick<Headers, 'get'>, now = Date.now()): string | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter || status !== 429) return retryAfter;
  const reset = headers.get('x-rate-limit-reset')?.trim();
  if (!reset || !/^\d{1,12}$/.test(reset)) return null;
  return String(Math.max(0, Math.ceil(Number(reset) - now / 1000)));
}

// Some servers refuse a revoked or unknown initial access token with these codes at 400 rather than 401.
const TOKEN_REFUSALS = new Set(['invalid_token', 'access_denied']);

/**
 * Which credential the call carried: the initial access token (registration, RFC 7591), the registration
 * access token (RFC 7592 read / update / delete), or another (a token request: the client's own).
 */
export type UpstreamCall = 'registration' | 'management' | 'other';

/** One table from an identity provider's HTTP answer to our error classes. */
export function classifyUpstreamFailure(
  status: number,
  body: UpstreamErrorBody,
  retryAfterHeader: string | null,
  action: string,
  call: UpstreamCall = 'other',
): DcrError {
  const said = [body.error, body.error_description].filter(Boolean).join(': ');
  const detail = said ? ` (${said})` : '';
  if (status === 429 || status >= 500) {
    return new TemporarilyUnavailableError(`identity provider answered ${status} to ${action}${detail}`, undefined, {
      serverRetryAfterSeconds: parseRetryAfter(retryAfterHeader),
    });
  }
  if (status === 400 && body.error && METADATA_ERRORS.has(body.error as MetadataErrorCode)) {
    return new InvalidClientMetadataError(
      body.error as MetadataErrorCode,
      body.error_description ?? `identity provider refused the client metadata (${body.error})`,
    );
  }
  const refused = status === 401 || status === 403;
  if (refused && call === 'management') {
    return new RegistrationAccessTokenRejectedError(
      `identity provider refused the registration access token for ${action}, or no longer knows the client${detail}`,
      status,
    );
  }
  if (call === 'registration' && (refused || TOKEN_REFUSALS.has(body.error ?? ''))) {
    // The target's registrationCredential: an initial access token, a minted token or an API key.
    return new InitialAccessTokenRejectedError(`identity provider refused the registration credential for ${action}${detail}`, status);
  }
  if (refused) return new InitialAccessTokenRejectedError(`identity provider refused the token for ${action}${detail}`, status);
  return new UpstreamError(`identity provider answered ${status} to ${action}${detail}`, status);
}
