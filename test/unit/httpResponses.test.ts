import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  InvalidClientMetadataError,
  InvalidRequestError,
  NotFoundError,
  OperationInProgressError,
  PayloadTooLargeError,
  TemporarilyUnavailableError,
  UpstreamError,
} from '../../functions/core/errors.js';
import { Logger, rememberSecret } from '../../functions/core/logger.js';
import { errorResponse } from '../../functions/register/triggers/httpResponses.js';

const quiet = new Logger({ sink: () => {} });

describe('errorResponse', () => {
  it.each([
    [new InvalidRequestError('tenantId: required'), 400, 'invalid_request'],
    [new InvalidClientMetadataError('invalid_redirect_uri', 'must be https'), 400, 'invalid_redirect_uri'],
    [new NotFoundError('no registration'), 404, 'not_found'],
    [new UpstreamError('refused', 401), 502, 'upstream_error'],
    [new TemporarilyUnavailableError('throttled', 7), 503, 'temporarily_unavailable'],
    [new OperationInProgressError('rotating'), 409, 'operation_in_progress'],
    [new PayloadTooLargeError('body over 16384 bytes'), 413, 'payload_too_large'],
    [new ConfigurationError('bad config'), 500, 'server_error'],
  ])('maps %o to %i %s with the message as description', (error, status, code) => {
    const response = errorResponse(error, quiet);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body ?? '')).toEqual({ error: code, error_description: error.message });
    expect(response.headers?.['cache-control']).toBe('no-store');
  });

  it('adds Retry-After to retryable failures only', () => {
    expect(errorResponse(new TemporarilyUnavailableError('x', 7), quiet).headers?.['retry-after']).toBe('7');
    expect(errorResponse(new OperationInProgressError('x', 3), quiet).headers?.['retry-after']).toBe('3');
    expect(errorResponse(new UpstreamError('x'), quiet).headers?.['retry-after']).toBeUndefined();
  });

  it('reveals nothing of an unexpected fault', () => {
    const response = errorResponse(new TypeError('Cannot read properties of undefined (reading "x") at /var/task'), quiet);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '')).toEqual({ error: 'server_error', error_description: 'internal error' });
  });

  it('never lets a remembered secret leave in a description', () => {
    rememberSecret('a-client-secret-value');
    const response = errorResponse(new UpstreamError('echoed a-client-secret-value'), quiet);
    expect(response.body).not.toContain('a-client-secret-value');
  });
});
