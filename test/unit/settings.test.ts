import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors.js';
import { loadSettings } from '../../functions/core/settings.js';

const required = { CONFIG_PARAMETER_NAME: '/dcr/config' };

describe('loadSettings', () => {
  it('applies the documented defaults when only the config parameter is set', () => {
    // Prepare, Act
    const settings = loadSettings(required);

    // Assess
    expect(settings).toMatchObject({
      configParameterName: '/dcr/config',
      logLevel: 'INFO',
      iatCacheTtlMs: 300_000,
      idpTimeoutMs: 10_000,
      awsRequestTimeoutMs: 5_000,
      retry: { maxAttempts: 4, budgetMs: 20_000 },
      claim: { waitMs: 3_000, staleAfterMs: 900_000 },
      eventBusName: undefined,
    });
  });

  it('converts the numeric variables and treats empty ones as unset', () => {
    const settings = loadSettings({
      ...required,
      LOG_LEVEL: 'DEBUG',
      IAT_CACHE_TTL_SECONDS: '60',
      IDP_TIMEOUT_MS: '2500',
      IDP_MAX_ATTEMPTS: '2',
      IDP_RETRY_BUDGET_MS: '',
      CLAIM_STALE_SECONDS: '180',
      EVENT_BUS_NAME: 'tenants',
    });

    expect(settings).toMatchObject({
      logLevel: 'DEBUG',
      iatCacheTtlMs: 60_000,
      idpTimeoutMs: 2_500,
      retry: { maxAttempts: 2, budgetMs: 20_000 },
      claim: { staleAfterMs: 180_000 },
      eventBusName: 'tenants',
    });
  });

  it.each(['0', '-1', '1.5', '1e3', 'ten', ' 5', '99999999999'])('refuses IDP_TIMEOUT_MS=%j, naming the variable', (value) => {
    expect(() => loadSettings({ ...required, IDP_TIMEOUT_MS: value })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', message: expect.stringMatching(/IDP_TIMEOUT_MS: must be a positive integer/) }),
    );
  });

  it('requires CONFIG_PARAMETER_NAME and a known LOG_LEVEL', () => {
    expect(() => loadSettings({})).toThrow(ConfigurationError);
    expect(() => loadSettings({})).toThrow(/CONFIG_PARAMETER_NAME: is required/);
    expect(() => loadSettings({ ...required, LOG_LEVEL: 'TRACE' })).toThrow(/LOG_LEVEL/);
  });

  it('names every problem, in the order of the variables', () => {
    expect(() => loadSettings({ LOG_LEVEL: 'TRACE', CONFIG_CACHE_TTL_SECONDS: '-1', CLAIM_WAIT_MS: '0' })).toThrow(
      'environment is invalid: CONFIG_PARAMETER_NAME: is required: the SSM parameter holding the JSON configuration; ' +
        'LOG_LEVEL: expected one of "DEBUG", "INFO", "WARN", "ERROR"; CONFIG_CACHE_TTL_SECONDS: must be 0 or a positive integer; ' +
        'CLAIM_WAIT_MS: must be a positive integer',
    );
  });
});
