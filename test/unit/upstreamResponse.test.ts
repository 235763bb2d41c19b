import { describe, expect, it } from 'vitest';
import {
  InitialAccessTokenRejectedError,
  InvalidClientMetadataError,
  RegistrationAccessTokenRejectedError,
  TemporarilyUnavailableError,
  UpstreamError,
} from '../../functions/core/errors.js';
import { classifyUpstreamFailure, parseErrorBody, parseRetryAfter } from '../../functions/core/idp/upstreamResponse.js';
import { MAX_QUOTED_DESCRIPTION } from '../../functions/core/options.js';
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

  it.each([
    [400, { error: 'access_denied' }, 'registration', InitialAccessTokenRejectedError],
    [400, { error: 'invalid_token' }, 'registration', InitialAccessTokenRejectedError],
    [400, { error: 'invalid_request' }, 'registration', UpstreamError],
    [400, { error: 'access_denied' }, 'other', UpstreamError],
    [503, { error: 'access_denied' }, 'registration', TemporarilyUnavailableError],
    [401, { error: 'invalid_token' }, 'management', RegistrationAccessTokenRejectedError],
    [403, {}, 'management', RegistrationAccessTokenRejectedError],
    [400, { error: 'access_denied' }, 'management', UpstreamError],
  ] as const)('%i %j on a %s call → %o', (status, body, call, type) => {
    const error = classifyUpstreamFailure(status, body, null, 'the call', call);
    expect(error).toBeInstanceOf(type);
    if (type === UpstreamError) expect(error.name).toBe('UpstreamError');
  });

  it("keeps the provider's metadata error code and description verbatim", () => {
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
    expect(
      parseErrorBody(JSON.stringify({ error: 'invalid_client', error_description: 'token secret-value-handled-earlier is bad' })),
    ).toEqual({
      error: 'invalid_client',
      error_description: 'token [REDACTED] is bad',
    });
  });

  it('quotes a description short, on one line, without control or bidi characters', () => {
    const body = JSON.stringify({
      error: 'invalid_request\r\nX-Injected: 1',
      error_description: `line one\nline two\u202e${'y'.repeat(1000)}`,
    });
    const parsed = parseErrorBody(body);
    expect(parsed.error).toBe('invalid_request X-Injected: 1');
    expect(parsed.error_description).toMatch(/^line one line two y+…$/);
    expect(parsed.error_description).toHaveLength(MAX_QUOTED_DESCRIPTION);
  });

  it.each([
    ['an echoed Authorization header', (t: string) => `Authorization: Bearer ${t} is not valid`],
    ['a JSON field', (t: string) => `bad request {"registration_access_token":"${t}"}`],
    ['a form field', (t: string) => `client_id=abc&client_secret=${t}`],
    ['a JWT', () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.fresh-jwt-signature'],
  ])('redacts %s this process never read, in the description and in the error code', (_, echo) => {
    const token = 'fresh-container-token-42';
    const parsed = parseErrorBody(JSON.stringify({ error: echo(token), error_description: echo(token) }));
    const error = classifyUpstreamFailure(400, parsed, null, 'registration');
    for (const text of [parsed.error, parsed.error_description, error.message]) {
      expect(text).toContain('[REDACTED]');
      expect(text).not.toContain(token);
      expect(text).not.toContain('fresh-jwt-signature');
    }
  });

  it('quotes nothing from a body that is not a JSON object', () => {
    expect(parseErrorBody('Authorization: Bearer plain-text-echo')).toEqual({});
    expect(parseErrorBody('null')).toEqual({});
    expect(parseErrorBody('"Bearer x"')).toEqual({});
  });
});
