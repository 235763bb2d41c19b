/**
 * Structured JSON logger that redacts secret material by construction:
 * - any field whose key names a secret (client_secret, *token, authorization, private_key_jwk, …) is
 *   replaced, at any depth, and so are a JWK's private members;
 * - the final line goes through `scrubSecrets` (functions/core/redaction.ts): every secret value the
 *   process has handled and anything shaped like a credential (`Bearer …`, `"client_secret":"…"`,
 *   a JWT) is replaced, so nothing leaks through an error message or an upstream description either.
 */
import { REDACTED, SECRET_KEY, scrubSecrets } from './redaction.js';

export { rememberSecret, scrubSecrets } from './redaction.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogSink = (line: string) => void;

const LEVELS: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };
// SECRET_KEY: keys ending in secret/token/… (client_secret, registration_access_token, initialAccessToken);
// `token_endpoint` or `client_secret_expires_at` are not secrets and stay visible. A private key is
// redacted whatever its type (a JWK object), a JWK's private members wherever a JWK is logged.
const PRIVATE_KEY = /private_?key(_?jwk)?$/i;
const JWK_PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']);

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

function replacer(this: unknown, key: string, value: unknown): unknown {
  if (key && typeof value === 'string' && SECRET_KEY.test(key)) return REDACTED;
  if (key && typeof value === 'object' && value !== null && PRIVATE_KEY.test(key)) return REDACTED;
  if (JWK_PRIVATE_MEMBERS.has(key) && typeof value === 'string' && (this as { kty?: unknown } | null)?.kty !== undefined) return REDACTED;
  if (value instanceof Error) return serializeError(value);
  return value;
}

export class Logger {
  #sink: LogSink;
  #threshold: number;
  #persistent: Record<string, unknown>;
  #metrics: boolean;

  /**
   * `metrics: false` drops metric lines (the CLI: they mean nothing on a terminal). Otherwise metric
   * lines are written whatever the level: alarms count them, so LOG_LEVEL=ERROR must not silence them.
   */
  constructor(options: { service?: string; level?: LogLevel; sink?: LogSink; fields?: Record<string, unknown>; metrics?: boolean } = {}) {
    this.#sink = options.sink ?? ((line) => process.stdout.write(`${line}\n`));
    this.#threshold = LEVELS[options.level ?? 'INFO'];
    this.#persistent = { service: options.service ?? 'dcr-onboarding', ...options.fields };
    this.#metrics = options.metrics ?? true;
  }

  /** A logger that adds `fields` to every line (e.g. the request id of one invocation). */
  child(fields: Record<string, unknown>): Logger {
    const child = new Logger({ sink: this.#sink, fields: { ...this.#persistent, ...fields }, metrics: this.#metrics });
    child.#threshold = this.#threshold;
    return child;
  }

  /** An Embedded Metric Format line: written at any level (unless metrics are off), as INFO. */
  metrics(fields: Record<string, unknown>): void {
    if (this.#metrics) this.#emit('INFO', 'metrics', fields);
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
    if (LEVELS[level] >= this.#threshold) this.#emit(level, message, fields);
  }

  #emit(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    const entry = { level, timestamp: new Date().toISOString(), message, ...this.#persistent, ...fields };
    this.#sink(scrubSecrets(JSON.stringify(entry, replacer)));
  }
}
