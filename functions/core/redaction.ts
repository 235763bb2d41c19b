/**
 * Secret redaction by construction, for every text that leaves the process (log lines, HTTP answers,
 * CLI output, errors thrown to the Lambda runtime):
 * - values the process has read or received are remembered and replaced wherever they appear;
 * - credentials that look like credentials are replaced by pattern, so a value this container never
 *   read (a fresh container, a provider echoing another tenant's token) is still caught:
 *   `Bearer|Basic|SSWS|DPoP <credential>`, secret-named JSON fields (`"client_secret":"…"`, also
 *   JSON-in-a-string), secret-named form fields (`client_secret=…`), JWK private members and JWTs.
 * Every regex is compiled once here: this runs on every log line.
 */
export const REDACTED = '[REDACTED]';

/** Keys that name a secret value: client_secret, registration_access_token, initialAccessToken, `token`, … */
export const SECRET_KEY = /(secret|token|password|passwd|authorization|assertion|api_?key|private_?key(_?jwk)?)$/i;
/** Private (or symmetric) members of a JWK: secret whatever object they appear in. */
const JWK_PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

const MAX_REMEMBERED = 512;
const MIN_SECRET_LENGTH = 6;
// Patterns anchor on the end of a key name (…secret, …token, …) rather than scanning every key from
// its start: linear, and a few microseconds per log line.
const NAMED = '(?:secret|token|password|passwd|authorization|assertion|api_?key|private_?key)';
// In JSON, JWK private members too (`"d"` exactly); as bare `d=` words they would be too common.
const JSON_KEY_END = `(${NAMED}|"(?:${JWK_PRIVATE_MEMBERS.join('|')}))`;

