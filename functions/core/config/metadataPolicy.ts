import { InvalidClientMetadataError, PayloadTooLargeError } from '../errors.js';
import { MAX_REQUEST_BODY_BYTES, MAX_SECRET_BYTES, MAX_URI_LENGTH, RESERVED_RECORD_BYTES } from '../options.js';
import { PROFILE_RULES } from '../idp/profiles.js';
import { type CallerSettableField, type ClientMetadata, isAllowedEndpoint, type Profile, type TargetConfig } from './targetConfig.js';

export type MetadataPolicy = Pick<TargetConfig, 'clientMetadata' | 'callerMetadata' | 'allowedRedirectOrigins'>;

/**
 * The metadata sent to the provider for one request: the target's `clientMetadata`, with the fields
 * its `callerMetadata` opens replaced by the caller's `client` values. A `clientMetadata` field the
 * target does not open is pinned: the caller cannot touch it. Any other field in `client`, a value of
 * the wrong type or size, or a redirect URI off the target's `allowedRedirectOrigins` is refused with
 * `invalid_client_metadata` naming the field. Pure: runs before any claim, secret read or upstream call.
 */
export function applyMetadataPolicy(target: MetadataPolicy, client: unknown): ClientMetadata {
  if (client === undefined) return withinRecord({ ...target.clientMetadata });
  if (!isPlainObject(client)) throw refused('client must be a JSON object');

  const settable = new Set<string>(target.callerMetadata);
  const foreign = Object.keys(client).filter((key) => !settable.has(key));
  if (foreign.length) {
    const named = foreign.slice(0, 5).map(fieldLabel).join(', ');
    const more = foreign.length > 5 ? ` and ${foreign.length - 5} more` : '';
    const open = target.callerMetadata.length ? target.callerMetadata.join(', ') : 'none';
    throw refused(`client metadata ${named}${more} may not be set by the caller (this target allows: ${open})`);
  }

  const accepted: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(client)) {
    const problem = FIELD_CHECKS[field as CallerSettableField](value, target);
    if (problem) throw refused(`client.${field}${problem}`);
    accepted[field] = Array.isArray(value) ? [...value] : value;
  }
  const size = jsonBytes(accepted);
  if (size > MAX_REQUEST_BODY_BYTES) {
    throw new PayloadTooLargeError(`client metadata is ${size} bytes; at most ${MAX_REQUEST_BODY_BYTES} are accepted`);
  }
  return withinRecord({ ...target.clientMetadata, ...accepted } as ClientMetadata);
}

/**
 * Every registration names its client authentication method (issue 19: a provider left to choose
 * may register a public client without a secret): the target's pinned `clientMetadata` value, else
 * the profile's (RFC 7591's `client_secret_basic`; `client_secret_post` for Salesforce, which issues it).
 */
export function withTokenEndpointAuthMethod(metadata: ClientMetadata, profile: Profile): ClientMetadata {
  return {
    ...metadata,
    token_endpoint_auth_method: metadata.token_endpoint_auth_method ?? PROFILE_RULES[profile].defaultTokenEndpointAuthMethod,
  };
}

/**
 * The stored record holds the metadata plus what the provider issues: refuse metadata that would
 * push it past Secrets Manager's limit before anything is registered.
 */
export function assertRecordFits(metadata: ClientMetadata): void {
  const size = jsonBytes(metadata);
  if (size + RESERVED_RECORD_BYTES > MAX_SECRET_BYTES) {
    throw refused(
      `client metadata is ${size} bytes; with ${RESERVED_RECORD_BYTES} bytes kept for the provider's answer the stored record would exceed Secrets Manager's ${MAX_SECRET_BYTES}`,
    );
  }
}

function withinRecord(metadata: ClientMetadata): ClientMetadata {
  assertRecordFits(metadata);
  return metadata;
}

/** Each caller-settable field's check: undefined when fine, else the rest of a message after `client.<field>`. */
const FIELD_CHECKS: Record<CallerSettableField, (value: unknown, target: MetadataPolicy) => string | undefined> = {
  client_name: (value) => (isText(value, 255) ? undefined : ' must be a string of 1 to 255 characters without control characters'),
  software_version: (value) => (isText(value, 64) ? undefined : ' must be a string of 1 to 64 characters without control characters'),
  contacts: (value) => eachOf(value, (item) => (isEmail(item) ? undefined : ' must be an email address of at most 320 characters')),
  redirect_uris: (value, target) => eachOf(value, (item) => redirectProblem(item, target.allowedRedirectOrigins)),
  logo_uri: httpsUrlProblem,
  client_uri: httpsUrlProblem,
  policy_uri: httpsUrlProblem,
  tos_uri: httpsUrlProblem,
};

const MAX_ITEMS = 20;
/** Control, format (bidi override) and line-separator characters, and lone surrogates: a name must read as it is. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** Characters no URL we accept contains: parsers disagree on them (backslash, whitespace, controls). */
const URL_UNSAFE = /[\s\\\p{Cc}\p{Cs}]/u;
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function isText(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= max && !UNPRINTABLE.test(value);
}

function isEmail(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 320 && EMAIL.test(value);
}

function eachOf(value: unknown, check: (item: unknown) => string | undefined): string | undefined {
  if (!Array.isArray(value) || value.length > MAX_ITEMS) return ` must be an array of at most ${MAX_ITEMS} entries`;
  for (let i = 0; i < value.length; i++) {
    const problem = check(value[i]);
    if (problem) return `[${i}]${problem}`;
  }
  return undefined;
}

/**
 * Parsed, and its text begins with exactly the origin the WHATWG parser sees followed by `/`, `?`, `#` or
 * nothing: every other parser (the provider's, a browser's) then agrees on the host.
 */
function parseCanonical(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value.length > MAX_URI_LENGTH || URL_UNSAFE.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username || url.password || !value.startsWith(url.origin)) return undefined;
  const next = value.charAt(url.origin.length);
  return next === '' || next === '/' || next === '?' || next === '#' ? url : undefined;
}

function redirectProblem(value: unknown, allowedOrigins: readonly string[]): string | undefined {
  const url = parseCanonical(value);
  if (!url || !isAllowedEndpoint(value as string)) {
    return ` must be an https URL (http only for loopback) of at most ${MAX_URI_LENGTH} characters, in canonical form, without credentials or fragment`;
  }
  if (!allowedOrigins.includes(url.origin)) {
    return allowedOrigins.length
      ? ' is not on an origin this target allows (allowedRedirectOrigins)'
      : ' is refused: this target lists no allowedRedirectOrigins';
  }
  return undefined;
}

function httpsUrlProblem(value: unknown): string | undefined {
  return parseCanonical(value)?.protocol === 'https:'
    ? undefined
    : ` must be an https URL of at most ${MAX_URI_LENGTH} characters, in canonical form, without credentials`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A caller's field name as it appears in a message: quoted, escaped, at most 64 characters. */
export function fieldLabel(key: string): string {
  return JSON.stringify(key.slice(0, 64));
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

function refused(message: string): InvalidClientMetadataError {
  return new InvalidClientMetadataError('invalid_client_metadata', message);
}
