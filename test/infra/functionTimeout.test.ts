import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../functions/core/settings.js';
import { functionTimeoutSeconds, LAMBDA_MAX_TIMEOUT_SECONDS, timeEnvironment, worstCaseDurationMs } from '../../infra/functionTimeout.js';

const settings = (env: Record<string, string> = {}) => loadSettings({ CONFIG_PARAMETER_NAME: 'p', ...env });

describe('the function timeout formula', () => {
  it('adds up four retried provider operations, discovery, ten AWS call series, the claim wait and own work', () => {
    // Prepare
    const defaults = settings();

    // Act
    const worst = worstCaseDurationMs(defaults);

    // Assess: each AWS call is 3 attempts × (5 s request + 2 s connect) + 1 s + 2 s of throttling backoff
    expect(worst).toBe(4 * (20_000 + 10_000) + 10_000 + 10 * (3 * 7_000 + 3_000) + 3_000 + 2_000);
    expect(functionTimeoutSeconds(defaults)).toBe(375);
  });

  it('follows every setting it names', () => {
    // Prepare
    const base = worstCaseDurationMs(settings());

    // Act
    const deltas = {
      idpTimeout: worstCaseDurationMs(settings({ IDP_TIMEOUT_MS: '11000' })) - base,
      budget: worstCaseDurationMs(settings({ IDP_RETRY_BUDGET_MS: '21000' })) - base,
      awsTimeout: worstCaseDurationMs(settings({ AWS_REQUEST_TIMEOUT_MS: '6000' })) - base,
      claimWait: worstCaseDurationMs(settings({ CLAIM_WAIT_MS: '4000' })) - base,
      oneAttempt: worstCaseDurationMs(settings({ IDP_MAX_ATTEMPTS: '1' })) - base,
    };

    // Assess: a second longer provider request counts in 4 operations and discovery; the budget in 4
    // operations; an AWS attempt in 3 attempts of 10 calls; a single attempt drops the budget.
    expect(deltas).toEqual({ idpTimeout: 5_000, budget: 4_000, awsTimeout: 30_000, claimWait: 1_000, oneAttempt: -80_000 });
  });

  it('keeps a configured timeout that covers the worst case', () => {
    // Prepare, Act, Assess
    expect(functionTimeoutSeconds(settings(), 375)).toBe(375);
    expect(functionTimeoutSeconds(settings(), 600)).toBe(600);
  });

  it.each([
    [
      'a timeout below the worst case',
      374,
      /timeout of 374 s is shorter than its worst-case duration of 375 s .*IDP_RETRY_BUDGET_MS=20000/,
    ],
    ["a timeout over Lambda's maximum", LAMBDA_MAX_TIMEOUT_SECONDS + 1, /whole number of seconds from 1 to 900, not 901/],
    ['a zero timeout', 0, /whole number of seconds from 1 to 900, not 0/],
    ['a fractional timeout', 400.5, /whole number of seconds/],
  ])('refuses %s', (_name, configured, message) => {
    // Prepare
    const defaults = settings();

    // Act
    const derive = () => functionTimeoutSeconds(defaults, configured);

    // Assess
    expect(derive).toThrow(message);
  });

  it('refuses settings whose worst case exceeds 900 s, whatever the configured timeout', () => {
    // Prepare: 4 × (200 + 10) s of provider operations alone
    const slow = settings({ IDP_RETRY_BUDGET_MS: '200000' });

    // Act
    const derive = () => functionTimeoutSeconds(slow, 900);

    // Assess
    expect(derive).toThrow(/worst-case duration is 1,?\d{3} s .* over Lambda's 900 s maximum/);
  });

  it('writes every figure it used into the function environment, validated by the function itself', () => {
    // Prepare, Act
    const { env, parsed } = timeEnvironment({ idpTimeoutMs: 8000, claimWaitMs: 1000 });

    // Assess
    expect(env).toEqual({
      IDP_TIMEOUT_MS: '8000',
      IDP_MAX_ATTEMPTS: '4',
      IDP_RETRY_BUDGET_MS: '20000',
      AWS_REQUEST_TIMEOUT_MS: '5000',
      AWS_MAX_ATTEMPTS: '3',
      CLAIM_WAIT_MS: '1000',
    });
    expect(loadSettings({ CONFIG_PARAMETER_NAME: 'synth', ...env })).toEqual(parsed);
    expect(() => timeEnvironment({ idpMaxAttempts: 0 })).toThrow(/IDP_MAX_ATTEMPTS/);
    expect(() => timeEnvironment({ awsRequestTimeoutMs: -5 })).toThrow(/AWS_REQUEST_TIMEOUT_MS/);
  });
});
