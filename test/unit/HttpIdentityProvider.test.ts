import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import type { EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { NotSupportedError, TemporarilyUnavailableError, UnusableRegistrationError, UpstreamError } from '../../functions/core/errors.js';
import { HttpIdentityProvider } from '../../functions/core/idp/HttpIdentityProvider.js';
import { endlessBody, stalledBody } from '../helpers/misbehavingBodies.js';
import { expectVariantOutcome, MALFORMED_REGISTRATIONS } from '../helpers/malformedRegistrations.js';

const target = parseServiceConfig(
  JSON.stringify({
    targets: { default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/reg', initialAccessTokenSecretId: 'iat' } },
  }),
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
    const attempt = idp.deleteClient(target, {
      registration_client_uri: 'http://169.254.169.254/reg/abc',
      registration_access_token: 'rat',
    });

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
    await expect(
      idp.deleteClient(target, { registration_client_uri: 'https://idp.example.com/reg/a', registration_access_token: 't' }),
    ).rejects.toThrow(NotSupportedError);
  });

  it('never follows a redirect with the initial access token', async () => {
    const { calls, idp } = recordingFetch(() => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }));
    await expect(idp.register(target, {}, 'iat')).rejects.toThrow(UpstreamError);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init.redirect).toBe('manual');
  });

  it('classifies a refused connection as retryable and unambiguous, a timeout as ambiguous', async () => {
    const refused = new HttpIdentityProvider({
      fetch: (async () => {
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      }) as unknown as typeof fetch,
    });
    const timedOut = new HttpIdentityProvider({
      fetch: (async () => {
        throw new DOMException('timeout', 'TimeoutError');
      }) as unknown as typeof fetch,
    });
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

  it('keeps the fields it knows apart from the rest of the metadata; a method named by no one is the profile default, flagged as not echoed', async () => {
    const answer = {
      client_id: 'c1',
      client_secret: 's3cret-value',
      client_id_issued_at: 1,
      redirect_uris: ['https://a/cb'],
      scopes: ['api'],
    };
    const { idp } = recordingFetch(() => new Response(JSON.stringify(answer), { status: 201 }));

    const registration = await idp.register(target, {}, 'iat');

    expect(registration).toEqual({
      client_id: 'c1',
      client_secret: 's3cret-value',
      client_id_issued_at: 1,
      token_endpoint_auth_method: 'client_secret_basic',
      token_endpoint_auth_method_echoed: false,
      metadata: { redirect_uris: ['https://a/cb'], scopes: ['api'] },
    });
  });

  it("refuses to send a token with a line break or non-ASCII character, never quoting it (fetch's own header error would)", async () => {
    // Prepare
    const { calls, idp } = recordingFetch(() => new Response(null, { status: 204 }));
    const client = { registration_client_uri: 'https://idp.example.com/reg/abc', registration_access_token: 'rat-line\nInjected: 1' };

    // Act
    const registration = await idp.register(target, {}, 'iat-line\nInjected: 1').catch((caught: Error) => caught);
    const deletion = await idp.deleteClient(target, client).catch((caught: Error) => caught);
    const update = await idp
      .updateClient(target, { ...client, registration_access_token: 'rat-tökén' }, {})
      .catch((caught: Error) => caught);

    // Assess
    expect(registration).toMatchObject({ name: 'ConfigurationError', retryable: false });
    expect(deletion).toMatchObject({ name: 'UpstreamError', retryable: false });
    expect(update).toMatchObject({ name: 'UpstreamError', retryable: false });
    for (const error of [registration, deletion, update] as Error[])
      expect(`${error.message} ${String(error.cause)}`).not.toMatch(/line|Injected|tökén/);
    expect(calls).toEqual([]);
  });

  describe('bounded reads', () => {
    const client = { registration_client_uri: 'https://idp.example.com/reg/abc', registration_access_token: 'rat-value' };

    it('aborts an endless 201 past 256 KB: a client may exist but its id is unknown, so no client is named', async () => {
      // Prepare
      const body = endlessBody();
      const { calls, idp } = recordingFetch(() => new Response(body.stream, { status: 201 }));

      // Act
      const error = await idp.register(target, {}, 'iat').catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(UnusableRegistrationError);
      expect((error as UnusableRegistrationError).client).toBeUndefined();
      expect((error as Error).message).toContain('a client may have been created');
      expect(body.cancelled).toBe(true);
      expect(body.bytesPulled).toBeLessThanOrEqual(256 * 1024 + 2 * 16 * 1024);
      expect(calls[0]?.init.signal?.aborted).toBe(true);
    });

    it('refuses a 201 declaring a 50 MB Content-Length without reading its body', async () => {
      const body = endlessBody();
      const { idp } = recordingFetch(
        () => new Response(body.stream, { status: 201, headers: { 'content-length': String(50 * 1024 * 1024) } }),
      );
      await expect(idp.register(target, {}, 'iat')).rejects.toBeInstanceOf(UnusableRegistrationError);
      expect(body.bytesPulled).toBe(0);
    });

    it('classifies an oversized error answer by its status alone, quoting nothing of it', async () => {
      const statuses = [400, 401, 503];
      const { idp } = recordingFetch(() => new Response(endlessBody().stream, { status: statuses.shift() }));
      const bad = await idp.register(target, {}, 'iat').catch((caught: Error) => caught);
      const refused = await idp.register(target, {}, 'iat').catch((caught: Error) => caught);
      const unavailable = await idp.register(target, {}, 'iat').catch((caught: Error) => caught);
      expect(bad).toMatchObject({ name: 'UpstreamError', upstreamStatus: 400, message: 'identity provider answered 400 to registration' });
      expect(refused).toMatchObject({ name: 'InitialAccessTokenRejectedError', upstreamStatus: 401 });
      expect(unavailable).toMatchObject({ name: 'TemporarilyUnavailableError', retryable: true });
    });

    it('treats an oversized rotation answer as an upstream failure, never as a client to delete', async () => {
      const { idp } = recordingFetch(() => new Response(endlessBody().stream, { status: 200 }));
      const error = await idp.updateClient(target, client, {}).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).not.toBeInstanceOf(UnusableRegistrationError);
    });

    it('still reads a deletion as done when its answer is oversized (the status says so)', async () => {
      const { idp } = recordingFetch(() => new Response(endlessBody().stream, { status: 200 }));
      expect(await idp.deleteClient(target, client)).toBe('deleted');
    });

    it('refuses an oversized or non-JSON token answer as an upstream error, not a crash', async () => {
      const bodies = [() => endlessBody().stream, () => 'not json', () => '[1]'];
      const { idp } = recordingFetch(() => new Response(bodies.shift()!(), { status: 200 }));
      const credentials = { client_id: 'c1', client_secret: 'secret-1', token_endpoint_auth_method: 'client_secret_basic' };
      for (let i = 0; i < 3; i++) {
        await expect(idp.proveClientCredentials('https://idp.example.com/token', credentials)).rejects.toMatchObject({
          name: 'UpstreamError',
        });
      }
    });

    it('ends a body that stalls forever at the request timeout, as a retryable and ambiguous failure', async () => {
      // Prepare: the provider sends the start of a 201 and then nothing; fetch ignores its signal
      const body = stalledBody('{"client_id":"c');
      const idp = new HttpIdentityProvider({
        timeoutMs: 50,
        fetch: (async () => new Response(body.stream, { status: 201 })) as unknown as typeof fetch,
      });

      // Act
      const error = await idp.register(target, {}, 'iat').catch((caught: unknown) => caught);

      // Assess
      expect(error).toMatchObject({ name: 'TemporarilyUnavailableError', ambiguous: true });
      expect(body.cancelled).toBe(true);
    });
  });

  describe('answers it cannot use', () => {
    it.each(MALFORMED_REGISTRATIONS)('$name', async (variant) => {
      // Prepare
      const { idp } = recordingFetch(() => new Response(variant.body, { status: 201 }));

      // Act, Assess
      const error = await expectVariantOutcome(variant, idp.register(target, variant.metadata ?? {}, 'iat'));
      expect(error?.message.length ?? 0).toBeLessThan(300);
    });

    it('turns an unusable rotation answer into a plain upstream failure: the client already exists', async () => {
      const answer = JSON.stringify({ client_id: 'c1', registration_access_token: 'rat-2' });
      const { idp } = recordingFetch(() => new Response(answer, { status: 200 }));
      const client = { registration_client_uri: 'https://idp.example.com/reg/c1', registration_access_token: 'rat-1' };
      const error = await idp.updateClient(target, client, {}).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'UpstreamError', upstreamStatus: 200 });
      expect((error as Error).message).toContain('no client_secret, which client_secret_basic needs');
    });

    it('reads a rotation answer with numeric strings like a registration', async () => {
      const answer = JSON.stringify({ client_id: 'c1', client_secret: 'new-secret-1', client_secret_expires_at: '0' });
      const { idp } = recordingFetch(() => new Response(answer, { status: 200 }));
      const client = { registration_client_uri: 'https://idp.example.com/reg/c1', registration_access_token: 'rat-1' };
      expect(await idp.updateClient(target, client, {})).toMatchObject({ client_secret: 'new-secret-1', client_secret_expires_at: 0 });
    });
  });
});
