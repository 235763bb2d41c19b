import { GetSecretValueCommand, ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';

export interface Census {
  tenantsWithoutSecret: string[];
  pendingClaims: string[];
  tenantsWithTwoClients: string[];
  clientsWithoutSecret: string[];
  secrets: number;
  clients: number;
}

/**
 * Counts, from the identity provider's own store and from Secrets Manager, what the reliability
 * guarantee is about. Clients are attributed to tenants by their client_name `tenant <id>`.
 */
export async function takeCensus(
  secretsClient: SecretsManagerClient,
  prefix: string,
  idp: LocalIdentityProvider,
  tenants: readonly string[],
): Promise<Census> {
  const records = new Map<string, { dcr_status: string; client_id?: string; tenant_id: string }>();
  let NextToken: string | undefined;
  do {
    const page = await secretsClient.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100, NextToken }),
    );
    await Promise.all(
      (page.SecretList ?? []).map(async (entry) => {
        const value = await secretsClient.send(new GetSecretValueCommand({ SecretId: entry.ARN }));
        const record = JSON.parse(value.SecretString ?? '{}');
        records.set(record.tenant_id, record);
      }),
    );
    NextToken = page.NextToken;
  } while (NextToken);

  const storedClientIds = new Set([...records.values()].map((record) => record.client_id).filter(Boolean));
  const clients = idp.clients();
  const clientsPerTenant = new Map<string, number>();
  for (const client of clients) {
    const tenant = client.clientName?.replace(/^tenant /, '') ?? '?';
    clientsPerTenant.set(tenant, (clientsPerTenant.get(tenant) ?? 0) + 1);
  }
  return {
    tenantsWithoutSecret: tenants.filter((tenant) => records.get(tenant)?.dcr_status !== 'registered'),
    pendingClaims: [...records.values()].filter((r) => r.dcr_status === 'pending').map((r) => r.tenant_id),
    tenantsWithTwoClients: [...clientsPerTenant].filter(([, count]) => count > 1).map(([tenant]) => tenant),
    clientsWithoutSecret: clients.filter((client) => !storedClientIds.has(client.clientId)).map((c) => c.clientId),
    secrets: records.size,
    clients: clients.length,
  };
}
