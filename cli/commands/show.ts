import { secretNameFor } from '../../functions/core/config/serviceConfig.js';
import { NotFoundError } from '../../functions/core/errors.js';
import { loadManagementCredentials } from '../../functions/core/managementCredentials.js';
import { readSecretRecord } from '../../functions/core/secretRecord.js';
import { getRegistration } from '../../functions/core/useCases/getRegistration.js';
import { parseRegistrationRequest } from '../../functions/core/useCases/registrationRequest.js';
import { requireTarget } from '../../functions/core/useCases/targets.js';
import type { Command } from '../command.js';
import { TENANT_OPTIONS } from '../tenantOptions.js';
import { requiredString } from '../usageError.js';
import { keyValues } from '../output.js';
import { hideSecrets, HIDDEN_HINT } from './hideSecrets.js';
import { registrationRows } from './registrationRows.js';

export const show: Command = {
  path: ['show'],
  summary: "show a tenant's client (secret values hidden unless --reveal)",
  options: {
    ...TENANT_OPTIONS,
    reveal: { type: 'boolean', description: 'also print client_secret, registration_access_token and private_key_jwk' },
  },
  async run(context, values) {
    const deps = { config: await context.config(), secrets: context.secrets() };
    const request = parseRegistrationRequest({ tenantId: requiredString(values, 'tenant'), target: values.target });
    const target = requireTarget(deps.config, request.target);
    const outcome = await getRegistration(target.name, request.tenantId, deps);
    const secretName = secretNameFor(deps.config, target.name, request.tenantId);
    const { record: stored } = await readSecretRecord(deps.secrets, secretName);
    if (!stored) throw new NotFoundError(`no registration for tenant ${request.tenantId} at target ${target.name}`);
    // RFC 7592 credentials live in the management secret; an operator without access to it sees none.
    const record =
      stored.dcr_status === 'registered'
        ? { ...stored, ...(await loadManagementCredentials(deps, secretName, stored).catch(() => ({}))) }
        : stored;
    const shown = (values.reveal ? record : hideSecrets(record)) as unknown as Record<string, unknown>;
    const metadata = (shown.client_metadata ?? {}) as Record<string, unknown>;
    const secretRow = (key: string): [string, string | undefined] => [
      key,
      key in record ? (values.reveal ? revealed(shown[key]) : HIDDEN_HINT) : undefined,
    ];
    const rows: [string, string | undefined][] = [
      ...registrationRows(outcome),
      ['profile', shown.profile as string | undefined],
      ['registered at', (shown.registered_at ?? shown.claimed_at) as string | undefined],
      ['auth method', shown.token_endpoint_auth_method as string | undefined],
      ['token endpoint', shown.token_endpoint as string | undefined],
      ['registration uri', shown.registration_client_uri as string | undefined],
      ['management', management(shown, target.config.allowedManagementOrigins)],
      ['grant types', list(metadata.grant_types)],
      ['redirect uris', list(metadata.redirect_uris)],
      ['secret expires', expiry(shown.client_secret_expires_at)],
      secretRow('client_secret'),
      secretRow('registration_access_token'),
      secretRow('private_key_jwk'),
    ];
    return { json: { ...outcome, record: shown }, human: keyValues(rows) };
  },
};

/** A secret value as printed by --reveal: a JWK as its JSON. */
function revealed(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** Says when RFC 7592 cannot reach the client (record flag `management: 'foreign-origin'`), and whether the target now allows it. */
function management(record: Record<string, unknown>, allowedOrigins: readonly string[] = []): string | undefined {
  if (record.management !== 'foreign-origin') return undefined;
  const uri = typeof record.registration_client_uri === 'string' ? record.registration_client_uri : '';
  const where = URL.canParse(uri) ? new URL(uri).origin : 'an unparsable URI';
  return allowedOrigins.includes(where)
    ? `registration uri on ${where}, allowed since registration by allowedManagementOrigins`
    : `UNMANAGEABLE: registration uri on foreign origin ${where}; no RFC 7592 rotation or deletion (allowedManagementOrigins)`;
}

function list(value: unknown): string | undefined {
  return Array.isArray(value) ? value.join(', ') : undefined;
}

function expiry(value: unknown): string | undefined {
  if (typeof value !== 'number') return undefined;
  return value === 0 ? 'never' : new Date(value * 1000).toISOString();
}
