import { type UnusableClient, UnusableRegistrationError } from '../errors.js';
import { MAX_CLIENT_ID_LENGTH, MAX_CREDENTIAL_LENGTH, MAX_URI_LENGTH } from '../options.js';
import { rememberSecret } from '../logger.js';
import type { ClientRegistration } from '../ports/IdentityProvider.js';

/** Methods that authenticate with the client secret: an answer without one cannot be used. */
const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

// Printable ASCII without space: safe to log, to put in a header and to name in a metric dimension.
const CLIENT_ID = /^[\x21-\x7e]+$/;
// C0, DEL and C1 controls: a line break in a secret would end up split across a header or a log line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const AUTH_METHOD = /^[\x21-\x7e]{1,255}$/;
const BEARER_TOKEN = /^[\x21-\x7e]+$/;
const QUOTED_PREFIX = 64;

export interface AuthMethods {
  /** What the request asked for (registrations always name one); the answer must match it. */
  requested?: string;
  /** Other methods the target accepts in the answer (`acceptedAuthMethods`). */
  accepted?: readonly string[];
  /** The profile's assumption when neither the answer nor the request names one. */
  profileDefault: string;
}

/**
 * Reads a 2xx RFC 7591 / 7592 answer: lenient where harmless (numeric strings for the timestamps,
 * unknown fields kept in `metadata`), strict where it matters (a printable client_id of sane length,
 * bounded credentials without control characters, a parseable client URI, the auth method requested
 * or one the target accepts, a client_secret when the auth method needs one). The method stored is
 * the one answered; an answer that names none gets the requested one, flagged as not echoed. Anything unusable throws `UnusableRegistrationError`, carrying the client
 * when a valid client_id was read so the caller can delete it. Messages never quote a secret, nor
 * more than a short prefix of an identifier.
 */
export function parseRegistrationResponse(text: string, authMethods: AuthMethods): ClientRegistration {
  const body = parseObject(text);
  const {
    client_id,
    client_secret,
    registration_access_token,
    registration_client_uri,
    client_id_issued_at,
    client_secret_expires_at,
    token_endpoint_auth_method,
    ...metadata
  } = body;
  // Remembered before any check, so no later log line can carry them whatever happens next.
  for (const credential of [client_secret, registration_access_token]) {
    if (typeof credential === 'string' && credential.length <= MAX_CREDENTIAL_LENGTH) rememberSecret(credential);
  }

  const clientIdProblem = checkClientId(client_id);
  if (clientIdProblem) throw new UnusableRegistrationError(`identity provider answered with ${clientIdProblem}`);
  const id = client_id as string;
  const token = credential(registration_access_token, { header: true });
  const uri = clientUri(registration_client_uri);
  const client: UnusableClient = {
    client_id: id,
    ...(typeof uri === 'string' && { registration_client_uri: uri }),
    ...(typeof token === 'string' && { registration_access_token: token }),
  };
  const unusable = (problem: string) =>
    new UnusableRegistrationError(`identity provider registered client "${quote(id)}" with ${problem}`, client);

  if (token instanceof Problem) throw unusable(`a registration_access_token that is ${token.reason}`);
  if (uri instanceof Problem) throw unusable(`a registration_client_uri that is ${uri.reason}`);
  const secret = credential(client_secret);
  if (secret instanceof Problem) throw unusable(`a client_secret that is ${secret.reason}`);
  if (
    token_endpoint_auth_method !== undefined &&
    (typeof token_endpoint_auth_method !== 'string' || !AUTH_METHOD.test(token_endpoint_auth_method))
  ) {
    throw unusable('an unreadable token_endpoint_auth_method');
  }
  const answered = token_endpoint_auth_method as string | undefined;
  const { requested, accepted = [] } = authMethods;
  if (answered !== undefined && requested !== undefined && answered !== requested && !accepted.includes(answered)) {
    throw unusable(
      `token_endpoint_auth_method "${quote(answered)}" where ${requested} was requested (not in the target's acceptedAuthMethods)`,
    );
  }
  const method = answered ?? requested ?? authMethods.profileDefault;
  if (SECRET_METHODS.has(method) && !secret) throw unusable(`no client_secret, which ${method} needs`);
  const expiresAt = timestamp(client_secret_expires_at);
  // Not knowing when the secret stops working would leave stored credentials that silently expire.
  if (expiresAt instanceof Problem) throw unusable('an unreadable client_secret_expires_at');
  // Informational only: an unreadable value is dropped rather than failing a working client.
  const issuedAt = timestamp(client_id_issued_at);

  return {
    client_id: id,
    ...(secret !== undefined && { client_secret: secret }),
    ...(token !== undefined && { registration_access_token: token }),
    ...(uri !== undefined && { registration_client_uri: uri }),
    ...(typeof issuedAt === 'number' && { client_id_issued_at: issuedAt }),
    ...(expiresAt !== undefined && { client_secret_expires_at: expiresAt }),
    token_endpoint_auth_method: method,
    ...(answered === undefined && { token_endpoint_auth_method_echoed: false as const }),
    metadata,
  };
}

class Problem {
  constructor(readonly reason: string) {}
}

function parseObject(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UnusableRegistrationError('identity provider answered with a body that is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new UnusableRegistrationError('identity provider answered with JSON that is not an object');
  }
  return body as Record<string, unknown>;
}

function checkClientId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'no usable client_id';
  if (value.length > MAX_CLIENT_ID_LENGTH) return `a client_id longer than ${MAX_CLIENT_ID_LENGTH} characters`;
  if (!CLIENT_ID.test(value)) return 'a client_id containing spaces, control or non-ASCII characters';
  return undefined;
}

/**
 * A secret or token: absent (undefined or null), or a bounded string without control characters;
 * one sent as `Bearer` (`header`) must be printable ASCII too.
 */
function credential(value: unknown, options: { header?: boolean } = {}): string | undefined | Problem {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') return new Problem('not a non-empty string');
  if (value.length > MAX_CREDENTIAL_LENGTH) return new Problem(`longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  if (CONTROL.test(value)) return new Problem('containing control characters');
  if (options.header && !BEARER_TOKEN.test(value)) return new Problem('not printable ASCII');
  return value;
}

function clientUri(value: unknown): string | undefined | Problem {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return new Problem('not a string');
  if (value.length > MAX_URI_LENGTH) return new Problem(`longer than ${MAX_URI_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return new Problem('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return new Problem('not an http(s) URL');
  return value;
}

/** Seconds since the epoch, as a number or a string of digits ("0" is 0); null counts as absent. */
function timestamp(value: unknown): number | undefined | Problem {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER) return Math.floor(value);
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return new Problem('unreadable');
}

function quote(id: string): string {
  return id.length > QUOTED_PREFIX ? `${id.slice(0, QUOTED_PREFIX)}…` : id;
}
