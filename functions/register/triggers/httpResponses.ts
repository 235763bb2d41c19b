import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DcrError, OperationInProgressError, TemporarilyUnavailableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { scrubSecrets } from '../../core/logger.js';
import { METRICS } from '../../core/constants.js';
import { emitMetrics } from '../../core/metrics.js';

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  // Defence in depth: no remembered secret value can leave in a response even if a message carried one.
  return { statusCode, headers: { ...HEADERS, ...headers }, body: scrubSecrets(JSON.stringify(body)) };
}

/** One mapping from any failure to `{error, error_description}`; unexpected faults reveal nothing. */
export function errorResponse(error: unknown, logger: Logger): APIGatewayProxyStructuredResultV2 {
  if (error instanceof DcrError) {
    const log = error.status >= 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
    log('request failed', { error });
    if (error.status >= 500) countServerError(logger);
    const headers: Record<string, string> =
      error instanceof TemporarilyUnavailableError || error instanceof OperationInProgressError
        ? { 'retry-after': String(error.retryAfterSeconds) }
        : {};
    return json(error.status, { error: error.code, error_description: error.message }, headers);
  }
  logger.error('unexpected failure', { error });
  countServerError(logger);
  return json(500, { error: 'server_error', error_description: 'internal error' });
}

/** An answered 5xx never reaches Lambda's Errors metric: HttpServerError is what alarms on it. */
function countServerError(logger: Logger): void {
  emitMetrics(logger, {}, { [METRICS.httpServerError]: { value: 1, unit: 'Count' } });
}
