import * as z from 'zod/mini';
import { ConfigurationError } from './errors.js';
import { describeIssues } from './config/serviceConfig.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { type ClaimOptions, DEFAULT_CLAIM_OPTIONS } from './useCases/claim.js';

const positiveInt = z.pipe(z.string(), z.transform((v) => Number(v))).check(
  z.refine((n) => Number.isInteger(n) && n > 0, 'must be a positive integer'),
);

const settingsSchema = z.object({
  CONFIG_PARAMETER_NAME: z.string().check(z.minLength(1, 'is required: the SSM parameter holding the JSON configuration')),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']), 'INFO'),
  IAT_CACHE_TTL_SECONDS: z._default(positiveInt, 300),
  IDP_TIMEOUT_MS: z._default(positiveInt, 10_000),
  IDP_MAX_ATTEMPTS: z._default(positiveInt, 4),
  IDP_RETRY_BUDGET_MS: z._default(positiveInt, 20_000),
  AWS_REQUEST_TIMEOUT_MS: z._default(positiveInt, 5_000),
  CLAIM_WAIT_MS: z._default(positiveInt, 3_000),
  CLAIM_STALE_SECONDS: z._default(positiveInt, 900),
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
});

export interface Settings {
  configParameterName: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  iatCacheTtlMs: number;
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
    CONFIG_PARAMETER_NAME: env.CONFIG_PARAMETER_NAME ?? '',
  });
  if (!parsed.success) throw new ConfigurationError(`environment is invalid: ${describeIssues(parsed.error.issues)}`);
  return {
    configParameterName: parsed.data.CONFIG_PARAMETER_NAME,
    logLevel: parsed.data.LOG_LEVEL,
    iatCacheTtlMs: parsed.data.IAT_CACHE_TTL_SECONDS * 1000,
    idpTimeoutMs: parsed.data.IDP_TIMEOUT_MS,
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: parsed.data.IDP_MAX_ATTEMPTS, budgetMs: parsed.data.IDP_RETRY_BUDGET_MS },
    awsRequestTimeoutMs: parsed.data.AWS_REQUEST_TIMEOUT_MS,
    claim: { ...DEFAULT_CLAIM_OPTIONS, waitMs: parsed.data.CLAIM_WAIT_MS, staleAfterMs: parsed.data.CLAIM_STALE_SECONDS * 1000 },
    eventBusName: parsed.data.EVENT_BUS_NAME,
  };
}
