import type { Context } from 'aws-lambda';
import { handleEventBridge, isEventBridgeEvent } from './triggers/eventBridge.js';
import { handleHttpApi, isHttpApiEvent } from './triggers/httpApi.js';
import { handleSchedule, isScheduleEvent } from './triggers/schedule.js';
import { handleSecretsRotation, isSecretsRotationEvent } from './triggers/secretsRotation.js';
import type { Runtime } from './runtime.js';

/** Routes one Lambda event to its trigger adapter. */
export async function dispatch(event: unknown, runtime: Runtime, context?: Pick<Context, 'awsRequestId'>) {
  const logger = runtime.logger.child({ requestId: context?.awsRequestId });
  if (isHttpApiEvent(event)) return handleHttpApi(event, runtime, logger);
  if (isEventBridgeEvent(event)) return handleEventBridge(event, runtime, logger);
  if (isScheduleEvent(event)) return handleSchedule(event, runtime, logger);
  if (isSecretsRotationEvent(event)) return handleSecretsRotation(event, runtime, logger);
  logger.error('event dropped: not an HTTP API, EventBridge, schedule or secret rotation event');
  return { status: 'dropped', error: 'unrecognised_event' };
}
