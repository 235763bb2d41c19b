/**
 * Every default and limit of the service, in one place. Changing one here changes it for the function,
 * the CLI and the sandbox alike. Defaults marked "env" can be overridden per deployment through the
 * named environment variable (functions/core/settings.ts validates them); limits cannot.
 * docs/security.md explains the size limits, docs/scaling.md the lane's.
 */

// ---- Calls to the identity provider -------------------------------------------------------------

/**
 * Timeout of one request to the identity provider, answer body included (env IDP_TIMEOUT_MS). The
 * same value bounds a discovery fetch: discovery is a request to the same server, on the same path to
 * a registration, so one number says how long the service waits for that server. A timeout after a
 * POST was sent is an ambiguous outcome (the client may exist).
 */
export const DEFAULT_IDP_TIMEOUT_MS = 10_000;

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time for all attempts and waits; keep it below the function timeout. */
  budgetMs: number;
}

/**
 * Retries of identity-provider calls after 429, 5xx and network failures: full-jitter backoff from
 * 200 ms, at most 5 s apart, 4 attempts (env IDP_MAX_ATTEMPTS) within 20 s (env IDP_RETRY_BUDGET_MS).
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000, budgetMs: 20_000 };

/** How long an initial access token read from Secrets Manager is reused (env IAT_CACHE_TTL_SECONDS). */
export const DEFAULT_IAT_CACHE_TTL_SECONDS = 300;

/**
 * How long a warm container uses its loaded configuration before reading the parameter again (env
 * CONFIG_CACHE_TTL_SECONDS; 0 reads it on every invocation). An invalid new one keeps the last good one.
 */
export const DEFAULT_CONFIG_CACHE_TTL_SECONDS = 60;

/**
 * A registration token minted by client credentials is reused until this long before its
 * `expires_in` runs out (half its lifetime when that is shorter than twice this), so it never expires
 * on the way. Without `expires_in` it is reused as long as an initial access token is.
 */
export const REGISTRATION_TOKEN_EXPIRY_SKEW_MS = 30_000;

// ---- Calls to AWS --------------------------------------------------------------------------------

/** One AWS SDK request (env AWS_REQUEST_TIMEOUT_MS); the SDK's own retries come on top. */
export const DEFAULT_AWS_REQUEST_TIMEOUT_MS = 5_000;

/** Opening a connection to an AWS endpoint. */
export const AWS_CONNECTION_TIMEOUT_MS = 2_000;

// ---- Duplicate handling (docs/idempotency.md) ----------------------------------------------------

export interface ClaimOptions {
  /** How long a duplicate waits for the winner to finish before answering "in progress". */
  waitMs: number;
  pollMs: number;
  /** A pending claim older than this belongs to an invocation that has ended: it may be taken over. */
  staleAfterMs: number;
}

/**
 * A duplicate waits 3 s for the winner (env CLAIM_WAIT_MS), looking every 150 ms; a claim older than
 * 15 min (env CLAIM_STALE_SECONDS), the Lambda maximum, belongs to an invocation that has ended.
 */
export const DEFAULT_CLAIM_OPTIONS: ClaimOptions = { waitMs: 3_000, pollMs: 150, staleAfterMs: 900_000 };

// ---- The SQS onboarding lane (docs/scaling.md) ---------------------------------------------------

/** Instances that share one provider's rate (env LANE_MAX_CONCURRENCY, set by the stack). */
export const DEFAULT_LANE_MAX_CONCURRENCY = 5;

/** Longest a lane invocation waits for pacing tokens (env LANE_PACING_WAIT_MS). */
export const DEFAULT_LANE_PACING_WAIT_MS = 30_000;

// ---- Logging ---------------------------------------------------------------------------------------

/** env LOG_LEVEL. */
export const DEFAULT_LOG_LEVEL = 'INFO' as const;

// ---- Size and shape limits of every boundary (docs/security.md explains each) ---------------------

/** `POST /registrations` body (and an event's detail): larger bodies are refused with 413. */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024;

/** Any identity-provider answer (registration, RFC 7592, discovery, token); the request is aborted past it. */
export const MAX_UPSTREAM_BODY_BYTES = 256 * 1024;

/** Secrets Manager's limit for one SecretString: the record is checked against it before registering. */
export const MAX_SECRET_BYTES = 65_536;

/** Room the provider's answer needs in the stored record (secret, token, URI, echoed metadata). */
export const RESERVED_RECORD_BYTES = 16 * 1024;

/** Longest identifier or secret accepted from a provider before it is logged or stored. */
export const MAX_CLIENT_ID_LENGTH = 512;
export const MAX_CREDENTIAL_LENGTH = 4096;
export const MAX_URI_LENGTH = 2048;

/** Upstream error descriptions are quoted at most this long, after sanitising. */
export const MAX_QUOTED_DESCRIPTION = 200;

/** Rotation request ids remembered per tenant, so any redelivered request is a no-op. */
export const ROTATION_HISTORY_SIZE = 20;

/** A secret is renewed this long before its `client_secret_expires_at` (per target: `renewBeforeSeconds`). */
export const DEFAULT_RENEW_BEFORE_SECONDS = 7 * 86_400;

/**
 * Tenants one scheduled `renew` or `reconcile` reads at most; a larger fleet is covered over several
 * runs (each run starts where the day's turn puts it: docs/operations.md). Provider calls run
 * MAINTENANCE_CONCURRENCY at a time.
 */
export const MAINTENANCE_MAX_TENANTS_PER_RUN = 200;
export const MAINTENANCE_CONCURRENCY = 4;

/** A target's `readiness` defaults: how long a new client may take to work, and how often it is tried. */
export const DEFAULT_READINESS_TIMEOUT_SECONDS = 900;
export const MAX_READINESS_TIMEOUT_SECONDS = 3_600;
export const DEFAULT_READINESS_INTERVAL_SECONDS = 60;
/** SQS's longest DelaySeconds: a readiness check waits at most this long between tries. */
export const MAX_SQS_DELAY_SECONDS = 900;
