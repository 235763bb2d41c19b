import { METRICS, TARGET_DIMENSION } from '../constants.js';
import { DcrError, isRetryable } from '../errors.js';
import { emitMetrics } from '../metrics.js';
import type { OutcomeDetail, OutcomeType } from '../ports/EventPublisher.js';
import type { UseCaseDependencies } from './dependencies.js';

/** Publishes an outcome event when a bus is configured; a publishing failure is logged, never thrown. */
export async function emitOutcome(deps: UseCaseDependencies, type: OutcomeType, detail: OutcomeDetail): Promise<void> {
  if (!deps.events) return;
  try {
    await deps.events.publish(type, detail);
  } catch (error) {
    deps.logger.warn('could not publish outcome event', { type, tenantId: detail.tenantId, error });
    emitMetrics(deps.logger, { [TARGET_DIMENSION]: detail.target }, { [METRICS.outcomePublishFailed]: { value: 1, unit: 'Count' } });
  }
}

/** The failure fields of an outcome: our error code and message (which never carry secrets). */
export function failureDetail(error: unknown): Pick<OutcomeDetail, 'error' | 'errorDescription' | 'retryable'> {
  return error instanceof DcrError
    ? { error: error.code, errorDescription: error.message, retryable: error.retryable }
    : { error: 'server_error', retryable: isRetryable(error) };
}
