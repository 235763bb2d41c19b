import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../functions/core/errors.js';
import { HttpEndpointDiscovery } from '../../functions/core/idp/HttpEndpointDiscovery.js';
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
  it('accepts a registration_endpoint on the issuer\'s origin', async () => {
    const { discovery } = discoveryAnswering({ registration_endpoint: 'https://idp.example.com/reg', token_endpoint: 'https://idp.example.com/token' });
    expect(await discovery.discover(ISSUER)).toEqual({ registrationEndpoint: 'https://idp.example.com/reg', tokenEndpoint: 'https://idp.example.com/token' });
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
    const bodies = [endlessBody(), endlessBody()];
    const fetch = (async () => new Response(bodies.shift()!.stream, { status: 200 })) as unknown as typeof globalThis.fetch;
    const discovery = new HttpEndpointDiscovery({ fetch });

    // Act, Assess
    await expect(discovery.discover(ISSUER)).rejects.toThrow(/larger than 262144 bytes/);
    await expect(discovery.discover(ISSUER)).rejects.toBeInstanceOf(ConfigurationError);
    expect(bodies).toHaveLength(0);
  });
});
