import * as z from 'zod/mini';
import { ENV } from './constants.js';
import { ConfigurationError } from './errors.js';
import { describeIssues } from './config/serviceConfig.js';
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

// Environment values are strings: validated as such, converted when mapped to Settings.
const positiveInt = (fallback: number) =>
  z._default(z.string().check(z.regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')), String(fallback));
const nonNegativeInt = (fallback: number) =>
  z._default(z.string().check(z.regex(/^(0|[1-9][0-9]{0,9})$/, 'must be 0 or a positive integer')), String(fallback));

const settingsSchema = z.object({
  [ENV.CONFIG_PARAMETER_NAME]: z.string().check(z.minLength(1, 'is required: the SSM parameter holding the JSON configuration')),
  [ENV.LOG_LEVEL]: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']), DEFAULT_LOG_LEVEL),
  [ENV.IAT_CACHE_TTL_SECONDS]: positiveInt(DEFAULT_IAT_CACHE_TTL_SECONDS),
  [ENV.CONFIG_CACHE_TTL_SECONDS]: nonNegativeInt(DEFAULT_CONFIG_CACHE_TTL_SECONDS),
  [ENV.IDP_TIMEOUT_MS]: positiveInt(DEFAULT_IDP_TIMEOUT_MS),
  [ENV.IDP_MAX_ATTEMPTS]: positiveInt(DEFAULT_RETRY_POLICY.maxAttempts),
  [ENV.IDP_RETRY_BUDGET_MS]: positiveInt(DEFAULT_RETRY_POLICY.budgetMs),
  [ENV.AWS_REQUEST_TIMEOUT_MS]: positiveInt(DEFAULT_AWS_REQUEST_TIMEOUT_MS),
  [ENV.CLAIM_WAIT_MS]: positiveInt(DEFAULT_CLAIM_OPTIONS.waitMs),
  [ENV.CLAIM_STALE_SECONDS]: positiveInt(DEFAULT_CLAIM_OPTIONS.staleAfterMs / 1000),
  [ENV.EVENT_BUS_NAME]: z.optional(z.string().check(z.minLength(1))),
});

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
  const read = (key: keyof typeof settingsSchema.shape) => env[key] || undefined;
  const parsed = settingsSchema.safeParse({
    ...Object.fromEntries(Object.keys(settingsSchema.shape).map((key) => [key, read(key as keyof typeof settingsSchema.shape)])),
    [ENV.CONFIG_PARAMETER_NAME]: env[ENV.CONFIG_PARAMETER_NAME] ?? '',
  });
  if (!parsed.success) throw new ConfigurationError(`environment is invalid: ${describeIssues(parsed.error.issues)}`);
  return {
    configParameterName: parsed.data.CONFIG_PARAMETER_NAME,
    logLevel: parsed.data.LOG_LEVEL,
    iatCacheTtlMs: Number(parsed.data.IAT_CACHE_TTL_SECONDS) * 1000,
    configCacheTtlMs: Number(parsed.data.CONFIG_CACHE_TTL_SECONDS) * 1000,
    idpTimeoutMs: Number(parsed.data.IDP_TIMEOUT_MS),
    retry: {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: Number(parsed.data.IDP_MAX_ATTEMPTS),
      budgetMs: Number(parsed.data.IDP_RETRY_BUDGET_MS),
    },
    awsRequestTimeoutMs: Number(parsed.data.AWS_REQUEST_TIMEOUT_MS),
    claim: {
      ...DEFAULT_CLAIM_OPTIONS,
      waitMs: Number(parsed.data.CLAIM_WAIT_MS),
      staleAfterMs: Number(parsed.data.CLAIM_STALE_SECONDS) * 1000,
    },
    eventBusName: parsed.data.EVENT_BUS_NAME,
  };
}
