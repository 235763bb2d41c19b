import * as z from 'zod/mini';
import { ConfigurationError } from '../errors.js';
import { type EndpointTarget, TARGET_NAME, type TargetConfig, targetSchemas } from './targetConfig.js';

// Secrets Manager allows these characters in a name; the prefix must leave room for target and tenant.
const SECRET_NAME_PREFIX = /^[A-Za-z0-9/_+=.@-]{1,256}$/;

function buildServiceConfigSchema() {
  return z
    .looseObject({
      secretNamePrefix: z._default(z.string().check(z.regex(SECRET_NAME_PREFIX, 'use only A-Z a-z 0-9 / _ + = . @ -')), 'dcr/clients/'),
      /**
       * Prefix of the management secrets (RFC 7592 credentials), apart from the client secrets so that no
       * grant on the client prefix reaches them. Default: `secretNamePrefix` with `clients/` replaced by
       * `management/`, else with `.management/` appended to it without its trailing slashes.
       */
      managementSecretNamePrefix: z.optional(z.string().check(z.regex(SECRET_NAME_PREFIX, 'use only A-Z a-z 0-9 / _ + = . @ -'))),
      kmsKeyId: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
      /** Who the resource policy of each new tenant secret lets read it (functions/core/tenantSecretPolicy.ts). */
      tenantSecretAccess: z.optional(
        z.object({
          functionRoleArn: z.string().check(z.minLength(1), z.maxLength(2048)),
          readerArns: z._default(z.array(z.string().check(z.minLength(1), z.maxLength(2048))), []),
          targetReaderArns: z._default(z.record(z.string(), z.array(z.string().check(z.minLength(1), z.maxLength(2048)))), {}),
        }),
      ),
      defaultTarget: z._default(z.string().check(z.regex(TARGET_NAME)), 'default'),
      /** Days an offboarded tenant's secret can be restored (7–30, AWS's range), or 0 to delete at once. */
      offboardingRecoveryWindowDays: z._default(
        z.number().check(z.refine((d) => d === 0 || (Number.isInteger(d) && d >= 7 && d <= 30), 'must be 0 or 7..30')),
        7,
      ),
      targets: z
        .record(z.string().check(z.regex(TARGET_NAME, 'target names match ^[a-z0-9][a-z0-9-]{0,31}$')), targetSchemas().targetConfigSchema)
        .check(z.refine((targets) => Object.keys(targets).length > 0, 'at least one target is required')),
    })
    .check(
      z.refine((config) => config.defaultTarget in config.targets, {
        message: 'must name one of the configured targets',
        path: ['defaultTarget'],
      }),
      z.refine((config) => !prefixesOverlap(config.secretNamePrefix, managementPrefixOf(config)), {
        message: 'must not start with secretNamePrefix nor be its start: a grant on one prefix would reach the other',
        path: ['managementSecretNamePrefix'],
      }),
    );
}

let serviceConfigSchemaBuilt: ReturnType<typeof buildServiceConfigSchema> | undefined;

/**
 * The configuration document's schema, built on the first call: building it (with the target schemas)
 * is most of what importing the function's bundle would otherwise do (docs/performance.md).
 */
export function serviceConfigSchema(): ReturnType<typeof buildServiceConfigSchema> {
  serviceConfigSchemaBuilt ??= buildServiceConfigSchema();
  return serviceConfigSchemaBuilt;
}
export type ServiceConfig = z.infer<ReturnType<typeof buildServiceConfigSchema>>;

/** Formats zod issues as `path: message` so an operator sees which field is wrong. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${explain(issue)}`).join('; ');
}

interface Issue {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
  expected?: string;
  values?: readonly unknown[];
}

/** zod/mini says only "Invalid input": say what was expected instead (our own messages are kept). */
function explain(issue: Issue): string {
  if (issue.message !== 'Invalid input') return issue.message;
  if (issue.code === 'invalid_type' && issue.expected) return `expected ${issue.expected} (missing or of another type)`;
  if (issue.code === 'invalid_value' && issue.values?.length)
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

/** Parses and validates the JSON configuration document; throws a ConfigurationError naming the bad field. */
export function parseServiceConfig(json: string, source: string): ServiceConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigurationError(`configuration in ${source} is not valid JSON`);
  }
  const parsed = serviceConfigSchema().safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(`configuration in ${source} is invalid: ${describeIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}

export interface ResolvedTarget {
  name: string;
  config: EndpointTarget;
}

export function resolveTarget(config: ServiceConfig, requested: string | undefined): { name: string; config: TargetConfig } | undefined {
  const name = requested ?? config.defaultTarget;
  const target = Object.hasOwn(config.targets, name) ? config.targets[name] : undefined;
  return target ? { name, config: target } : undefined;
}

export function secretNameFor(config: ServiceConfig, target: string, tenantId: string): string {
  return `${config.secretNamePrefix}${target}/${tenantId}`;
}

/** The prefix of the management secrets, configured or derived from the client secrets' prefix. */
export function managementPrefixOf(config: { secretNamePrefix: string; managementSecretNamePrefix?: string | undefined }): string {
  if (config.managementSecretNamePrefix) return config.managementSecretNamePrefix;
  const clients = config.secretNamePrefix;
  return clients.endsWith('clients/') ? `${clients.slice(0, -'clients/'.length)}management/` : `${clients.replace(/\/+$/, '')}.management/`;
}

/** Where a tenant's RFC 7592 credentials live: readable by the function only (docs/secret-contract.md). */
export function managementSecretNameFor(config: ServiceConfig, target: string, tenantId: string): string {
  return `${managementPrefixOf(config)}${target}/${tenantId}`;
}

/** True when a name under one prefix could be under the other (or an IAM `prefix*` grant reach both). */
export function prefixesOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}
