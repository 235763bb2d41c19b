import * as z from 'zod/mini';
import { ConfigurationError } from './errors.js';
import { describeIssues } from './config/serviceConfig.js';

const positiveInt = z.pipe(z.string(), z.transform((v) => Number(v))).check(
  z.refine((n) => Number.isInteger(n) && n > 0, 'must be a positive integer'),
);

const settingsSchema = z.object({
  CONFIG_PARAMETER_NAME: z.string().check(z.minLength(1, 'is required: the SSM parameter holding the JSON configuration')),
  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']), 'INFO'),
  IAT_CACHE_TTL_SECONDS: z._default(positiveInt, 300),
  IDP_TIMEOUT_MS: z._default(positiveInt, 10_000),
});

export interface Settings {
  configParameterName: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  iatCacheTtlMs: number;
  idpTimeoutMs: number;
}

/** The function's environment, validated once at init. */
export function loadSettings(env: Record<string, string | undefined>): Settings {
  const parsed = settingsSchema.safeParse({
    CONFIG_PARAMETER_NAME: env.CONFIG_PARAMETER_NAME ?? '',
    LOG_LEVEL: env.LOG_LEVEL || undefined,
    IAT_CACHE_TTL_SECONDS: env.IAT_CACHE_TTL_SECONDS || undefined,
    IDP_TIMEOUT_MS: env.IDP_TIMEOUT_MS || undefined,
  });
  if (!parsed.success) throw new ConfigurationError(`environment is invalid: ${describeIssues(parsed.error.issues)}`);
  return {
    configParameterName: parsed.data.CONFIG_PARAMETER_NAME,
    logLevel: parsed.data.LOG_LEVEL,
    iatCacheTtlMs: parsed.data.IAT_CACHE_TTL_SECONDS * 1000,
    idpTimeoutMs: parsed.data.IDP_TIMEOUT_MS,
  };
}
