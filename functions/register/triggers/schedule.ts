import * as z from 'zod/mini';
import { TARGET_NAME } from '../../core/config/targetConfig.js';
import { InvalidRequestError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { METRICS, TARGET_DIMENSION } from '../../core/constants.js';
import { emitMetrics } from '../../core/metrics.js';
import { type ReconcileResult, reconcileClients } from '../../core/useCases/reconcileClients.js';
import { type RenewalResult, renewExpiringSecrets } from '../../core/useCases/renewExpiringSecrets.js';
import { type CanaryResult, runCanary } from '../../core/useCases/runCanary.js';
import type { Runtime } from '../runtime.js';
import { lazy } from '../../core/lazy.js';

const targetName = lazy(() => z.optional(z.string().check(z.regex(TARGET_NAME))));

/**
 * EventBridge Scheduler delivers its `input` as the event itself: `{"action":"canary","target"?}`,
 * `{"action":"renew","target"?}` or `{"action":"reconcile","target"?,"fix"?}`.
 */
export const scheduleInputSchema = lazy(() =>
  z.discriminatedUnion('action', [
    z.object({ action: z.literal('canary'), target: targetName() }),
    z.object({ action: z.literal('renew'), target: targetName() }),
    z.object({ action: z.literal('reconcile'), target: targetName(), fix: z.optional(z.boolean()) }),
  ]),
);

/** The `Target` dimension of the metrics for a schedule input that names no usable target. */
export const INVALID_SCHEDULE_TARGET = 'invalid-input';

export function isScheduleEvent(event: unknown): event is { action: unknown } {
  return typeof event === 'object' && event !== null && 'action' in event;
}

/**
 * Runs the canary, the secret renewal or the reconciliation. `renew` and `reconcile` report per-tenant
 * failures in their result (events and metrics included) and throw only when the run itself failed
 * (the tenants could not be listed, the target is unknown): the invocation fails and the Scheduler
 * retries it. For the canary, every failure, a malformed schedule input or an unknown target included (the
 * schedule is configuration: no retry fixes it), is logged as `canary failed`, counted by the
 * `CanaryFailure` metric (which alarms) and thrown, so the invocation fails.
 */
export async function handleSchedule(
  event: unknown,
  runtime: Runtime,
  logger: Logger,
): Promise<CanaryResult | RenewalResult | ReconcileResult> {
  const parsed = scheduleInputSchema().safeParse(event);
  if (!parsed.success) {
    const error = new InvalidRequestError(
      'schedule input must be {"action":"canary"|"renew","target"?} or {"action":"reconcile","target"?,"fix"?} with a valid target name',
    );
    emitMetrics(
      logger,
      { [TARGET_DIMENSION]: INVALID_SCHEDULE_TARGET },
      {
        [METRICS.canarySuccess]: { value: 0, unit: 'Count' },
        [METRICS.canaryMisconfigured]: { value: 1, unit: 'Count' },
        [METRICS.canaryFailure]: { value: 1, unit: 'Count' },
        [METRICS.canaryRun]: { value: 1, unit: 'Count' },
      },
    );
    logger.error('canary failed', { error });
    throw error;
  }
  const input = parsed.data;
  if (input.action !== 'canary') {
    try {
      const deps = await runtime.dependencies(logger);
      return input.action === 'renew'
        ? await renewExpiringSecrets({ target: input.target }, deps)
        : await reconcileClients({ target: input.target, fix: input.fix }, deps);
    } catch (error) {
      logger.error(`${input.action} failed`, { target: input.target, error });
      throw error;
    }
  }
  // The heartbeat: one per run, written before anything can fail, so only a run that never started is missing.
  emitMetrics(logger, parsed.data.target ? { [TARGET_DIMENSION]: parsed.data.target } : {}, {
    [METRICS.canaryRun]: { value: 1, unit: 'Count' },
  });
  try {
    return await runCanary(parsed.data.target, await runtime.dependencies(logger));
  } catch (error) {
    logger.error('canary failed', { target: parsed.data.target, error });
    // Per target when the schedule names one; the alarm counts the copy without dimensions either way.
    emitMetrics(logger, parsed.data.target ? { [TARGET_DIMENSION]: parsed.data.target } : {}, {
      [METRICS.canaryFailure]: { value: 1, unit: 'Count' },
    });
    throw error;
  }
}
