import { type ResolvedTarget, secretNameFor } from '../config/serviceConfig.js';
import { TENANT_ID } from '../config/targetConfig.js';
import { ConfigurationError } from '../errors.js';
import { MAINTENANCE_CONCURRENCY, MAINTENANCE_MAX_TENANTS_PER_RUN } from '../options.js';
import { rememberSecret } from '../redaction.js';
import { type RegisteredRecord, readSecretRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { loadTarget, requireTarget } from './targets.js';

/** One registered tenant a scheduled sweep visits. */
export interface SweptTenant {
  target: ResolvedTarget;
  tenantId: string;
  secretName: string;
  record: RegisteredRecord;
}

export interface SweepOptions {
  /** Tenants read at most in one run. Default MAINTENANCE_MAX_TENANTS_PER_RUN. */
  maxTenants?: number;
  /** Tenants visited at once. Default MAINTENANCE_CONCURRENCY. */
  concurrency?: number;
}

export interface SweepCounts {
  /** Registered tenants visited. */
  checked: number;
  /** Tenant secrets under the swept prefixes. */
  listed: number;
  /** Tenant secrets this run did not read (over `maxTenants`): a later run's turn. */
  deferred: number;
}

/**
 * Visits the registered tenants of one target (or every target): lists their secrets by name prefix,
 * reads at most `maxTenants` of them and calls `visit` for each registered record, a few at a time.
 * A fleet larger than the cap is covered over several runs: each UTC day starts one window further
 * along the sorted names, so daily runs reach every tenant within ⌈tenants / cap⌉ days. `visit`
 * handles its own failures; one that throws fails the sweep.
 */
export async function sweepTenants(
  targetName: string | undefined,
  deps: UseCaseDependencies,
  visit: (tenant: SweptTenant) => Promise<void>,
  options: SweepOptions = {},
): Promise<SweepCounts> {
  const catalog = deps.catalog;
  if (!catalog) throw new ConfigurationError('a scheduled sweep needs the SecretCatalog port (secretsmanager:ListSecrets)');
  const names = targetName ? [requireTarget(deps.config, targetName).name] : Object.keys(deps.config.targets).sort();
  const entries: { targetName: string; tenantId: string; secretName: string }[] = [];
  for (const name of names) {
    const prefix = `${deps.config.secretNamePrefix}${name}/`;
    for (const summary of await catalog.list(prefix)) {
      const tenantId = summary.name.slice(prefix.length);
      // Only `${prefix}${target}/${tenantId}`: anything nested (another prefix's secrets) is not a tenant secret.
      if (TENANT_ID.test(tenantId) && secretNameFor(deps.config, name, tenantId) === summary.name) {
        entries.push({ targetName: name, tenantId, secretName: summary.name });
      }
    }
  }
  entries.sort((a, b) => (a.secretName < b.secretName ? -1 : a.secretName > b.secretName ? 1 : 0));
  const window = todaysWindow(entries, options.maxTenants ?? MAINTENANCE_MAX_TENANTS_PER_RUN, deps.now());
  const targets = new Map<string, Promise<ResolvedTarget>>();
  let checked = 0;
  await forEachBounded(window, options.concurrency ?? MAINTENANCE_CONCURRENCY, async (entry) => {
    const { record } = await readSecretRecord(deps.secrets, entry.secretName);
    if (record?.dcr_status !== 'registered' || record.tenant_id !== entry.tenantId) return;
    rememberSecret(record.client_secret);
    if (!targets.has(entry.targetName)) targets.set(entry.targetName, loadTarget(entry.targetName, deps));
    const target = await (targets.get(entry.targetName) as Promise<ResolvedTarget>);
    checked++;
    await visit({ target, tenantId: entry.tenantId, secretName: entry.secretName, record });
  });
  return { checked, listed: entries.length, deferred: entries.length - window.length };
}

/** At most `max` entries, starting where today's turn puts them (wrapping round). */
export function todaysWindow<T>(entries: readonly T[], max: number, now: Date): T[] {
  if (entries.length <= max) return [...entries];
  const day = Math.floor(now.getTime() / 86_400_000);
  const start = (day * max) % entries.length;
  return Array.from({ length: max }, (_, index) => entries[(start + index) % entries.length] as T);
}

async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