const PATTERNS: readonly [RegExp, string][] = [
  // Authorization schemes, wherever they appear (an echoed header, a description). The credential runs to
  // the next space or quote; an English word after "Basic" is redacted too, which costs nothing.
  [/\b(Bearer|Basic|SSWS|DPoP)(\s+)(?!\[REDACTED\])[^\s"'\\]+/gi, `$1$2${REDACTED}`],
  // A JSON field with a string value; an unterminated value (a cut body) is redacted to its end.
  [new RegExp(`${JSON_KEY_END}"(\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"?`, 'gi'), `$1"$2"${REDACTED}"`],
  // The same inside a JSON string (a body logged as text): quotes escaped once or more.
  [new RegExp(`${JSON_KEY_END}(\\\\+)"(\\s*:\\s*)\\2"[^"]*?(?:\\2"|$)`, 'gi'), `$1$2"$3$2"${REDACTED}$2"`],
  // A JSON object under a private-key name (private_key_jwk: {...}): JWKs are flat.
  [/(private_?key(?:_?jwk)?)"(\s*:\s*)\{[^{}]*\}?/gi, `$1"$2"${REDACTED}"`],
  // Form-encoded or `key=value` / `key: value` text; not an ARN's `:secret:` resource type.
  [new RegExp(`(?<![:/])(${NAMED})(\\s*[=:]\\s*)(?![\\s"'\\\\{]|\\[REDACTED\\])[^\\s&"'\\\\,;]+`, 'gi'), `$1$2${REDACTED}`],
  // JWTs (JWS and JWE compact forms): a base64url JSON header starting `ey`, then 2 to 4 more segments.
  [/\bey[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){2,4}/g, REDACTED],
];

// Insertion order is recency: the least recently handled value is evicted first.
const remembered = new Set<string>();
// Long-lived values (initial access tokens) are never evicted by a flood of newer client secrets.
const pinned = new Set<string>();

/**
 * Registers a secret value so that no later output can contain it. The most recent 512 values are
 * kept; `pin` keeps a value for the life of the container. Its JSON-escaped form is kept too, as
 * log lines and answers are JSON.
 */
export function rememberSecret(value: string | undefined, options: { pin?: boolean } = {}): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  const escaped = JSON.stringify(value).slice(1, -1);
  for (const form of escaped === value ? [value] : [value, escaped]) remember(form, options.pin === true);
}

function remember(value: string, pin: boolean): void {
  if (pin) {
    pinned.add(value);
    return;
  }
  if (pinned.has(value)) return;
  remembered.delete(value);
  if (remembered.size >= MAX_REMEMBERED) {
    const oldest = remembered.values().next().value;
    if (oldest !== undefined) remembered.delete(oldest);
  }
  remembered.add(value);
}

/**
 * Remembers every secret in a stored SecretString: for a JSON record each string under a secret-named
 * key (and JWK private members, and a private key object whole); for anything else the raw value (an
 * initial access token stored as is).
 */
export function rememberSecretsIn(secretString: string, options: { pin?: boolean } = {}): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    rememberSecret(secretString, options);
    rememberSecret(secretString.trim(), options);
    return;
  }
  if (typeof parsed === 'string') rememberSecret(parsed.trim(), options);
  else rememberFields(parsed, options, 0);
}

function rememberFields(value: unknown, options: { pin?: boolean }, depth: number): void {
  if (depth > 8 || typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    const secretKey = SECRET_KEY.test(key) || JWK_PRIVATE_MEMBERS.includes(key);
    if (typeof inner === 'string') {
      if (secretKey) rememberSecret(inner, options);
    } else if (secretKey && typeof inner === 'object' && inner !== null) {
      rememberSecret(JSON.stringify(inner), options);
      rememberFields(inner, options, depth + 1);
    } else {
      rememberFields(inner, options, depth + 1);
    }
  }
}

/** Replaces credential-shaped text and every remembered secret value in a string. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secrets of [pinned, remembered]) {
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

// Control and format characters (line breaks, bidi overrides, zero-width), line/paragraph separators.
const UNSAFE_CHARACTERS = /[\p{C}\p{Zl}\p{Zp}\s]+/gu;
// Enough to hold any credential a pattern must see whole before the quote is cut short.
const MAX_SCANNED_QUOTE = 8192;

/**
 * Text from outside (a provider's error description) made fit to quote: one line of printable
 * characters, credentials redacted, at most `max` characters.
 */
export function quoteSafely(text: string, max: number): string {
  // Scrubbed before and after flattening: a remembered value may hold a line break, a pattern may span one.
  const line = scrubSecrets(scrubSecrets(text.slice(0, MAX_SCANNED_QUOTE)).replace(UNSAFE_CHARACTERS, ' ').trim());
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

// What a thrown error may keep: primitive facts that drive retries and alarms, never a payload.
const ERROR_FACTS = ['code', 'status', 'retryable', 'upstreamStatus', 'retryAfterSeconds', 'serverRetryAfterSeconds', 'ambiguous'];
const MAX_ERROR_MESSAGE = 1000;

/**
 * A copy of an error fit to hand to the Lambda runtime, which logs it and keeps it in the on-failure
 * destination: same class (so `instanceof` and `retryable` still hold), name and facts, message and stack
 * frames scrubbed, no cause chain and no other own property (an SDK error's `$response`, a body).
 */
export function redactError(error: unknown): Error {
  const source = error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'non-error thrown');
  const safe = Object.create(Object.getPrototypeOf(source) as object) as Error;
  const name = quoteSafely(String(source.name), 100) || 'Error';
  const message = quoteSafely(String(source.message), MAX_ERROR_MESSAGE);
  const frames = (source.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const own = (key: string, value: unknown, enumerable = false) =>
    Object.defineProperty(safe, key, { value, enumerable, writable: true, configurable: true });
  own('name', name);
  own('message', message);
  own('stack', [`${name}: ${message}`, ...frames.map((frame) => scrubSecrets(frame))].join('\n'));
  for (const key of ERROR_FACTS) {
    const value = (source as unknown as Record<string, unknown>)[key];
    if (['string', 'number', 'boolean'].includes(typeof value)) own(key, typeof value === 'string' ? quoteSafely(value, 100) : value, true);
  }
  return safe;
}
