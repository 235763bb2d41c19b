import { managementOrigin } from '../config/managementOrigin.js';
import type { ResolvedTarget } from '../config/serviceConfig.js';
import { METRICS, TARGET_DIMENSION } from '../constants.js';
import { emitMetrics } from '../metrics.js';
import type { RegisteredRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';

/**
 * A client registered with a registration_client_uri on an origin the target does not allow: no RFC
 * 7592 call (rotation, deletion) will ever be sent its token. Said at once rather than at the first
 * rotation: a WARN line (client id and the origin only), an EMF metric `UnmanageableClient`, and the
 * record's `management: 'foreign-origin'` that `dcr show` prints.
 */
export function reportUnmanageableClient(
  record: RegisteredRecord,
  target: ResolvedTarget,
  deps: Pick<UseCaseDependencies, 'logger'>,
): void {
  const origin = record.registration_client_uri && managementOrigin(record.registration_client_uri, target.config)?.origin;
  deps.logger.warn('client registered but unmanageable: its registration_client_uri is on an origin not allowed for RFC 7592', {
    clientId: record.client_id,
    managementOrigin: origin,
    hint: "add the origin to the target's allowedManagementOrigins if it belongs to the provider",
    unmanageableClient: 1,
  });
  emitMetrics(deps.logger, { [TARGET_DIMENSION]: target.name }, { [METRICS.unmanageableClient]: { value: 1, unit: 'Count' } });
}
