import type { EventBridgeEvent } from 'aws-lambda';
import { DcrError, InvalidRequestError, isRetryable } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { registerTenant } from '../../core/useCases/registerTenant.js';
import { parseRegistrationRequest, type RegistrationOutcome } from '../../core/useCases/registrationRequest.js';
import type { Runtime } from '../runtime.js';

export const TENANT_ONBOARDED = 'TenantOnboarded';

export type EventOutcome = RegistrationOutcome | { status: 'dropped' | 'failed'; error: string };

export function isEventBridgeEvent(event: unknown): event is EventBridgeEvent<string, unknown> {
  const e = event as Record<string, unknown> | null;
  return typeof e === 'object' && e !== null && typeof e['detail-type'] === 'string' && 'detail' in e;
}

/**
 * `TenantOnboarded` → register. Input no retry can fix is logged and dropped; a retryable failure
 * throws so Lambda's async retries and the DLQ apply; a terminal failure is logged as an error.
 */
export async function handleEventBridge(
  event: EventBridgeEvent<string, unknown>,
  runtime: Runtime,
  logger: Logger,
): Promise<EventOutcome> {
  const log = logger.child({ eventId: event.id, detailType: event['detail-type'], source: event.source });
  if (event['detail-type'] !== TENANT_ONBOARDED) {
    log.warn('event dropped: unsupported detail-type');
    return { status: 'dropped', error: 'unsupported_event' };
  }
  let request;
  try {
    request = parseRegistrationRequest(event.detail);
  } catch (error) {
    log.warn('event dropped: invalid detail', { error });
    return { status: 'dropped', error: (error as InvalidRequestError).code };
  }
  try {
    return await registerTenant(request, await runtime.dependencies(log));
  } catch (error) {
    if (isRetryable(error)) {
      log.warn('registration failed; throwing so the event is retried', { tenantId: request.tenantId, error });
      throw error;
    }
    log.error('registration failed terminally; event not retried', { tenantId: request.tenantId, error });
    return { status: 'failed', error: error instanceof DcrError ? error.code : 'server_error' };
  }
}
