import { describe, expect, it } from 'vitest';
import { managementOrigin } from '../../functions/core/config/managementOrigin.js';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import type { EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { InitialAccessTokenRejectedError, RegistrationAccessTokenRejectedError, UpstreamError } from '../../functions/core/errors.js';
import { HttpIdentityProvider } from '../../functions/core/idp/HttpIdentityProvider.js';

// Which credential a refusal names (issue 17 items 3, 4, 6): the IAT on registration, the registration
// access token on RFC 7592 calls, and where RFC 7592 calls may go at all.
function targetWith(extra: Record<string, unknown> = {}): EndpointTarget {
  const targets = {
    default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/reg', initialAccessTokenSecretId: 'iat', ...extra },
  };
  return parseServiceConfig(JSON.stringify({ targets }), 'test').targets.default! as EndpointTarget;
}

function answering(...answers: [number, unknown?][]) {
  const urls: string[] = [];
  const fetch = (async (url: string) => {
    urls.push(url);
    const [status, body] = answers.shift() ?? [500];
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { urls, idp: new HttpIdentityProvider({ fetch }) };
}

const client = { registration_client_uri: 'https://idp.example.com/reg/c1', registration_access_token: 'rat-value' };

describe('refusals name the credential that was refused', () => {
  it.each([401, 403])('a %i to an RFC 7592 DELETE or PUT refuses the registration access token, not the IAT', async (status) => {
    // Prepare
    const { idp } = answering([status, { error: 'invalid_token' }], [status]);

    // Act
    const deletion = await idp.deleteClient(targetWith(), client).catch((caught: unknown) => caught);
    const update = await idp.updateClient(targetWith(), client, {}).catch((caught: unknown) => caught);

    // Assess
    for (const error of [deletion, update]) {
      expect(error).toBeInstanceOf(RegistrationAccessTokenRejectedError);
      expect(error).not.toBeInstanceOf(InitialAccessTokenRejectedError);
      expect(error).toMatchObject({ upstreamStatus: status, retryable: false, status: 502 });
      expect((error as Error).message).toMatch(/registration access token/);
      expect((error as Error).message).not.toMatch(/initial access token|rat-value/);
    }
  });

  it.each([
    [400, 'access_denied'],
    [400, 'invalid_token'],
    [403, 'access_denied'],
    [401, undefined],
  ])('a %i %s to a registration refuses the initial access token', async (status, code) => {
    const { idp } = answering([status, code ? { error: code } : undefined]);
    const error = await idp.register(targetWith(), {}, 'iat-value').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InitialAccessTokenRejectedError);
    expect((error as Error).message).toMatch(/refused the registration credential for registration/);
  });

  it('keeps other 400s at registration, and access_denied elsewhere, plain upstream errors', async () => {
    const { idp } = answering([400, { error: 'invalid_request' }], [400, { error: 'access_denied' }]);
    const registration = await idp.register(targetWith(), {}, 'iat-value').catch((caught: unknown) => caught);
    const deletion = await idp.deleteClient(targetWith(), client).catch((caught: unknown) => caught);
    for (const error of [registration, deletion]) {
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).not.toBeInstanceOf(InitialAccessTokenRejectedError);
      expect(error).not.toBeInstanceOf(RegistrationAccessTokenRejectedError);
    }
  });
});

describe('where RFC 7592 calls may go', () => {
  const foreign = { registration_client_uri: 'https://manage.example.net/clients/c1', registration_access_token: 'rat-value' };

  it('never sends the registration access token to a foreign origin, and says which origin and option', async () => {
    const { urls, idp } = answering([204]);
    const error = await idp.deleteClient(targetWith(), foreign).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as Error).message).toContain('https://manage.example.net');
    expect((error as Error).message).toContain('allowedManagementOrigins');
    expect(urls).toEqual([]);
  });

  it('sends it to an origin the target lists in allowedManagementOrigins', async () => {
    const { urls, idp } = answering([204]);
    expect(await idp.deleteClient(targetWith({ allowedManagementOrigins: ['https://manage.example.net'] }), foreign)).toBe('deleted');
    expect(urls).toEqual([foreign.registration_client_uri]);
  });

  it('compares whole origins: another port, scheme or a look-alike host is foreign', () => {
    const target = targetWith({ allowedManagementOrigins: ['https://manage.example.net'] });
    const allowed = (uri: string) => managementOrigin(uri, target)?.allowed;
    expect(allowed('https://idp.example.com/reg/c1')).toBe(true);
    expect(allowed('https://manage.example.net/x')).toBe(true);
    expect(allowed('https://manage.example.net:8443/x')).toBe(false);
    expect(allowed('http://idp.example.com/reg/c1')).toBe(false);
    expect(allowed('https://idp.example.com.evil.example/reg/c1')).toBe(false);
    expect(managementOrigin('not a url', target)).toBeUndefined();
  });

  it('refuses an allowedManagementOrigins entry that is not an origin', () => {
    expect(() => targetWith({ allowedManagementOrigins: ['https://manage.example.net/path'] })).toThrow();
    expect(() => targetWith({ allowedManagementOrigins: ['http://manage.example.net'] })).toThrow();
  });
});
