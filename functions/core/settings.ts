import { ENV } from './constants.js';
import { ConfigurationError } from './errors.js';
import {
  type ClaimOptions,
  DEFAULT_AWS_REQUEST_TIMEOUT_MS,
  DEFAULT_CLAIM_OPTIONS,
  DEFAULT_CONFIG_CACHE_TTL_SECONDS,
  DEFAULT_IAT_CACHE_TTL_SECONDS,
  DEFAULT_IDP_TIMEOUT_MS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from './options.js';

// Environment values are strings: validated as such, converted when mapped to Settings. Checked by hand,
// not by a zod schema: this runs at every cold start, and it is the only validation the init phase
// needs, so zod is first used (and its code first compiled) at the first invocation (docs/performance.md).
// The messages are the ones the zod schema gave (test/unit/settings.test.ts).
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const POSITIVE_INT = /^[1-9][0-9]{0,9}$/;
const NON_NEGATIVE_INT = /^(0|[1-9][0-9]{0,9})$/;

type IntRule = { pattern: RegExp; message: string; fallback: number };
const positiveInt = (fallback: number): IntRule => ({ pattern: POSITIVE_INT, message: 'must be a positive integer', fallback });
const nonNegativeInt = (fallback: number): IntRule => ({ pattern: NON_NEGATIVE_INT, message: 'must be 0 or a positive integer', fallback });

const INT_SETTINGS = {
  [ENV.IAT_CACHE_TTL_SECONDS]: positiveInt(DEFAULT_IAT_CACHE_TTL_SECONDS),
  [ENV.CONFIG_CACHE_TTL_SECONDS]: nonNegativeInt(DEFAULT_CONFIG_CACHE_TTL_SECONDS),
  [ENV.IDP_TIMEOUT_MS]: positiveInt(DEFAULT_IDP_TIMEOUT_MS),
  [ENV.IDP_MAX_ATTEMPTS]: positiveInt(DEFAULT_RETRY_POLICY.maxAttempts),
  [ENV.IDP_RETRY_BUDGET_MS]: positiveInt(DEFAULT_RETRY_POLICY.budgetMs),
  [ENV.AWS_REQUEST_TIMEOUT_MS]: positiveInt(DEFAULT_AWS_REQUEST_TIMEOUT_MS),
  [ENV.CLAIM_WAIT_MS]: positiveInt(DEFAULT_CLAIM_OPTIONS.waitMs),
  [ENV.CLAIM_STALE_SECONDS]: positiveInt(DEFAULT_CLAIM_OPTIONS.staleAfterMs / 1000),
} as const;

export interface Settings {
  configParameterName: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  iatCacheTtlMs: number;
  /** How long a loaded configuration is used before it is read again; 0: every invocation. */
  configCacheTtlMs: number;
  /** Every request to an identity provider, discovery included (options.ts: DEFAULT_IDP_TIMEOUT_MS). */
  idpTimeoutMs: number;
  retry: RetryPolicy;
  awsRequestTimeoutMs: number;
  claim: ClaimOptions;
  /** Outcome events go to this bus when set. */
  eventBusName?: string;
}

/** The function's environment, validated once at init. */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  // Problems as `NAME: message`, in this order, all of them: what describeIssues made of zod's issues.
  const problems: string[] = [];
  const configParameterName = env[ENV.CONFIG_PARAMETER_NAME] ?? '';
  if (configParameterName.length < 1) {
    problems.push(`${ENV.CONFIG_PARAMETER_NAME}: is required: the SSM parameter holding the JSON configuration`);
  }
  const logLevel = env[ENV.LOG_LEVEL] || DEFAULT_LOG_LEVEL;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`${ENV.LOG_LEVEL}: expected one of ${LOG_LEVELS.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  const ints = {} as Record<keyof typeof INT_SETTINGS, number>;
  for (const [name, rule] of Object.entries(INT_SETTINGS) as [keyof typeof INT_SETTINGS, IntRule][]) {
    const value = env[name] || String(rule.fallback);
    if (!rule.pattern.test(value)) problems.push(`${name}: ${rule.message}`);
    ints[name] = Number(value);
  }
  if (problems.length > 0) throw new ConfigurationError(`environment is invalid: ${problems.join('; ')}`);
  return {
    configParameterName,
    logLevel: logLevel as Settings['logLevel'],
    iatCacheTtlMs: ints.IAT_CACHE_TTL_SECONDS * 1000,
    configCacheTtlMs: ints.CONFIG_CACHE_TTL_SECONDS * 1000,
    idpTimeoutMs: ints.IDP_TIMEOUT_MS,
    retry: {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: ints.IDP_MAX_ATTEMPTS,
      budgetMs: ints.IDP_RETRY_BUDGET_MS,
    },
    awsRequestTimeoutMs: ints.AWS_REQUEST_TIMEOUT_MS,
    claim: {
      ...DEFAULT_CLAIM_OPTIONS,
      waitMs: ints.CLAIM_WAIT_MS,
      staleAfterMs: ints.CLAIM_STALE_SECONDS * 1000,
    },
    eventBusName: env[ENV.EVENT_BUS_NAME] || undefined,
  };
}
