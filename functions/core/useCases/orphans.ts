import { METRICS, TARGET_DIMENSION } from '../constants.js';
import type { Logger } from '../logger.js';
import { emitMetrics } from '../metrics.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome } from './outcomeEvents.js';

export interface OrphanedClient {
  tenantId: string;
  target: string;
  clientId: string;
  /** Why it could not be removed, in words (no secret material). */
  reason: string;
}

/**
 * A client exists at the provider that the service could neither store nor delete. It is recorded
 * three ways, each carrying the client id only: an ERROR line (`orphanedClient: 1`), an EMF metric
 * `ClientOrphaned` (which the OrphanedClients alarm counts) and a `ClientOrphaned` event.
 */
export async function recordOrphanedClient(orphan: OrphanedClient, deps: UseCaseDependencies): Promise<void> {
  deps.logger.error('orphaned client: registered at the provider but neither stored nor deleted', {
    tenantId: orphan.tenantId,
    target: orphan.target,
    clientId: orphan.clientId,
    reason: orphan.reason,
    orphanedClient: 1,
  });
  emitMetrics(deps.logger, { [TARGET_DIMENSION]: orphan.target }, { [METRICS.clientOrphaned]: { value: 1, unit: 'Count' } });
  await emitOutcome(deps, 'ClientOrphaned', {
    tenantId: orphan.tenantId,
    target: orphan.target,
    clientId: orphan.clientId,
    error: 'client_orphaned',
    errorDescription: orphan.reason,
  });
}

/**
 * A client may exist at the provider without a stored secret (a registration sent but not answered,
 * a stale claim taken over): a line that says why, with `possibleOrphan: 1`, and the EMF metric
 * `PossibleOrphan`, which the PossibleOrphanedClients alarm counts.
 */
export function recordPossibleOrphan(
  logger: Logger,
  target: string,
  level: 'warn' | 'error',
  message: string,
  fields: Record<string, unknown>,
): void {
  logger[level](message, { ...fields, possibleOrphan: 1 });
  emitMetrics(logger, { [TARGET_DIMENSION]: target }, { [METRICS.possibleOrphan]: { value: 1, unit: 'Count' } });
}
