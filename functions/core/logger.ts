/**
 * Structured JSON logger that redacts secret material by construction:
 * - any field whose key names a secret (client_secret, *token, authorization, …) is replaced, at any depth;
 * - every secret value the service has handled (registered with `rememberSecret`) is scrubbed from the
 *   final line, so it cannot leak through an error message or an upstream description either.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogSink = (line: string) => void;

const LEVELS: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };
// Keys ending in secret/token (client_secret, registration_access_token, initialAccessToken, …);
// `token_endpoint` or `client_secret_expires_at` are not secrets and stay visible.
const SECRET_KEY = /(secret|token|password|authorization)$/i;
const REDACTED = '[REDACTED]';
const MAX_REMEMBERED = 512;
const MIN_SECRET_LENGTH = 6;

// Insertion order is recency: the least recently handled value is evicted first.
const remembered = new Set<string>();
// Long-lived values (initial access tokens) are never evicted by a flood of newer client secrets.
const pinned = new Set<string>();

/**
 * Registers a secret value so that no later log line can contain it. The most recent 512 values are
 * kept; `pin` keeps a value for the life of the container.
 */
export function rememberSecret(value: string | undefined, options: { pin?: boolean } = {}): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  if (options.pin) {
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

/** Replaces every remembered secret value in a string. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secrets of [pinned, remembered]) {
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
  }
  return out;
}

function serializeError(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const key of ['code', 'status', 'retryable', 'upstreamStatus'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  if (error.stack) fields.stack = error.stack;
  if (error.cause instanceof Error) fields.cause = serializeError(error.cause);
  return fields;
}

function replacer(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && typeof value === 'string') {
    return REDACTED;
  }
  if (value instanceof Error) return serializeError(value);
  return value;
}

export class Logger {
  #sink: LogSink;
  #threshold: number;
  #persistent: Record<string, unknown>;

  constructor(options: { service?: string; level?: LogLevel; sink?: LogSink; fields?: Record<string, unknown> } = {}) {
    this.#sink = options.sink ?? ((line) => process.stdout.write(`${line}\n`));
    this.#threshold = LEVELS[options.level ?? 'INFO'];
    this.#persistent = { service: options.service ?? 'dcr-onboarding', ...options.fields };
  }

  /** A logger that adds `fields` to every line (e.g. the request id of one invocation). */
  child(fields: Record<string, unknown>): Logger {
    const child = new Logger({ sink: this.#sink, fields: { ...this.#persistent, ...fields } });
    child.#threshold = this.#threshold;
    return child;
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.#write('DEBUG', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#write('INFO', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#write('WARN', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#write('ERROR', message, fields);
  }

  #write(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < this.#threshold) return;
    const entry = { level, timestamp: new Date().toISOString(), message, ...this.#persistent, ...fields };
    this.#sink(scrubSecrets(JSON.stringify(entry, replacer)));
  }
}
