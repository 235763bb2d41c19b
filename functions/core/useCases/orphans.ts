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
 * three ways, each carrying the client id only: an ERROR line (`orphanedClient: 1`, which the
 * OrphanedClients alarm counts), an EMF metric `ClientOrphaned`, and a `ClientOrphaned` event.
 */
export async function recordOrphanedClient(orphan: OrphanedClient, deps: UseCaseDependencies): Promise<void> {
  deps.logger.error('orphaned client: registered at the provider but neither stored nor deleted', {
    tenantId: orphan.tenantId,
    target: orphan.target,
    clientId: orphan.clientId,
    reason: orphan.reason,
    orphanedClient: 1,
  });
  emitMetrics(deps.logger, { Target: orphan.target }, { ClientOrphaned: { value: 1, unit: 'Count' } });
  await emitOutcome(deps, 'ClientOrphaned', {
    tenantId: orphan.tenantId,
    target: orphan.target,
    clientId: orphan.clientId,
    error: 'client_orphaned',
    errorDescription: orphan.reason,
  });
}
