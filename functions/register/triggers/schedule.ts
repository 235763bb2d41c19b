import * as z from 'zod/mini';
import { TARGET_NAME } from '../../core/config/targetConfig.js';
import { InvalidRequestError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type CanaryResult, runCanary } from '../../core/useCases/runCanary.js';
import type { Runtime } from '../runtime.js';

/** EventBridge Scheduler delivers its `input` as the event itself: `{"action":"canary","target":"optional"}`. */
export const scheduleInputSchema = z.object({
  action: z.enum(['canary']),
  target: z.optional(z.string().check(z.regex(TARGET_NAME))),
});

export function isScheduleEvent(event: unknown): event is { action: unknown } {
  return typeof event === 'object' && event !== null && 'action' in event;
}

/**
 * Runs the canary; a canary failure is logged and thrown so the invocation counts as failed and alarms.
 * Input no retry can fix is logged as an error and dropped, as for every other trigger.
 */
export async function handleSchedule(
  event: unknown,
  runtime: Runtime,
  logger: Logger,
): Promise<CanaryResult | { status: 'dropped'; error: string }> {
  const parsed = scheduleInputSchema.safeParse(event);
  if (!parsed.success) {
    logger.error('schedule input dropped: expected {"action":"canary","target"?}');
    return { status: 'dropped', error: 'invalid_request' };
  }
  try {
    return await runCanary(parsed.data.target, await runtime.dependencies(logger));
  } catch (error) {
    if (error instanceof InvalidRequestError) {
      logger.error('schedule input dropped', { target: parsed.data.target, error });
      return { status: 'dropped', error: error.code };
    }
    logger.error('canary failed', { target: parsed.data.target, error });
    throw error;
  }
}
