/** What docs/configuration.md and docs/config.schema.json say of each configuration field and environment variable. */
import type { ENV } from '../functions/core/constants.js';
import {
  DEFAULT_AWS_REQUEST_TIMEOUT_MS,
  DEFAULT_CLAIM_OPTIONS,
  DEFAULT_IAT_CACHE_TTL_SECONDS,
  DEFAULT_IDP_TIMEOUT_MS,
  DEFAULT_LANE_MAX_CONCURRENCY,
  DEFAULT_LANE_PACING_WAIT_MS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_RETRY_POLICY,
} from '../functions/core/options.js';

/** One description per field path (`targets.*` is any target name); the test requires exactly the schema's fields. */
export const FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  secretNamePrefix:
    "Prefix of every client secret: the secret of a tenant is `${secretNamePrefix}${target}/${tenantId}`. The stack sets it (`dcr:secretNamePrefix`, else the document's).",
  managementSecretNamePrefix:
    "Prefix of the management secrets, which hold each client's RFC 7592 credentials (`registration_client_uri`, `registration_access_token`) for the function alone: `${managementSecretNamePrefix}${target}/${tenantId}`. Unset: `secretNamePrefix` with `clients/` replaced by `management/` (`dcr/management/`), else with `.management/` appended. Neither prefix may start with the other (docs/secret-contract.md).",
  kmsKeyId:
    "KMS key (id, ARN or alias) that encrypts the new client secrets. Unset: the account's `aws/secretsmanager` key. The stack sets its own key; a targets document for the stack may not set it.",
  tenantSecretAccess:
    'Written by the stack, never by hand (DcrOnboarding): who the resource policy of each new tenant secret lets read it. Unset: no resource policy. See [access.md](access.md).',
  'tenantSecretAccess.functionRoleArn':
    "The function's role: the only principal allowed to change a tenant secret's tags (so `dcr:tenant` can be trusted), and a reader.",
  'tenantSecretAccess.readerArns':
    'IAM role or user ARNs, patterns allowed (`ArnNotLike`), that may read every tenant secret besides the function (context `dcr:tenantSecretReaders`).',
  'tenantSecretAccess.targetReaderArns':
    "Target name → readers of that target's tenant secrets only (principals given `grantReadTenantSecret`).",
  'tenantSecretAccess.targetReaderArns.*': 'The readers of one target.',
  defaultTarget: 'Target used when a request names none; must be one of `targets`.',
  offboardingRecoveryWindowDays:
    "Days an offboarded tenant's secret can still be restored (7–30, Secrets Manager's range), or `0` to delete it at once.",
  targets: 'The identity providers clients are registered at, by name (`^[a-z0-9][a-z0-9-]{0,31}$`); at least one.',
  'targets.*': 'One target. Unknown keys are allowed and ignored.',
  'targets.*.profile':
    "`salesforce` (Salesforce's request and response: `scopes` and `hybrid_auth_code` kept, `client_secret_post`) or `rfc7591` (any RFC 7591 server, `client_secret_basic` unless pinned).",
  'targets.*.registrationEndpoint':
    'The DCR endpoint, e.g. `https://login.salesforce.com/services/oauth2/register`. `https:` only; `http:` only for loopback hosts; no credentials or fragment. Give it or `issuer`.',
  'targets.*.issuer':
    "Instead of `registrationEndpoint`: `registration_endpoint` and `token_endpoint` are read from `{issuer}/.well-known/openid-configuration`, else `/.well-known/oauth-authorization-server` (RFC 8414), once per container. Same URL rule; the document must name the same issuer; the registration endpoint must be on the issuer's origin or in `allowedRegistrationOrigins`.",
  'targets.*.initialAccessTokenSecretId':
    'Name or ARN of the secret holding the initial access token, raw or as `{"initialAccessToken":"…"}`; the same as `registrationCredential: {"type":"initialAccessToken","secretId":…}`. Give this or `registrationCredential`, not both. In a targets document for the stack both may be left out: the stack creates `dcr/iat/<target>`.',
  'targets.*.registrationCredential':
    'How a registration is authorised ([providers.md](providers.md)), one of: `{"type":"initialAccessToken","secretId"}`; `{"type":"clientCredentials","tokenEndpoint","secretId","scope"?,"authMethod"?}` (the secret holds `{"client_id","client_secret"}` or `{"client_id","private_key_jwk"}`; `authMethod` `client_secret_basic` (default for a secret), `client_secret_post` or `private_key_jwt` (default for a key); the minted token is reused until 30 s before `expires_in` and replaced after a refusal); `{"type":"apiKey","secretId","header"?,"scheme"?}` (sent as `<header>: <scheme> <key>`, default `Authorization: SSWS <key>`, the bare key when `scheme` is `""`; the secret holds the key raw or as `{"apiKey":"…"}`); `{"type":"none"}` (open registration, never a default).',
  'targets.*.tokenEndpoint':
    "Token endpoint, stored with the credentials and used by the canary and by rotation's `testSecret`. Same URL rule. Unset: no token is requested.",
  'targets.*.clientMetadata':
    'RFC 7591 metadata sent on every registration. Every field not opened by `callerMetadata` is pinned: a caller cannot change it. Unknown fields are sent as they are (at most 50 fields).',
  'targets.*.clientMetadata.client_name': 'Client name shown at the provider.',
  'targets.*.clientMetadata.redirect_uris': 'Redirect URIs (at most 100).',
  'targets.*.clientMetadata.grant_types': 'Grant types, e.g. `["client_credentials"]`.',
  'targets.*.clientMetadata.response_types': 'Response types.',
  'targets.*.clientMetadata.contacts': 'Contact e-mail addresses.',
  'targets.*.clientMetadata.scope': 'Space-separated scopes requested for the client.',
  'targets.*.clientMetadata.token_endpoint_auth_method':
    "Client authentication to request. Unset: the profile's (`client_secret_post` for Salesforce, else `client_secret_basic`).",
  'targets.*.clientMetadata.application_type': 'OpenID Connect `application_type` (`web`, `native`).',
  'targets.*.callerMetadata':
    "The fields a request's `client` may set, each type- and size-checked; a `clientMetadata` value for one of them is its default. Anything else in `client` is refused with 400 `invalid_client_metadata` naming the field (docs/security.md).",
  'targets.*.allowedRedirectOrigins':
    "Origins (`https://host[:port]`) a caller's `redirect_uris` must be on, when `callerMetadata` opens them; none listed refuses every caller redirect URI.",
  'targets.*.allowedRegistrationOrigins': "Origins besides the issuer's that a discovered `registration_endpoint` may be on.",
  'targets.*.allowedManagementOrigins':
    'Origins besides the registration endpoint\'s that an issued `registration_client_uri` may be on (RFC 7592 calls carry the registration access token there). A client managed elsewhere is stored with `"management":"foreign-origin"`, logged and counted (`UnmanageableClient`).',
  'targets.*.tokenRequest':
    "Parameters added to every token request for this target's clients (canary, rotation's `testSecret`); examples for Okta, Entra ID and Salesforce in docs/token-requests.md.",
  'targets.*.tokenRequest.scope':
    'The `scope` parameter (RFC 6749 §3.3); Okta custom authorization servers and Entra ID (`{resource}/.default`) need one.',
  'targets.*.tokenRequest.audience': 'An Auth0-style `audience` parameter.',
  'targets.*.tokenRequest.resource': 'RFC 8707 resource indicator, or up to 5: each is sent as its own `resource` parameter.',
  'targets.*.tokenRequest.extraParams':
    'Any other parameter, name → value (at most 10). May not name `grant_type`, `client_id`, `client_secret`, `client_assertion*`, `scope`, `audience` or `resource` (compared without case).',
  'targets.*.tokenRequest.extraParams.*': 'One parameter value: printable, no control characters.',
  'targets.*.acceptedAuthMethods':
    '`token_endpoint_auth_method`s the provider may answer with besides the one requested; any other answer is an unusable registration: the client is deleted and the request fails with 502.',
  'targets.*.clientKeyAlgorithm':
    "For a `private_key_jwt` client (`clientMetadata.token_endpoint_auth_method`): the algorithm of the key pair generated per tenant, `ES256` (default), `RS256`, `PS256` (RSA 2048) or `EdDSA` (Ed25519). Only the public key is registered (`jwks`, `kid` = RFC 7638 thumbprint); the private key is the tenant secret's `private_key_jwk`. Such a target may set neither `jwks` nor `jwks_uri`.",
  'targets.*.rateLimit':
    "The onboarding lane's pace for this target. Unset: unpaced until the provider answers 429, then slower (docs/scaling.md).",
  'targets.*.renewBeforeSeconds':
    'The scheduled `renew` (daily) rotates a client secret whose `client_secret_expires_at` is this close (3600 s to a year). Default 604800 (7 days). Secrets that never expire (`0`) are left alone.',
  'targets.*.readiness':
    'Confirm each new client can obtain a token before `ClientReady` is published (a provider that activates clients late: Salesforce). Unset: `ClientReady` follows `ClientRegistered` at once. The function does not wait: it tries again through a delayed message on the onboarding lane (docs/triggers.md).',
  'targets.*.readiness.timeoutSeconds':
    'How long after registration the client may take to work (10–3600, default 900); then `ClientNotReady` is counted and `ClientReady` published with `readiness: "timed-out"`. The client stays registered.',
  'targets.*.readiness.intervalSeconds': 'Seconds between tries (1–900, SQS DelaySeconds; default 60).',
  'targets.*.rateLimit.registrationsPerSecond':
    'Registrations, RFC 7592 updates and deletions per second across all lane instances; each instance takes `registrationsPerSecond / maxConcurrency`.',
};

