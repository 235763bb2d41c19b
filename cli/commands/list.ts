import { readSecretRecord } from '../../functions/core/secretRecord.js';
import type { SecretSummary } from '../../functions/core/ports/SecretCatalog.js';
import type { SecretStore } from '../../functions/core/ports/SecretStore.js';
import { TARGET_NAME } from '../../functions/core/config/targetConfig.js';
import { requireTarget } from '../../functions/core/useCases/targets.js';
import type { Command } from '../command.js';
import { table } from '../output.js';
import { UsageError } from '../usageError.js';

const READ_CONCURRENCY = 8;

export interface ListedClient {
  tenantId?: string;
  target?: string;
  status: 'registered' | 'pending' | 'offboarded' | 'unknown';
  clientId?: string;
  secretName: string;
  secretArn: string;
  client_secret?: string;
}

export const list: Command = {
  path: ['list'],
  summary: 'list the client secrets under the configured prefix (values hidden unless --reveal)',
  options: {
    target: { type: 'string', value: 'X', description: 'only this target' },
    reveal: { type: 'boolean', description: 'add a client_secret column' },
  },
  details: 'Status "unknown" marks a secret under the prefix that does not hold one of our records.',
  async run(context, values) {
    const config = await context.config();
    let prefix = config.secretNamePrefix;
    if (typeof values.target === 'string') {
      if (!TARGET_NAME.test(values.target)) throw new UsageError(`--target must match ${TARGET_NAME.source}`);
      prefix += `${requireTarget(config, values.target).name}/`;
    }
    const store = context.secrets();
    const summaries = (await context.catalog().list(prefix)).sort((a, b) => a.name.localeCompare(b.name));
    const clients = await mapBounded(summaries, READ_CONCURRENCY, (summary) => describe(store, summary, values.reveal === true));
    const columns = ['tenant', 'target', 'status', 'client_id', 'secret', ...(values.reveal ? ['client_secret'] : [])];
    const rows = clients.map((c) => [
      c.tenantId,
      c.target,
      c.status,
      c.clientId,
      c.secretName,
      ...(values.reveal ? [c.client_secret] : []),
    ]);
    const human = clients.length ? table(columns, rows) : `no client secrets under ${prefix}`;
    return { json: clients, human };
  },
};

async function describe(store: SecretStore, summary: SecretSummary, reveal: boolean): Promise<ListedClient> {
  const { record } = await readSecretRecord(store, summary.arn);
  const base = {
    tenantId: record?.tenant_id ?? summary.tags['dcr:tenant'],
    target: record?.target ?? summary.tags['dcr:target'],
    secretName: summary.name,
    secretArn: summary.arn,
  };
  if (!record) return { ...base, status: 'unknown' };
  if (record.dcr_status !== 'registered') return { ...base, status: record.dcr_status };
  return { ...base, status: 'registered', clientId: record.client_id, ...(reveal ? { client_secret: record.client_secret } : {}) };
}

export async function mapBounded<T, R>(items: readonly T[], limit: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
