import { randomBytes } from 'node:crypto';
import { secretNameFor } from '../config/serviceConfig.js';
import { UpstreamError } from '../errors.js';
import { emitMetrics } from '../metrics.js';
import { DEFAULT_RETRY_POLICY, withRetries } from '../retry.js';
import { parseSecretRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { registerTenant } from './registerTenant.js';
import { loadTarget } from './targets.js';

export interface CanaryResult {
  ok: true;
  tenantId: string;
  clientId: string;
  durationMs: number;
  /** True when a client_credentials token was obtained with the fresh credentials. */
  tokenObtained: boolean;
}

/** `canary-<UTC yyyyMMddHHmmss>-<random>`: unique, sortable, and a valid tenant id. */
export function canaryTenantId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `canary-${stamp}-${randomBytes(4).toString('hex')}`;
}

/**
 * Proves the whole path: registers a client for a throw-away tenant, reads the stored secret back,
 * obtains a client_credentials token with it where the target has a token endpoint, then removes
 * both the client (RFC 7592 DELETE, where issued) and the secret. Emits EMF metrics (success 0/1,
 * duration per step); any failure throws.
 */
export async function runCanary(targetName: string | undefined, deps: UseCaseDependencies): Promise<CanaryResult> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const begin = performance.now();
    try {
      return await work();
    } finally {
      steps[step] = Math.round(performance.now() - begin);
    }
  };
  const target = await loadTarget(targetName, deps);
  const tenantId = canaryTenantId(deps.now?.() ?? new Date());
  const secretName = secretNameFor(deps.config, target.name, tenantId);
  let success = 0;
  try {
    const outcome = await timed('RegisterDuration', () => registerTenant({ tenantId, target: target.name }, deps));
    const cleanup: Promise<unknown>[] = [];
    let tokenObtained = false;
    try {
      const record = await timed('ReadBackDuration', async () => {
        const stored = await deps.secrets.get(secretName);
        return stored && parseSecretRecord(stored.value);
      });
      if (record?.dcr_status !== 'registered' || record.client_id !== outcome.clientId) {
        throw new UpstreamError('canary could not read back the credentials it stored');
      }
      const tokenEndpoint = target.config.tokenEndpoint;
      if (tokenEndpoint) {
        await timed('TokenDuration', () =>
          withRetries(() => deps.idp.proveClientCredentials(tokenEndpoint, record), deps.retry ?? DEFAULT_RETRY_POLICY),
        );
        tokenObtained = true;
      }
      if (record.registration_client_uri && record.registration_access_token) {
        cleanup.push(timed('DeleteClientDuration', () => deps.idp.deleteClient(target.config, record)));
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
    success = 1;
    const durationMs = Math.round(performance.now() - started);
    deps.logger.info('canary succeeded', { tenantId, clientId: outcome.clientId, durationMs, tokenObtained });
    return { ok: true, tenantId, clientId: outcome.clientId ?? '', durationMs, tokenObtained };
  } finally {
    emitMetrics(deps.logger, { Target: target.name }, {
      CanarySuccess: { value: success, unit: 'Count' },
      CanaryDuration: { value: Math.round(performance.now() - started), unit: 'Milliseconds' },
      ...Object.fromEntries(Object.entries(steps).map(([name, ms]) => [name, { value: ms, unit: 'Milliseconds' as const }])),
    });
  }
}
