import { GetSecretValueCommand, ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface StoreCount {
  /** Secrets under the phase's prefix, counted in moto. */
  secrets: number;
  /** Of those, records that hold a client (status registered for the function, a client_id for the baseline). */
  registered: number;
  /** Distinct client ids among the stored records. */
  distinctClientIds: number;
  /** Clients the provider created during the phase, from its own store. */
  providerClients: number;
  /** Provider clients no stored secret refers to, plus stored client ids that repeat: both mean a tenant got more than one client or an orphan. */
  duplicates: number;
  /** Stored client ids the provider does not know. */
  unknownClientIds: number;
}

async function listNames(secrets: SecretsManagerClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100, NextToken }));
    for (const entry of page.SecretList ?? []) if (entry.Name?.startsWith(prefix)) names.push(entry.Name);
    NextToken = page.NextToken;
  } while (NextToken);
  return names;
}

/**
 * Counts one phase's outcome from the two stores themselves: moto's secrets under `prefix` (each read
 * back, unless `readBack` is off) and the identity provider's clients created since `clientIdsBefore`.
 */
export async function countPhase(
  secrets: SecretsManagerClient,
  prefix: string,
  clientIdsBefore: ReadonlySet<string>,
  clientIdsAfter: readonly string[],
  readBack = true,
): Promise<StoreCount> {
  const names = await listNames(secrets, prefix);
  const clientIds: string[] = [];
  let next = readBack ? 0 : names.length;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < names.length) {
        const name = names[next++] as string;
        const out = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
        const record = JSON.parse(out.SecretString ?? '{}') as { dcr_status?: string; client_id?: string };
        if (record.client_id && (record.dcr_status === undefined || record.dcr_status === 'registered')) clientIds.push(record.client_id);
      }
    }),
  );
  const created = clientIdsAfter.filter((id) => !clientIdsBefore.has(id));
  if (!readBack) {
    // Counted, not read: the baseline's records are the raw responses and nothing checks them.
    const extra = Math.max(0, created.length - names.length);
    return {
      secrets: names.length,
      registered: names.length,
      distinctClientIds: names.length,
      providerClients: created.length,
      duplicates: extra,
      unknownClientIds: 0,
    };
  }
  const createdSet = new Set(created);
  const stored = new Set(clientIds);
  const providerWithoutSecret = created.filter((id) => !stored.has(id)).length;
  return {
    secrets: names.length,
    registered: clientIds.length,
    distinctClientIds: stored.size,
    providerClients: created.length,
    duplicates: providerWithoutSecret + (clientIds.length - stored.size),
    unknownClientIds: [...stored].filter((id) => !createdSet.has(id)).length,
  };
}
