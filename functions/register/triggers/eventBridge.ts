import type { EventBridgeEvent } from 'aws-lambda';
import { DcrError, isRetryable } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { UseCaseDependencies } from '../../core/useCases/dependencies.js';
import { offboardTenant } from '../../core/useCases/offboardTenant.js';
import { registerTenant } from '../../core/useCases/registerTenant.js';
import { parseRegistrationRequest } from '../../core/useCases/registrationRequest.js';
import { rotateClientSecret } from '../../core/useCases/rotateClientSecret.js';
import { parseTenantRequest } from '../../core/useCases/tenantRequest.js';
import type { Runtime } from '../runtime.js';

export type EventOutcome = { status: string } | { status: 'dropped' | 'failed'; error: string };

type EventAction = (detail: unknown, deps: UseCaseDependencies, event: EventBridgeEvent<string, unknown>) => Promise<EventOutcome>;

/** Each detail-type: parse its detail (throws InvalidRequestError) and run one use case. */
const ACTIONS: Record<string, { parse: (detail: unknown) => { tenantId: string }; run: EventAction }> = {
  TenantOnboarded: { parse: parseRegistrationRequest, run: (detail, deps) => registerTenant(parseRegistrationRequest(detail), deps) },
  TenantOffboarded: { parse: parseTenantRequest, run: (detail, deps) => offboardTenant(parseTenantRequest(detail), deps) },
  ClientSecretRotationRequested: {
    parse: parseTenantRequest,
    // The event id makes a redelivered request a no-op.
    run: (detail, deps, event) => rotateClientSecret({ ...parseTenantRequest(detail), requestId: event.id }, deps),
  },
};

export function isEventBridgeEvent(event: unknown): event is EventBridgeEvent<string, unknown> {
  const e = event as Record<string, unknown> | null;
  return typeof e === 'object' && e !== null && typeof e['detail-type'] === 'string' && 'detail' in e;
}

/**
 * `TenantOnboarded`, `TenantOffboarded`, `ClientSecretRotationRequested`. Input no retry can fix is
 * logged and dropped; a retryable failure throws so Lambda's async retries and the DLQ apply; a
 * terminal failure is logged as an error and not retried.
 */
export async function handleEventBridge(
  event: EventBridgeEvent<string, unknown>,
  runtime: Runtime,
  logger: Logger,
): Promise<EventOutcome> {
  const log = logger.child({ eventId: event.id, detailType: event['detail-type'], source: event.source });
  const action = Object.hasOwn(ACTIONS, event['detail-type']) ? ACTIONS[event['detail-type']] : undefined;
  if (!action) {
    log.warn('event dropped: unsupported detail-type');
    return { status: 'dropped', error: 'unsupported_event' };
  }
  let tenantId: string;
  try {
    tenantId = action.parse(event.detail).tenantId;
  } catch (error) {
    log.warn('event dropped: invalid detail', { error });
    return { status: 'dropped', error: 'invalid_request' };
  }
  try {
    return await action.run(event.detail, await runtime.dependencies(log), event);
  } catch (error) {
    if (isRetryable(error)) {
      log.warn('event failed; throwing so it is retried', { tenantId, error });
      throw error;
    }
    log.error('event failed terminally; not retried', { tenantId, error });
    return { status: 'failed', error: error instanceof DcrError ? error.code : 'server_error' };
  }
}
