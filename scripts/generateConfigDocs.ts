/**
 * Generates docs/configuration.md and docs/config.schema.json from the schema the function validates
 * its configuration with (functions/core/config/serviceConfig.ts) and from its environment
 * (functions/core/constants.ts names, functions/core/options.ts defaults). `npm run docs:config`
 * writes both; test/unit/configurationDocs.test.ts fails when either is not current or a field of the
 * schema has no description here.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { serviceConfigSchema } from '../functions/core/config/serviceConfig.js';
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

export const CONFIGURATION_DOC = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
export const CONFIG_SCHEMA_FILE = fileURLToPath(new URL('../docs/config.schema.json', import.meta.url));

/** One description per field path (`targets.*` is any target name); the test requires exactly the schema's fields. */
export const FIELD_DESCRIPTIONS: Readonly<Record<string, string>> = {
  secretNamePrefix:
    "Prefix of every client secret: the secret of a tenant is `${secretNamePrefix}${target}/${tenantId}`. The stack sets it (`dcr:secretNamePrefix`, else the document's).",
  kmsKeyId:
    "KMS key (id, ARN or alias) that encrypts the new client secrets. Unset: the account's `aws/secretsmanager` key. The stack sets its own key; a targets document for the stack may not set it.",
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
    'Name or ARN of the secret holding the initial access token, raw or as `{"initialAccessToken":"…"}`. In a targets document for the stack it may be left out: the stack creates `dcr/iat/<target>`.',
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
  'targets.*.rateLimit':
    "The onboarding lane's pace for this target. Unset: unpaced until the provider answers 429, then slower (docs/scaling.md).",
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
};

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  description?: string;
  [key: string]: unknown;
};

interface Field {
  path: string;
  node: JsonSchema;
  required: boolean;
}

