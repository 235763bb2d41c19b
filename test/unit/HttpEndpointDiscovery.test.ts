import { describe, expect, it } from 'vitest';
import { ConfigurationError, TemporarilyUnavailableError } from '../../functions/core/errors.js';
import { discoveryUrls, HttpEndpointDiscovery } from '../../functions/core/idp/HttpEndpointDiscovery.js';
import { endlessBody } from '../helpers/misbehavingBodies.js';

const ISSUER = 'https://idp.example.com/tenant-a';

function discoveryAnswering(document: Record<string, unknown>) {
  let fetches = 0;
  const fetch = (async () => {
    fetches++;
    return new Response(JSON.stringify({ issuer: ISSUER, ...document }), { status: 200 });
  }) as unknown as typeof globalThis.fetch;
  return { discovery: new HttpEndpointDiscovery({ fetch }), fetches: () => fetches };
}

describe('HttpEndpointDiscovery', () => {
  it("accepts a registration_endpoint on the issuer's origin", async () => {
    const { discovery } = discoveryAnswering({
      registration_endpoint: 'https://idp.example.com/reg',
      token_endpoint: 'https://idp.example.com/token',
    });
    expect(await discovery.discover(ISSUER)).toEqual({
      registrationEndpoint: 'https://idp.example.com/reg',
      tokenEndpoint: 'https://idp.example.com/token',
    });
  });

  it('refuses a registration_endpoint on another origin, naming the issuer and that origin', async () => {
    // Prepare: the initial access token would be sent there
    const { discovery } = discoveryAnswering({ registration_endpoint: 'https://collector.example.net/reg' });

    // Act
    const error = await discovery.discover(ISSUER).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(ISSUER);
    expect((error as Error).message).toContain('https://collector.example.net');
  });

  it('treats another port or scheme as another origin', async () => {
    const { discovery } = discoveryAnswering({ registration_endpoint: 'https://idp.example.com:8443/reg' });
    await expect(discovery.discover(ISSUER)).rejects.toThrow('https://idp.example.com:8443');
  });

  it('accepts another origin the target allows, and checks each target against the one cached document', async () => {
    // Prepare
    const { discovery, fetches } = discoveryAnswering({ registration_endpoint: 'https://dcr.example.org/reg' });

    // Act
    const allowed = await discovery.discover(ISSUER, ['https://dcr.example.org']);
    const notAllowed = discovery.discover(ISSUER, ['https://other.example.org']);

    // Assess
    expect(allowed.registrationEndpoint).toBe('https://dcr.example.org/reg');
    await expect(notAllowed).rejects.toBeInstanceOf(ConfigurationError);
    expect(fetches()).toBe(1);
  });

  it('refuses an endless discovery document past the cap, and does not cache the failure', async () => {
    // Prepare
    // Both documents (OpenID, then RFC 8414) are tried on each call.
    const bodies = [endlessBody(), endlessBody(), endlessBody(), endlessBody()];
    const fetch = (async () => new Response(bodies.shift()!.stream, { status: 200 })) as unknown as typeof globalThis.fetch;
    const discovery = new HttpEndpointDiscovery({ fetch });

    // Act, Assess
    await expect(discovery.discover(ISSUER)).rejects.toThrow(/larger than 262144 bytes/);
    await expect(discovery.discover(ISSUER)).rejects.toBeInstanceOf(ConfigurationError);
    expect(bodies).toHaveLength(0);
  });
});

describe('HttpEndpointDiscovery: OpenID Connect Discovery, then RFC 8414', () => {
  function byUrl(answers: Record<string, [number, unknown?]>) {
    const urls: string[] = [];
    const fetch = (async (url: string) => {
      urls.push(url);
      const [status, body] = answers[url] ?? [404];
      return new Response(body === undefined ? null : JSON.stringify(body), { status });
    }) as unknown as typeof globalThis.fetch;
    return { urls, discovery: new HttpEndpointDiscovery({ fetch }) };
  }
  const OPENID = 'https://idp.example.com/tenant-a/.well-known/openid-configuration';
  const OAUTH = 'https://idp.example.com/.well-known/oauth-authorization-server/tenant-a';
  const document = { issuer: ISSUER, registration_endpoint: 'https://idp.example.com/tenant-a/register' };

  it("builds the RFC 8414 URL by inserting the well-known segment before the issuer's path", () => {
    expect(discoveryUrls(ISSUER)).toEqual([OPENID, OAUTH]);
    expect(discoveryUrls('https://idp.example.com/')).toEqual([
      'https://idp.example.com/.well-known/openid-configuration',
      'https://idp.example.com/.well-known/oauth-authorization-server',
    ]);
  });

  it('uses RFC 8414 metadata when the server publishes no OpenID document', async () => {
    const { urls, discovery } = byUrl({ [OAUTH]: [200, document] });
    expect(await discovery.discover(ISSUER)).toEqual({ registrationEndpoint: document.registration_endpoint, tokenEndpoint: undefined });
    expect(urls).toEqual([OPENID, OAUTH]);
  });

  it('asks for RFC 8414 only when the OpenID document is unusable', async () => {
    const { urls, discovery } = byUrl({
      [OPENID]: [200, document],
      [OAUTH]: [200, { ...document, registration_endpoint: 'https://idp.example.com/other' }],
    });
    expect((await discovery.discover(ISSUER)).registrationEndpoint).toBe(document.registration_endpoint);
    expect(urls).toEqual([OPENID]);
  });

  it('falls back when the OpenID document lacks a registration_endpoint or names another issuer', async () => {
    const { discovery } = byUrl({ [OPENID]: [200, { issuer: ISSUER }], [OAUTH]: [200, document] });
    expect((await discovery.discover(ISSUER)).registrationEndpoint).toBe(document.registration_endpoint);
    const other = byUrl({ [OPENID]: [200, { ...document, issuer: 'https://else.example' }], [OAUTH]: [200, document] });
    expect((await other.discovery.discover(ISSUER)).registrationEndpoint).toBe(document.registration_endpoint);
  });

  it('still requires the RFC 8414 document to name the issuer', async () => {
    const { discovery } = byUrl({ [OAUTH]: [200, { ...document, issuer: 'https://idp.example.com' }] });
    await expect(discovery.discover(ISSUER)).rejects.toThrow(/names another issuer/);
  });

  it('fails with a ConfigurationError naming the issuer and both URLs when neither is usable', async () => {
    const { discovery } = byUrl({ [OAUTH]: [200, { issuer: ISSUER }] });
    const error = await discovery.discover(ISSUER).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(`issuer ${ISSUER} has no usable discovery document`);
    expect((error as Error).message).toContain(OPENID);
    expect((error as Error).message).toContain(OAUTH);
  });

  it('is retryable when one of them failed only for now, and caches nothing', async () => {
    const answers: Record<string, [number, unknown?]> = { [OPENID]: [503] };
    const { urls, discovery } = byUrl(answers);
    await expect(discovery.discover(ISSUER)).rejects.toBeInstanceOf(TemporarilyUnavailableError);
    answers[OPENID] = [200, document];
    expect((await discovery.discover(ISSUER)).registrationEndpoint).toBe(document.registration_endpoint);
    expect(urls).toEqual([OPENID, OAUTH, OPENID]);
  });

  it('keeps the origin check on an RFC 8414 registration_endpoint', async () => {
    const { discovery } = byUrl({ [OAUTH]: [200, { ...document, registration_endpoint: 'https://collector.example.net/reg' }] });
    await expect(discovery.discover(ISSUER)).rejects.toThrow(/registration_endpoint on https:\/\/collector.example.net/);
  });
});
