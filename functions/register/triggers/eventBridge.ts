import type { EventBridgeEvent } from 'aws-lambda';
import { isTenantEventType, METRICS, TENANT_EVENTS, type TenantEventType } from '../../core/constants.js';
import { DcrError, isRetryable } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { emitMetrics } from '../../core/metrics.js';
import type { UseCaseDependencies } from '../../core/useCases/dependencies.js';
import { offboardTenant } from '../../core/useCases/offboardTenant.js';
import { registerTenant } from '../../core/useCases/registerTenant.js';
import { parseRegistrationRequest } from '../../core/useCases/registrationRequest.js';
import { rotateClientSecret } from '../../core/useCases/rotateClientSecret.js';
import { parseTenantRequest } from '../../core/useCases/tenantRequest.js';
import type { Runtime } from '../runtime.js';

export type EventOutcome = { status: string } | { status: 'dropped' | 'failed'; error: string };

/** A parsed event: its tenant, and the one use case to run for it. */
export interface ParsedEvent {
  tenantId: string;
  run(deps: UseCaseDependencies): Promise<EventOutcome>;
}

/** Each detail-type: parse its detail (throws InvalidRequestError) into one use-case call. */
export const ACTIONS: Record<TenantEventType, (detail: unknown, event: EventBridgeEvent<string, unknown>) => ParsedEvent> = {
  [TENANT_EVENTS.onboarded]: (detail) => {
    const request = parseRegistrationRequest(detail);
    return { tenantId: request.tenantId, run: (deps) => registerTenant(request, deps) };
  },
  [TENANT_EVENTS.offboarded]: (detail) => {
    const request = parseTenantRequest(detail);
    return { tenantId: request.tenantId, run: (deps) => offboardTenant(request, deps) };
  },
  [TENANT_EVENTS.rotationRequested]: (detail, event) => {
    // The event id makes a redelivered request a no-op.
    const request = { ...parseTenantRequest(detail), requestId: event.id };
    return { tenantId: request.tenantId, run: (deps) => rotateClientSecret(request, deps) };
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
export async function handleEventBridge(event: EventBridgeEvent<string, unknown>, runtime: Runtime, logger: Logger): Promise<EventOutcome> {
  const log = logger.child({ eventId: event.id, detailType: event['detail-type'], source: event.source });
  const detailType = event['detail-type'];
  const parse = isTenantEventType(detailType) ? ACTIONS[detailType] : undefined;
  if (!parse) {
    log.warn('event dropped: unsupported detail-type');
    countDroppedTenantEvent(log);
    return { status: 'dropped', error: 'unsupported_event' };
  }
  let parsed: ParsedEvent;
  try {
    parsed = parse(event.detail, event);
  } catch (error) {
    log.warn('event dropped: invalid detail', { error });
    countDroppedTenantEvent(log);
    return { status: 'dropped', error: 'invalid_request' };
  }
  try {
    return await parsed.run(await runtime.dependencies(log));
  } catch (error) {
    if (isRetryable(error)) {
      log.warn('event failed; throwing so it is retried', { tenantId: parsed.tenantId, error });
      throw error;
    }
    log.error('event failed terminally; not retried', { tenantId: parsed.tenantId, error });
    countDroppedTenantEvent(log.child({ tenantId: parsed.tenantId }));
    return { status: 'failed', error: error instanceof DcrError ? error.code : 'server_error' };
  }
}

/** A tenant event nothing will retry (not on a DLQ either): TenantEventFailed alarms on it. */
export function countDroppedTenantEvent(logger: Logger): void {
  emitMetrics(logger, {}, { [METRICS.tenantEventFailed]: { value: 1, unit: 'Count' } });
}
