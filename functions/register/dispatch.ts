import type { Context } from 'aws-lambda';
import { redactError } from '../core/redaction.js';
import { handleEventBridge, isEventBridgeEvent } from './triggers/eventBridge.js';
import { handleHttpApi, isHttpApiEvent } from './triggers/httpApi.js';
import { handleSchedule, isScheduleEvent } from './triggers/schedule.js';
import { handleSecretsRotation, isSecretsRotationEvent } from './triggers/secretsRotation.js';
import { handleSqsLane, isSqsEvent } from './triggers/sqsLane.js';
import type { Runtime } from './runtime.js';

/**
 * Routes one Lambda event to its trigger adapter. What it throws reaches the Lambda runtime, which logs
 * it and keeps it in the on-failure destination: only a redacted copy leaves (same class, code and
 * retryable, so retries still happen; message and stack scrubbed, no cause chain).
 */
export async function dispatch(event: unknown, runtime: Runtime, context?: Pick<Context, 'awsRequestId'>) {
  try {
    return await route(event, runtime, context);
  } catch (error) {
    throw redactError(error);
  }
}

async function route(event: unknown, runtime: Runtime, context?: Pick<Context, 'awsRequestId'>) {
  const logger = runtime.logger.child({ requestId: context?.awsRequestId });
  if (isHttpApiEvent(event)) return handleHttpApi(event, runtime, logger);
  if (isEventBridgeEvent(event)) return handleEventBridge(event, runtime, logger);
  if (isScheduleEvent(event)) return handleSchedule(event, runtime, logger);
  if (isSecretsRotationEvent(event)) return handleSecretsRotation(event, runtime, logger);
  if (isSqsEvent(event)) return handleSqsLane(event, runtime, logger);
  logger.error('event dropped: not an HTTP API, EventBridge, schedule or secret rotation event');
  return { status: 'dropped', error: 'unrecognised_event' };
}