interface EnvEntry {
  default: string;
  description: string;
}

/** The function's environment; keyed by the constants module, so a new variable without a line here is a type error. */
export const ENV_DESCRIPTIONS: Readonly<Record<keyof typeof ENV, EnvEntry>> = {
  CONFIG_PARAMETER_NAME: {
    default: 'required',
    description: 'SSM parameter (String or SecureString) holding the JSON configuration; the stack sets `/<stack>/config`.',
  },
  LOG_LEVEL: {
    default: DEFAULT_LOG_LEVEL,
    description: '`DEBUG`, `INFO`, `WARN` or `ERROR` (`dcr:logLevel`). Metric lines are written at any level.',
  },
  IAT_CACHE_TTL_SECONDS: {
    default: String(DEFAULT_IAT_CACHE_TTL_SECONDS),
    description: 'How long an initial access token read from Secrets Manager is reused; a 401/403 re-reads it once.',
  },
  IDP_TIMEOUT_MS: {
    default: String(DEFAULT_IDP_TIMEOUT_MS),
    description: 'Timeout of one request to the identity provider (discovery included), answer body included.',
  },
  IDP_MAX_ATTEMPTS: {
    default: String(DEFAULT_RETRY_POLICY.maxAttempts),
    description: 'Attempts of an identity-provider call after 429, 5xx and network failures, the first included.',
  },
  IDP_RETRY_BUDGET_MS: {
    default: String(DEFAULT_RETRY_POLICY.budgetMs),
    description: 'Total time for all attempts and waits of one identity-provider call.',
  },
  AWS_REQUEST_TIMEOUT_MS: {
    default: String(DEFAULT_AWS_REQUEST_TIMEOUT_MS),
    description: "Timeout of one AWS SDK request; the SDK's own retries come on top.",
  },
  AWS_MAX_ATTEMPTS: {
    default: '3',
    description: 'Read by the AWS SDK itself (standard retry strategy); the stack pins it so its timeout computation holds.',
  },
  CLAIM_WAIT_MS: {
    default: String(DEFAULT_CLAIM_OPTIONS.waitMs),
    description:
      'How long a duplicate request waits for the registration in progress before answering "in progress" (503, or 409 `operation_in_progress` for a lease).',
  },
  CLAIM_STALE_SECONDS: {
    default: String(DEFAULT_CLAIM_OPTIONS.staleAfterMs / 1000),
    description:
      'Age after which a pending claim belongs to an invocation that has ended and may be taken over; must exceed the function timeout.',
  },
  EVENT_BUS_NAME: {
    default: 'unset',
    description: 'Bus for the outcome events (`source: "dcr-onboarding"`); none are published when unset.',
  },
  LANE_MAX_CONCURRENCY: {
    default: String(DEFAULT_LANE_MAX_CONCURRENCY),
    description: "Lane instances sharing a target's `rateLimit`; the stack sets it from `dcr:onboardingLane.maxConcurrency`.",
  },
  LANE_PACING_WAIT_MS: {
    default: String(DEFAULT_LANE_PACING_WAIT_MS),
    description:
      'Longest a lane invocation waits for pacing tokens; later records are put back until their slot. The stack sets it from `dcr:onboardingLane.pacingWaitSeconds`.',
  },
  LANE_QUEUE_ARN: {
    default: 'unset',
    description: "The lane queue's ARN, set by the stack (with `LANE_QUEUE_URL` it saves a `GetQueueUrl`).",
  },
  LANE_QUEUE_URL: {
    default: 'unset',
    description: "The lane queue's URL, set by the stack; `dcr import` and `dcr lane` read it too (or `--lane-queue-url`).",
  },
  CONFIG_CACHE_TTL_SECONDS: {
    default: '60',
    description:
      'Seconds a warm container uses its loaded configuration before reading the parameter again (`0`: every invocation); an invalid or unreadable new one keeps the last good one (WARN line, `ConfigReloadFailed` metric).',
  },
  CONFIG_HASH: {
    default: 'unset',
    description: 'A hash of the deployed configuration, set by the stack: a deploy that changes the configuration also rolls the function.',
  },
};