/** The schema's JSON Schema (input side: fields with defaults are optional), before descriptions are added. */
function rawJsonSchema(): JsonSchema {
  return z.toJSONSchema(serviceConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** Every field of a JSON Schema as a dotted path; a record's values are `name.*`. */
function fieldsOf(node: JsonSchema, prefix = ''): Field[] {
  const fields: Field[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    fields.push({ path, node: child, required: node.required?.includes(key) ?? false }, ...fieldsOf(child, path));
  }
  if (node.propertyNames && typeof node.additionalProperties === 'object') {
    const path = `${prefix}.*`;
    fields.push({ path, node: node.additionalProperties, required: false }, ...fieldsOf(node.additionalProperties, path));
  }
  return fields;
}

/** The field paths of the configuration schema, in schema order. */
export function schemaFieldPaths(): string[] {
  return fieldsOf(rawJsonSchema()).map((field) => field.path);
}

/** docs/config.schema.json: the JSON Schema with a description on every field, for editors (`"$schema"` in a config file). */
export function renderConfigSchema(): string {
  const schema = rawJsonSchema();
  for (const field of fieldsOf(schema)) {
    const description = FIELD_DESCRIPTIONS[field.path];
    if (description) field.node.description = description;
  }
  const document = {
    $schema: schema.$schema,
    title: 'dcr-onboarding configuration',
    description: 'The JSON document in the SSM parameter CONFIG_PARAMETER_NAME (docs/configuration.md). Generated by npm run docs:config.',
    ...schema,
    properties: { $schema: { type: 'string', description: 'This schema, for editors; ignored by the function.' }, ...schema.properties },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function typeOf(node: JsonSchema): string {
  if (node.anyOf) return node.anyOf.map(typeOf).join(' or ');
  if (node.enum) return node.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  if (node.type === 'array' && node.items) {
    const count =
      node.minItems !== undefined ? `${node.minItems}–${node.maxItems ?? '∞'}` : node.maxItems !== undefined ? `≤ ${node.maxItems}` : '';
    return `array${count ? ` (${count})` : ''} of ${typeOf(node.items)}`;
  }
  if (node.type === 'object' && node.propertyNames) return 'object: name → value';
  const limits: string[] = [];
  if (node.pattern) limits.push(`\`${node.pattern.replaceAll('|', '\\|')}\``);
  if (node.minLength !== undefined) limits.push(`${node.minLength}–${node.maxLength ?? '∞'} chars`);
  else if (node.maxLength !== undefined) limits.push(`≤ ${node.maxLength} chars`);
  if (node.exclusiveMinimum !== undefined) limits.push(`> ${node.exclusiveMinimum}`);
  if (node.maximum !== undefined) limits.push(`≤ ${node.maximum}`);
  return `${node.type ?? 'any'}${limits.length ? ` (${limits.join(', ')})` : ''}`;
}

function defaultOf(field: Field): string {
  if (field.node.default !== undefined) return `\`${JSON.stringify(field.node.default)}\``;
  return field.required ? 'required' : '—';
}

const EXAMPLE = {
  secretNamePrefix: 'dcr/clients/',
  defaultTarget: 'default',
  targets: {
    default: {
      profile: 'salesforce',
      registrationEndpoint: 'https://login.salesforce.com/services/oauth2/register',
      initialAccessTokenSecretId: 'dcr/iat/default',
      tokenEndpoint: 'https://login.salesforce.com/services/oauth2/token',
      clientMetadata: { client_name: 'Acme integration', grant_types: ['client_credentials'] },
    },
  },
};

/** docs/configuration.md. */
export function renderConfigurationDocs(): string {
  const fieldRows = fieldsOf(rawJsonSchema()).map(
    (field) => `| \`${field.path}\` | ${typeOf(field.node)} | ${defaultOf(field)} | ${FIELD_DESCRIPTIONS[field.path] ?? ''} |`,
  );
  const envRows = Object.entries(ENV_DESCRIPTIONS).map(
    ([name, entry]) =>
      `| \`${name}\` | ${entry.default === 'required' || entry.default === 'unset' ? entry.default : `\`${entry.default}\``} | ${entry.description} |`,
  );
  const example = serviceConfigSchema.parse(EXAMPLE) && JSON.stringify({ $schema: './config.schema.json', ...EXAMPLE }, null, 2);
  return [
    '# Configuration',
    '',
    '<!-- Generated by `npm run docs:config` (scripts/generateConfigDocs.ts) from the schema in',
    '     functions/core/config/. Do not edit by hand: test/unit/configurationDocs.test.ts fails when it is not current. -->',
    '',
    'The function reads one JSON document from the SSM parameter named by `CONFIG_PARAMETER_NAME` (String or',
    'SecureString), once per container, and validates it with the schema below; an invalid document fails',
    'with a message naming the bad field and what was expected. Unknown keys are allowed.',
    "`dcr config validate FILE` checks a document offline with the same schema (`--deploy` for the stack's",
    'targets document, where `initialAccessTokenSecretId` may be left out); `dcr config show` prints what the',
    'function would load, defaults applied. For the stack, the document is the `dcr:targetsFile`',
    '([deploy.md](deploy.md)) without `kmsKeyId`.',
    '',
    '[config.schema.json](config.schema.json) is the same schema as JSON Schema: name it in `"$schema"` and',
    'an editor completes and checks the fields (checks the schema cannot express, such as the https rule',
    'for endpoints, run in `dcr config validate`).',
    '',
    '```json',
    example,
    '```',
    '',
    '## Fields',
    '',
    '`targets.*` stands for any target name.',
    '',
    '| field | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...fieldRows,
    '',
    'A target needs `registrationEndpoint` or `issuer`; `defaultTarget` must name a configured target.',
    'The limits on what callers may send, and what each defends against, are in [security.md](security.md).',
    '',
    "## The function's environment",
    '',
    'Validated once per container (the `LANE_*` variables at the first lane batch); a bad value fails with',
    'one line naming the variable. The stack sets them ([deploy.md](deploy.md)); the CLI reads the same',
    'identity-provider, AWS and claim variables, and `LANE_QUEUE_URL`.',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...envRows,
    '',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CONFIGURATION_DOC, renderConfigurationDocs());
  writeFileSync(CONFIG_SCHEMA_FILE, renderConfigSchema());
  console.log(`wrote ${CONFIGURATION_DOC} and ${CONFIG_SCHEMA_FILE}`);
}
