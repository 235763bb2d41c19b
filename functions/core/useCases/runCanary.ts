import { randomBytes } from 'node:crypto';
import { secretNameFor } from '../config/serviceConfig.js';
import { UpstreamError } from '../errors.js';
import { parseSecretRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { registerTenant } from './registerTenant.js';
import { requireTarget } from './targets.js';

export interface CanaryResult {
  ok: true;
  tenantId: string;
  clientId: string;
  durationMs: number;
}

/** `canary-<UTC yyyyMMddHHmmss>-<random>`: unique, sortable, and a valid tenant id. */
export function canaryTenantId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `canary-${stamp}-${randomBytes(4).toString('hex')}`;
}

/**
 * Proves the whole path: registers a client for a throw-away tenant, reads the stored secret back,
 * then removes both the client (RFC 7592 DELETE, where issued) and the secret. Any failure throws.
 */
export async function runCanary(targetName: string | undefined, deps: UseCaseDependencies): Promise<CanaryResult> {
  const started = performance.now();
  const target = requireTarget(deps.config, targetName);
  const tenantId = canaryTenantId(deps.now?.() ?? new Date());
  const secretName = secretNameFor(deps.config, target.name, tenantId);

  const outcome = await registerTenant({ tenantId, target: target.name }, deps);
  const cleanup: Promise<unknown>[] = [];
  try {
    const stored = await deps.secrets.get(secretName);
    const record = stored && parseSecretRecord(stored.value);
    if (record?.dcr_status !== 'registered' || record.client_id !== outcome.clientId) {
      throw new UpstreamError('canary could not read back the credentials it stored');
    }
    if (record.registration_client_uri && record.registration_access_token) {
      cleanup.push(deps.idp.deleteClient(target.config, record));
    } else {
      deps.logger.warn('canary client cannot be deleted: the provider issued no registration access token', {
        clientId: record.client_id,
      });
    }
  } finally {
    cleanup.push(deps.secrets.delete(secretName, { force: true }));
    const failures = (await Promise.allSettled(cleanup)).filter((r) => r.status === 'rejected');
    if (failures.length) throw (failures[0] as PromiseRejectedResult).reason;
  }
  const durationMs = Math.round(performance.now() - started);
  deps.logger.info('canary succeeded', { tenantId, clientId: outcome.clientId, durationMs });
  return { ok: true, tenantId, clientId: outcome.clientId ?? '', durationMs };
}
