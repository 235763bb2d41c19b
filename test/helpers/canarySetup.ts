import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import type { OutcomeDetail, OutcomeType } from '../../functions/core/ports/EventPublisher.js';
import { KEPT_CANARY_TENANT } from '../../functions/core/useCases/runCanary.js';
import { MemorySecretStore } from './memorySecretStore.js';
import { ScriptedIdentityProvider } from './scriptedIdentityProvider.js';
import { unitDependencies } from './unitDependencies.js';

export const PREFIX = 'dcr/clients/';
export const IAT_SECRET = 'dcr/iat';
export const KEPT = `${PREFIX}unmanaged/${KEPT_CANARY_TENANT}`;

export const target = (host: string) => ({
  profile: 'rfc7591',
  registrationEndpoint: `https://${host}/register`,
  tokenEndpoint: `https://${host}/token`,
  initialAccessTokenSecretId: IAT_SECRET,
  clientMetadata: { client_name: 'canary', grant_types: ['client_credentials'] },
});

/** Two targets: `managed` (the provider issues RFC 7592 credentials) and `unmanaged` (it does not). */
export async function canarySetup() {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: IAT_SECRET, value: 'initial-access-token-value' });
  const idp = new ScriptedIdentityProvider((t) => !t.registrationEndpoint.includes('unmanaged'));
  const lines: string[] = [];
  const events: { type: OutcomeType; detail: OutcomeDetail }[] = [];
  const deps = unitDependencies({
    config: serviceConfigSchema().parse({
      secretNamePrefix: PREFIX,
      defaultTarget: 'managed',
      targets: { managed: target('managed.example.com'), unmanaged: target('unmanaged.example.com') },
    }),
    secrets,
    idp,
    lines,
    events: { publish: async (type, detail) => void events.push({ type, detail }) },
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const metrics = () => entries().filter((entry) => entry._aws);
  const clientSecrets = () => secrets.names().filter((name) => name !== IAT_SECRET);
  return { secrets, idp, deps, lines, events, entries, metrics, clientSecrets };
}
