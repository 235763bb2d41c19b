import { describe, expect, it } from 'vitest';
import {
  InitialAccessTokenRejectedError,
  InvalidClientMetadataError,
  TemporarilyUnavailableError,
  UpstreamError,
} from '../../functions/core/errors.js';
import { classifyUpstreamFailure, parseErrorBody, parseRetryAfter } from '../../functions/core/idp/upstreamResponse.js';
import { rememberSecret } from '../../functions/core/logger.js';

describe('classifyUpstreamFailure', () => {
  it.each([
    [429, {}, TemporarilyUnavailableError, true],
    [500, {}, TemporarilyUnavailableError, true],
    [503, { error: 'server_error' }, TemporarilyUnavailableError, true],
    [400, { error: 'invalid_client_metadata', error_description: 'bad grant' }, InvalidClientMetadataError, false],
    [400, { error: 'invalid_redirect_uri' }, InvalidClientMetadataError, false],
    [400, { error: 'invalid_request' }, UpstreamError, false],
    [401, { error: 'invalid_client' }, InitialAccessTokenRejectedError, false],
    [403, {}, InitialAccessTokenRejectedError, false],
    [404, {}, UpstreamError, false],
  ])('%i %j → %o (retryable %s)', (status, body, type, retryable) => {
    const error = classifyUpstreamFailure(status, body, null, 'registration');
    expect(error).toBeInstanceOf(type);
    expect(error.retryable).toBe(retryable);
  });

  it('keeps the provider\'s metadata error code and description verbatim', () => {
    const error = classifyUpstreamFailure(400, { error: 'invalid_redirect_uri', error_description: 'must be https' }, null, 'registration');
    expect(error).toMatchObject({ code: 'invalid_redirect_uri', message: 'must be https', status: 400 });
  });

  it('honours Retry-After on 429', () => {
    const error = classifyUpstreamFailure(429, {}, '17', 'registration') as TemporarilyUnavailableError;
    expect(error.retryAfterSeconds).toBe(17);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, bounded to [1, 300]', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter('0', now)).toBe(1);
    expect(parseRetryAfter('100000', now)).toBe(300);
    expect(parseRetryAfter('Mon, 23 Nov 2026 12:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('parseErrorBody', () => {
  it('tolerates non-JSON and scrubs secrets the process has handled', () => {
    rememberSecret('secret-value-handled-earlier');
    expect(parseErrorBody('<html>')).toEqual({});
    expect(parseErrorBody(JSON.stringify({ error: 'invalid_client', error_description: 'token secret-value-handled-earlier is bad' }))).toEqual({
      error: 'invalid_client',
      error_description: 'token [REDACTED] is bad',
    });
  });
});
