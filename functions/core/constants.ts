/**
 * The names the function and the stack (infra/) must agree on: event detail-types, metric names and
 * environment variables. Both import them from here, so a rename is one edit and a typo a type error.
 */

/** `detail-type`s of the tenant events the function handles; the stack's rule matches exactly these. */
export const TENANT_EVENTS = {
  onboarded: 'TenantOnboarded',
  offboarded: 'TenantOffboarded',
  rotationRequested: 'ClientSecretRotationRequested',
} as const;
export type TenantEventType = (typeof TENANT_EVENTS)[keyof typeof TENANT_EVENTS];
export const TENANT_EVENT_DETAIL_TYPES: readonly TenantEventType[] = Object.values(TENANT_EVENTS);

export function isTenantEventType(value: string): value is TenantEventType {
  return (TENANT_EVENT_DETAIL_TYPES as readonly string[]).includes(value);
}

/** `source` of the outcome events the function publishes; the tenant-event rule never matches it. */
export const OUTCOME_SOURCE = 'dcr-onboarding';

/** `detail-type`s of the outcome events the function publishes (with source OUTCOME_SOURCE). */
export const OUTCOME_TYPES = [
  'ClientRegistered',
  'ClientRegistrationFailed',
  'ClientDeregistered',
  'ClientSecretRotated',
  /** A client exists at the provider that the service could neither store nor delete: an operator must remove it. */
  'ClientOrphaned',
  /**
   * Offboarding completed but the provider refused the RFC 7592 DELETE with 401/403: the client is
   * gone already (RFC 7592 §2) or its registration access token is not valid. An operator checks.
   */
  'ClientDeletionUnconfirmed',
  /** A new client proved it can obtain a token (a target's `readiness`), or was registered where no readiness check is set. */
  'ClientReady',
  /** Reconciliation found a stored client gone at the provider, or its metadata differing from the configuration. */
  'ClientDrifted',
  /** A client secret expired, or its renewal before `client_secret_expires_at` failed. */
  'ClientSecretRenewalFailed',
] as const;

/** CloudWatch namespace of every EMF metric the function writes. */
export const METRICS_NAMESPACE = 'DcrOnboarding';

/** The dimension of per-target metrics (a target name, never a tenant). */
export const TARGET_DIMENSION = 'Target';

/**
 * Metric names. Those the stack alarms on (ServiceAlarms.ts) are also written without dimensions, so
 * one alarm covers every target; the others are per target only.
 */
export const METRICS = {
  /** 1 per canary run that proved a client, 0 otherwise. */
  canarySuccess: 'CanarySuccess',
  /** 1 per canary run that failed (the function logs `canary failed`); alarmed. */
  canaryFailure: 'CanaryFailure',
  canaryMisconfigured: 'CanaryMisconfigured',
  canaryNotActiveYet: 'CanaryNotActiveYet',
  canaryClientReplaced: 'CanaryClientReplaced',
  canaryDuration: 'CanaryDuration',
  /** A client exists at the provider that the service could neither store nor delete; alarmed. */
  clientOrphaned: 'ClientOrphaned',
  /** A client may exist at the provider without a stored secret (an unanswered registration, a stale claim); alarmed. */
  possibleOrphan: 'PossibleOrphan',
  clientDeletionUnconfirmed: 'ClientDeletionUnconfirmed',
  unmanageableClient: 'UnmanageableClient',
  /** 1 per canary run, whatever its result: the heartbeat alarm fires when it stops arriving. */
  canaryRun: 'CanaryRun',
  /** A renewal before `client_secret_expires_at` failed. */
  secretRenewalFailed: 'SecretRenewalFailed',
  /** A stored client secret is past its `client_secret_expires_at`. */
  clientSecretExpired: 'ClientSecretExpired',
  /** Reconciliation found a stored client missing at the provider, or drifted from the configuration. */
  clientDrifted: 'ClientDrifted',
  /** A new client never proved ready within its target's readiness window. */
  clientNotReady: 'ClientNotReady',
  /** A tenant event (EventBridge or the lane) failed terminally: logged and dropped, no retry fixes it. */
  tenantEventFailed: 'TenantEventFailed',
  /** The HTTP API answered 5xx (Lambda's Errors metric never counts an answered request). */
  httpServerError: 'HttpServerError',
  /** An outcome event (ClientRegistered, …) could not be published. */
  outcomePublishFailed: 'OutcomePublishFailed',
  /** A reloaded configuration was invalid: the last good one stays in use. */
  configReloadFailed: 'ConfigReloadFailed',
} as const;
export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** The metrics the stack alarms on: written once more without dimensions. */
export const ALARMED_METRICS: readonly MetricName[] = [
  METRICS.canaryFailure,
  METRICS.canaryRun,
  METRICS.clientOrphaned,
  METRICS.possibleOrphan,
  METRICS.tenantEventFailed,
  METRICS.httpServerError,
  METRICS.outcomePublishFailed,
  METRICS.configReloadFailed,
  METRICS.secretRenewalFailed,
  METRICS.clientSecretExpired,
  METRICS.clientDrifted,
  METRICS.clientNotReady,
];

/** The function's environment variables (functions/core/settings.ts and laneSettings.ts validate them). */
export const ENV = {
  CONFIG_PARAMETER_NAME: 'CONFIG_PARAMETER_NAME',
  LOG_LEVEL: 'LOG_LEVEL',
  IAT_CACHE_TTL_SECONDS: 'IAT_CACHE_TTL_SECONDS',
  IDP_TIMEOUT_MS: 'IDP_TIMEOUT_MS',
  IDP_MAX_ATTEMPTS: 'IDP_MAX_ATTEMPTS',
  IDP_RETRY_BUDGET_MS: 'IDP_RETRY_BUDGET_MS',
  AWS_REQUEST_TIMEOUT_MS: 'AWS_REQUEST_TIMEOUT_MS',
  /** Read by the AWS SDK itself; the stack pins it so the timeout computation holds. */
  AWS_MAX_ATTEMPTS: 'AWS_MAX_ATTEMPTS',
  CLAIM_WAIT_MS: 'CLAIM_WAIT_MS',
  CLAIM_STALE_SECONDS: 'CLAIM_STALE_SECONDS',
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  LANE_MAX_CONCURRENCY: 'LANE_MAX_CONCURRENCY',
  LANE_PACING_WAIT_MS: 'LANE_PACING_WAIT_MS',
  LANE_QUEUE_ARN: 'LANE_QUEUE_ARN',
  LANE_QUEUE_URL: 'LANE_QUEUE_URL',
  /** Seconds a loaded configuration is used before it is read again (default 60). */
  CONFIG_CACHE_TTL_SECONDS: 'CONFIG_CACHE_TTL_SECONDS',
  /** A hash of the deployed configuration: a deploy that changes it also rolls the function. */
  CONFIG_HASH: 'CONFIG_HASH',
} as const;
