import { awsClientDefaults } from '../functions/core/aws/awsClientDefaults.js';
import { loadSettings, type Settings } from '../functions/core/settings.js';
import { ENV } from '../functions/core/constants.js';

/** The function's time settings (its environment); each has the function's own default. */
export interface FunctionTimeSettings {
  /** IDP_TIMEOUT_MS: one provider request, body included. Default 10 000. */
  readonly idpTimeoutMs?: number;
  /** IDP_MAX_ATTEMPTS: attempts of one provider operation, the first included. Default 4. */
  readonly idpMaxAttempts?: number;
  /** IDP_RETRY_BUDGET_MS: no provider attempt starts after this much time in one operation. Default 20 000. */
  readonly idpRetryBudgetMs?: number;
  /** AWS_REQUEST_TIMEOUT_MS: one AWS SDK attempt. Default 5 000. */
  readonly awsRequestTimeoutMs?: number;
  /** CLAIM_WAIT_MS: how long a duplicate registration waits for the winner. Default 3 000. */
  readonly claimWaitMs?: number;
}

/** Lambda's hard limit. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** The SDK's standard retry strategy, pinned in the function's environment so the figure below holds. */
export const AWS_MAX_ATTEMPTS = 3;

/**
 * The longest path through the function, counted in waits that can each run to their limit. It is
 * the canary against a target with RFC 7592 (a registration makes a subset of the same calls).
 */
export const LONGEST_PATH = {
  /** Retried provider operations: register, register again after a 401 with the re-read IAT, prove the credentials at the token endpoint, delete the client. */
  providerOperations: 4,
  /** Single provider requests: the issuer's discovery document. */
  providerRequests: 1,
  /**
   * AWS calls made one after another: GetParameter (config), GetSecretValue (IAT, and its re-read
   * after a 401), CreateSecret and GetSecretValue (claim), PutSecretValue (credentials),
   * GetSecretValue (read back), PutEvents (outcome), DeleteSecret, and one more for a lease or
   * release step.
   */
  awsCalls: 10,
} as const;

// The SDK's standard strategy waits random × min(20 s, base × 2^retry) before each retry; the base is
// 500 ms for throttling (100 ms otherwise).
const AWS_THROTTLING_RETRY_BASE_MS = 500;
const AWS_MAX_RETRY_DELAY_MS = 20_000;
// The handler's own CPU (JSON, crypto, logging) on top of the waits: ~0.2 s measured (README).
const OWN_WORK_MS = 2_000;

/** The function's environment for these settings, validated by the function's own loadSettings. */
export function timeEnvironment(settings: FunctionTimeSettings): { env: Record<string, string>; parsed: Settings } {
  const env: Record<string, string> = {};
  const set = (key: string, value: number | undefined) => {
    if (value !== undefined) env[key] = String(value);
  };
  set(ENV.IDP_TIMEOUT_MS, settings.idpTimeoutMs);
  set(ENV.IDP_MAX_ATTEMPTS, settings.idpMaxAttempts);
  set(ENV.IDP_RETRY_BUDGET_MS, settings.idpRetryBudgetMs);
  set(ENV.AWS_REQUEST_TIMEOUT_MS, settings.awsRequestTimeoutMs);
  set(ENV.CLAIM_WAIT_MS, settings.claimWaitMs);
  // The function's own schema, with its defaults: what the stack computes with is what the function reads.
  const parsed = loadSettings({ ...env, [ENV.CONFIG_PARAMETER_NAME]: 'synth' });
  return {
    env: {
      [ENV.IDP_TIMEOUT_MS]: String(parsed.idpTimeoutMs),
      [ENV.IDP_MAX_ATTEMPTS]: String(parsed.retry.maxAttempts),
      [ENV.IDP_RETRY_BUDGET_MS]: String(parsed.retry.budgetMs),
      [ENV.AWS_REQUEST_TIMEOUT_MS]: String(parsed.awsRequestTimeoutMs),
      [ENV.AWS_MAX_ATTEMPTS]: String(AWS_MAX_ATTEMPTS),
      [ENV.CLAIM_WAIT_MS]: String(parsed.claim.waitMs),
    },
    parsed,
  };
}

/**
 * The longest an invocation can take when every wait runs to its limit:
 *
 *   providerOperations × (budget + idpTimeout)          a retried provider operation starts no attempt
 *                                                       after its budget, and that attempt may run a
 *                                                       full idpTimeout (just idpTimeout with 1 attempt)
 * + providerRequests × idpTimeout                       single requests (discovery)
 * + awsCalls × (attempts × (connect + request timeout)  each AWS call: every SDK attempt stalls to its
 *               + Σ retry delays)                       limits, with the throttling backoff between
 * + claimWait                                           a duplicate waits for the winner once
 * + own work
 *
 * Stopping half-way would strand a pending claim or an unstored client, so the function timeout
 * covers all of it even though the HTTP API stops waiting at 30 s.
 */
export function worstCaseDurationMs(settings: Settings): number {
  const providerOperation = settings.idpTimeoutMs + (settings.retry.maxAttempts > 1 ? settings.retry.budgetMs : 0);
  const { requestTimeout, connectionTimeout } = awsClientDefaults(settings).requestHandler;
  let awsRetryDelays = 0;
  for (let retry = 1; retry < AWS_MAX_ATTEMPTS; retry++) {
    awsRetryDelays += Math.min(AWS_MAX_RETRY_DELAY_MS, AWS_THROTTLING_RETRY_BASE_MS * 2 ** retry);
  }
  const awsCall = AWS_MAX_ATTEMPTS * (connectionTimeout + requestTimeout) + awsRetryDelays;
  return (
    LONGEST_PATH.providerOperations * providerOperation +
    LONGEST_PATH.providerRequests * settings.idpTimeoutMs +
    LONGEST_PATH.awsCalls * awsCall +
    settings.claim.waitMs +
    OWN_WORK_MS
  );
}

/**
 * The function timeout in seconds: the worst case rounded up, or the configured one when it covers
 * the worst case. Refuses what cannot fit, naming the figures.
 */
export function functionTimeoutSeconds(settings: Settings, configuredSeconds?: number): number {
  const worstSeconds = Math.ceil(worstCaseDurationMs(settings) / 1000);
  const figures =
    `IDP_TIMEOUT_MS=${settings.idpTimeoutMs}, IDP_MAX_ATTEMPTS=${settings.retry.maxAttempts}, ` +
    `IDP_RETRY_BUDGET_MS=${settings.retry.budgetMs}, AWS_REQUEST_TIMEOUT_MS=${settings.awsRequestTimeoutMs}, ` +
    `CLAIM_WAIT_MS=${settings.claim.waitMs}`;
  if (worstSeconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
    throw new Error(
      `the function's worst-case duration is ${worstSeconds} s (${figures}), over Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s maximum: ` +
        'lower the provider or AWS timeouts, the retry budget or the claim wait',
    );
  }
  if (configuredSeconds === undefined) return worstSeconds;
  if (!Number.isInteger(configuredSeconds) || configuredSeconds < 1 || configuredSeconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
    throw new Error(
      `the function timeout must be a whole number of seconds from 1 to ${LAMBDA_MAX_TIMEOUT_SECONDS}, not ${configuredSeconds}`,
    );
  }
  if (configuredSeconds < worstSeconds) {
    throw new Error(
      `the function timeout of ${configuredSeconds} s is shorter than its worst-case duration of ${worstSeconds} s (${figures}): ` +
        'raise the timeout or lower the timeouts and budgets',
    );
  }
  return configuredSeconds;
}
