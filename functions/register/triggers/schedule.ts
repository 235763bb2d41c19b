import * as z from 'zod/mini';
import { TARGET_NAME } from '../../core/config/targetConfig.js';
import { InvalidRequestError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { METRICS, TARGET_DIMENSION } from '../../core/constants.js';
import { emitMetrics } from '../../core/metrics.js';
import { type CanaryResult, runCanary } from '../../core/useCases/runCanary.js';
import type { Runtime } from '../runtime.js';

/** EventBridge Scheduler delivers its `input` as the event itself: `{"action":"canary","target":"optional"}`. */
export const scheduleInputSchema = z.object({
  action: z.enum(['canary']),
  target: z.optional(z.string().check(z.regex(TARGET_NAME))),
});

/** The `Target` dimension of the metrics for a schedule input that names no usable target. */
export const INVALID_SCHEDULE_TARGET = 'invalid-input';

export function isScheduleEvent(event: unknown): event is { action: unknown } {
  return typeof event === 'object' && event !== null && 'action' in event;
}

/**
 * Runs the canary. Every failure, a malformed schedule input or an unknown target included (the
 * schedule is configuration: no retry fixes it), is logged as `canary failed`, counted by the
 * `CanaryFailure` metric (which alarms) and thrown, so the invocation fails.
 */
export async function handleSchedule(event: unknown, runtime: Runtime, logger: Logger): Promise<CanaryResult> {
  const parsed = scheduleInputSchema.safeParse(event);
  if (!parsed.success) {
    const error = new InvalidRequestError('schedule input must be {"action":"canary","target"?} with a valid target name');
    emitMetrics(
      logger,
      { [TARGET_DIMENSION]: INVALID_SCHEDULE_TARGET },
      {
        [METRICS.canarySuccess]: { value: 0, unit: 'Count' },
        [METRICS.canaryMisconfigured]: { value: 1, unit: 'Count' },
        [METRICS.canaryFailure]: { value: 1, unit: 'Count' },
      },
    );
    logger.error('canary failed', { error });
    throw error;
  }
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
