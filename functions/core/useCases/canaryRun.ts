import type { ResolvedTarget } from '../config/serviceConfig.js';
import type { RegisteredRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome, failureDetail } from './outcomeEvents.js';

/**
 * Tenant id of a target's one long-lived canary client (secret `<prefix><target>/_canary`). It is
 * outside the tenant-id pattern, so no caller can register, read or offboard it. Its secret is also
 * the canary's per-target claim: only one run at a time registers a client.
 */
export const KEPT_CANARY_TENANT = '_canary';

/** The kept client's record; `canary_proved_at` is set once its credentials were proved. */
export type KeptRecord = RegisteredRecord & { canary_proved_at?: string };

/** How the credentials were proved (see CanaryResult.proof). */
export type Proof = 'token' | 'authenticated' | 'not-active-yet' | 'none';

/** One canary run: its target, ports, secret of the kept client, step timer and counters. */
export interface Run {
  target: ResolvedTarget;
  deps: UseCaseDependencies;
  keptName: string;
  timed<T>(step: string, work: () => Promise<T>): Promise<T>;
  orphaned: number;
  replaced: number;
}

/** A client nothing can delete any more: log (client id only), metric and `ClientOrphaned` event. */
export async function recordOrphan(
  run: Run,
  client: { tenantId: string; clientId: string; secretName: string },
  error: unknown,
): Promise<void> {
  run.orphaned += 1;
  run.deps.logger.error('orphaned canary client: registered but not deleted; remove it at the provider (its secret is kept)', {
    ...client,
    target: run.target.name,
    orphanedClient: 1,
    error,
  });
  await emitOutcome(run.deps, 'ClientOrphaned', {
    tenantId: client.tenantId,
    target: run.target.name,
    clientId: client.clientId,
    ...failureDetail(error),
  });
}
