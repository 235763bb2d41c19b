import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import type { EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { NotSupportedError, TemporarilyUnavailableError, UpstreamError } from '../../functions/core/errors.js';
import { HttpIdentityProvider } from '../../functions/core/idp/HttpIdentityProvider.js';

const target = parseServiceConfig(
  JSON.stringify({ targets: { default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/reg', initialAccessTokenSecretId: 'iat' } } }),
  'test',
).targets.default! as EndpointTarget;

function recordingFetch(respond: () => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return respond();
  }) as unknown as typeof globalThis.fetch;
  return { calls, idp: new HttpIdentityProvider({ fetch }) };
}

describe('HttpIdentityProvider', () => {
  it('refuses to send a registration access token to another origin than the configured provider', async () => {
    // Prepare
    const { calls, idp } = recordingFetch(() => new Response(null, { status: 204 }));

    // Act
    const attempt = idp.deleteClient(target, { registration_client_uri: 'http://169.254.169.254/reg/abc', registration_access_token: 'rat' });

    // Assess
    await expect(attempt).rejects.toThrow(UpstreamError);
    expect(calls).toEqual([]);
  });

  it('deletes with the registration access token and treats 404/410 as already gone', async () => {
    const statuses = [204, 404, 410];
    const { calls, idp } = recordingFetch(() => new Response(null, { status: statuses.shift() }));
    const client = { registration_client_uri: 'https://idp.example.com/reg/abc', registration_access_token: 'rat' };
    expect(await idp.deleteClient(target, client)).toBe('deleted');
    expect(await idp.deleteClient(target, client)).toBe('absent');
    expect(await idp.deleteClient(target, client)).toBe('absent');
    expect(calls[0]?.init).toMatchObject({ method: 'DELETE', headers: { authorization: 'Bearer rat' } });
  });

  it('says clearly when the provider cannot delete (no token issued, or 405)', async () => {
    const { idp } = recordingFetch(() => new Response(null, { status: 405 }));
    await expect(idp.deleteClient(target, {})).rejects.toThrow(NotSupportedError);
    await expect(idp.deleteClient(target, { registration_client_uri: 'https://idp.example.com/reg/a', registration_access_token: 't' })).rejects.toThrow(NotSupportedError);
  });

  it('never follows a redirect with the initial access token', async () => {
    const { calls, idp } = recordingFetch(() => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }));
    await expect(idp.register(target, {}, 'iat')).rejects.toThrow(UpstreamError);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init.redirect).toBe('manual');
  });

  it('classifies a refused connection as retryable and unambiguous, a timeout as ambiguous', async () => {
    const refused = new HttpIdentityProvider({ fetch: (async () => { throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }); }) as unknown as typeof fetch });
    const timedOut = new HttpIdentityProvider({ fetch: (async () => { throw new DOMException('timeout', 'TimeoutError'); }) as unknown as typeof fetch });
    await expect(refused.register(target, {}, 'iat')).rejects.toMatchObject({ retryable: true, ambiguous: false });
    await expect(timedOut.register(target, {}, 'iat')).rejects.toBeInstanceOf(TemporarilyUnavailableError);
    await expect(timedOut.register(target, {}, 'iat')).rejects.toMatchObject({ ambiguous: true });
  });

  it('refuses a success body without a client_id', async () => {
    const { idp } = recordingFetch(() => new Response('{"client_secret":"x"}', { status: 201 }));
    await expect(idp.register(target, {}, 'iat')).rejects.toThrow('no usable client_id');
  });

  it('answers not_supported for an update the provider does not implement (405/501), and never for a registration', async () => {
    const statuses = [405, 501, 405];
    const { idp } = recordingFetch(() => new Response(null, { status: statuses.shift() }));
    const client = { registration_client_uri: 'https://idp.example.com/reg/abc', registration_access_token: 'rat' };
    await expect(idp.updateClient(target, client, {})).rejects.toThrow(NotSupportedError);
    await expect(idp.updateClient(target, client, {})).rejects.toThrow(NotSupportedError);
    await expect(idp.register(target, {}, 'iat')).rejects.toMatchObject({ name: 'UpstreamError', upstreamStatus: 405 });
  });

  it('treats an answer whose body breaks off as retryable and ambiguous: the provider may have acted', async () => {
    // Prepare: headers arrive, then the body stream fails
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"client_id":'));
        controller.error(new Error('socket hang up'));
      },
    });
    const { idp } = recordingFetch(() => new Response(body, { status: 201 }));

    // Act, Assess
    await expect(idp.register(target, {}, 'iat')).rejects.toMatchObject({ name: 'TemporarilyUnavailableError', ambiguous: true });
  });

  it('keeps the fields it knows apart from the rest of the metadata and applies the profile default auth method', async () => {
    const answer = { client_id: 'c1', client_secret: 's3cret-value', client_id_issued_at: 1, redirect_uris: ['https://a/cb'], scopes: ['api'] };
    const { idp } = recordingFetch(() => new Response(JSON.stringify(answer), { status: 201 }));

    const registration = await idp.register(target, {}, 'iat');

    expect(registration).toEqual({
      client_id: 'c1',
      client_secret: 's3cret-value',
      client_id_issued_at: 1,
      token_endpoint_auth_method: 'client_secret_basic',
      metadata: { redirect_uris: ['https://a/cb'], scopes: ['api'] },
    });
  });
});
