import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import type { OutcomeDetail, OutcomeType } from '../../functions/core/ports/EventPublisher.js';
import type { ReadinessCheck } from '../../functions/core/ports/ReadinessScheduler.js';
import type { SecretCatalog } from '../../functions/core/ports/SecretCatalog.js';
import type { UseCaseDependencies } from '../../functions/core/useCases/dependencies.js';
import { registerTenant } from '../../functions/core/useCases/registerTenant.js';
import { MemorySecretStore } from './memorySecretStore.js';
import { MemorySecretVersions } from './memorySecretVersions.js';
import { ScriptedIdentityProvider } from './scriptedIdentityProvider.js';
import { unitDependencies } from './unitDependencies.js';

export const PREFIX = 'dcr/clients/';
const IAT_SECRET = 'dcr/iat';

/**
 * In-memory ports for the scheduled maintenance (renew, reconcile) and readiness: targets `rfc`
 * (RFC 7592 credentials, pinned scope and grant types) and `plain` (none issued), a catalog over the
 * memory store, the tenant lease, captured events, metrics and readiness checks, and a settable clock.
 */
export async function maintenanceSetup(targets: Record<string, Record<string, unknown>> = {}) {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: IAT_SECRET, value: 'initial-access-token-value' });
  const idp = new ScriptedIdentityProvider((t) => !t.registrationEndpoint.includes('plain'));
  const lines: string[] = [];
  const events: { type: OutcomeType; detail: OutcomeDetail }[] = [];
  const scheduled: { check: ReadinessCheck; delaySeconds: number }[] = [];
  const clock = { now: new Date() };
  const catalog: SecretCatalog = {
    list: async (prefix) =>
      secrets
        .names()
        .filter((name) => name.startsWith(prefix))
        .map((name) => ({ arn: name, name, tags: {} })),
  };
  const target = (host: string, extra: Record<string, unknown> = {}) => ({
    profile: 'rfc7591',
    registrationEndpoint: `https://${host}/register`,
    tokenEndpoint: `https://${host}/token`,
    initialAccessTokenSecretId: IAT_SECRET,
    clientMetadata: { client_name: 'acme', grant_types: ['client_credentials'], scope: 'read write' },
    ...extra,
  });
  const deps: UseCaseDependencies = unitDependencies({
    config: serviceConfigSchema().parse({
      secretNamePrefix: PREFIX,
      defaultTarget: 'rfc',
      targets: { rfc: target('rfc.example.com'), plain: target('plain.example.com'), ...targets },
    }),
    secrets,
    idp,
    lines,
    now: () => clock.now,
    secretVersions: new MemorySecretVersions(),
    catalog,
    events: { publish: async (type, detail) => void events.push({ type, detail }) },
    readiness: { schedule: async (check, delaySeconds) => void scheduled.push({ check, delaySeconds }) },
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const metric = (name: string) =>
    entries()
      .filter((entry) => entry._aws && name in entry)
      .reduce((sum, entry) => sum + Number(entry[name]), 0);
  const record = async (target: string, tenantId: string) =>
    JSON.parse((await secrets.get(`${PREFIX}${target}/${tenantId}`))?.value ?? 'null');
  const register = async (tenantId: string, target = 'rfc') => registerTenant({ tenantId, target }, deps);
  return { secrets, idp, deps, lines, events, scheduled, clock, entries, metric, record, register };
}
