import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import type { EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { UnusableRegistrationError } from '../../functions/core/errors.js';
import { HttpIdentityProvider } from '../../functions/core/idp/HttpIdentityProvider.js';
import { readBoundedBody } from '../../functions/core/idp/readBoundedBody.js';
import { MAX_UPSTREAM_BODY_BYTES } from '../../functions/core/options.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { CLIENT_CREDENTIALS_CLIENT } from '../../sandbox/seedLocalAws.js';
import { expectVariantOutcome, MALFORMED_REGISTRATIONS } from '../helpers/malformedRegistrations.js';
import { type MisbehavingProvider, startMisbehavingProvider } from '../helpers/misbehavingProvider.js';

const MB = 1024 * 1024;
let peer: MisbehavingProvider;
let wellBehaved: LocalIdentityProvider[];
const idp = new HttpIdentityProvider({ timeoutMs: 20_000 });

beforeAll(async () => {
  peer = await startMisbehavingProvider();
  wellBehaved = await Promise.all([
    startLocalIdentityProvider({ profile: 'salesforce' }),
    startLocalIdentityProvider({ profile: 'rfc7591' }),
  ]);
});

afterAll(async () => {
  await peer.close();
  await Promise.all(wellBehaved.map((provider) => provider.close()));
});

function targetAt(path: string): EndpointTarget {
  const config = {
    targets: { default: { profile: 'rfc7591', registrationEndpoint: `${peer.url}${path}`, initialAccessTokenSecretId: 'iat' } },
  };
  return parseServiceConfig(JSON.stringify(config), 'test').targets.default as EndpointTarget;
}

/** Peak resident set growth while `work` runs, sampled every 5 ms. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

describe('a provider streaming a body without end', () => {
  it('stops a 200 MB registration answer at the cap, with a small memory cost', async () => {
    // Prepare: 200 MB (the issue's figure), chunked, written as fast as the socket takes it
    const target = targetAt(`/stream/endless?bytes=${200 * MB}`);

    // Act
    const { result: error, growth } = await peakRssGrowth(() => idp.register(target, {}, 'iat').catch((caught: unknown) => caught));
    const record = peer.streams.get('endless');
    await record?.closed;

    // Assess
    expect(error).toBeInstanceOf(UnusableRegistrationError);
    expect((error as UnusableRegistrationError).client).toBeUndefined();
    expect(record?.finished).toBe(false);
    expect(record?.bytesFlushed).toBeLessThan(200 * MB);
    // The whole answer would be 200 MB of text (and far more as a JS string): the cap keeps it to a trifle.
    expect(growth).toBeLessThan(64 * MB);
    console.info(
      `[figures] endless 200 MB body: peak RSS growth ${(growth / MB).toFixed(1)} MB; peer flushed ${record?.bytesFlushed} bytes before the socket closed`,
    );
  });

  it('aborts a 50 MB answer after 256 KB: the peer cannot write more than socket buffers hold', async () => {
    // Prepare
    const controller = new AbortController();

    // Act: the reader itself against a real socket, to see how much it read
    const response = await fetch(`${peer.url}/stream/fifty?bytes=${50 * MB}`, { method: 'POST', signal: controller.signal });
    const body = await readBoundedBody(response, { maxBytes: MAX_UPSTREAM_BODY_BYTES, controller });
    const record = peer.streams.get('fifty');
    await record?.closed;

    // Assess
    expect(body.tooLarge).toBe(true);
    expect(body.bytesRead).toBeGreaterThan(MAX_UPSTREAM_BODY_BYTES);
    // One socket read past the cap at most (64 KB each on Node; doubled for headroom).
    expect(body.bytesRead).toBeLessThanOrEqual(MAX_UPSTREAM_BODY_BYTES + 128 * 1024);
    expect(record?.finished).toBe(false);
    expect(record?.bytesFlushed).toBeLessThan(50 * MB);
    console.info(
      `[figures] 50 MB body: client read ${body.bytesRead} bytes before abort; peer flushed ${record?.bytesFlushed} bytes before the socket closed`,
    );
  });

  it('refuses a declared 50 MB Content-Length before reading, through the identity provider', async () => {
    const target = targetAt(`/stream/declared?bytes=${50 * MB}&declare=1`);
    await expect(idp.register(target, {}, 'iat')).rejects.toBeInstanceOf(UnusableRegistrationError);
    const record = peer.streams.get('declared');
    await record?.closed;
    expect(record?.finished).toBe(false);
    console.info(`[figures] declared 50 MB: peer flushed ${record?.bytesFlushed} bytes before the socket closed`);
  });

  it('counts decompressed bytes: a gzip answer inflating to 1 GB is stopped at the cap', async () => {
    const controller = new AbortController();
    const response = await fetch(`${peer.url}/gzip/bomb?bytes=${1024 * MB}`, { method: 'POST', signal: controller.signal });
    const body = await readBoundedBody(response, { maxBytes: MAX_UPSTREAM_BODY_BYTES, controller });
    await peer.streams.get('bomb')?.closed;
    expect(body).toMatchObject({ tooLarge: true });
    expect(peer.streams.get('bomb')?.finished).toBe(false);
    console.info(
      `[figures] gzip bomb (1 GB inflated): client read ${body.bytesRead} inflated bytes; peer produced ${peer.streams.get('bomb')?.bytesFlushed} compressed bytes`,
    );
  });

  it('classifies an oversized 400 by its status, quoting nothing of it', async () => {
    const target = targetAt(`/stream/error400?bytes=${50 * MB}&status=400`);
    await expect(idp.register(target, {}, 'iat')).rejects.toMatchObject({ name: 'UpstreamError', upstreamStatus: 400 });
    await peer.streams.get('error400')?.closed;
    expect(peer.streams.get('error400')?.finished).toBe(false);
  });

  it('ends a body that drips forever at the request timeout, as a retryable ambiguous failure', async () => {
    // Prepare: one byte every 20 ms never reaches the cap; only the timeout can end it
    const slowIdp = new HttpIdentityProvider({ timeoutMs: 500 });

    // Act
    const error = await slowIdp.register(targetAt('/drip/slow'), {}, 'iat').catch((caught: unknown) => caught);
    await peer.streams.get('slow')?.closed;

    // Assess
    expect(error).toMatchObject({ name: 'TemporarilyUnavailableError', ambiguous: true });
    expect(peer.streams.get('slow')?.finished).toBe(false);
  });
});

describe('a provider whose 201 is malformed', () => {
  it.each(MALFORMED_REGISTRATIONS.map((variant, index) => ({ ...variant, index })))('$name', async (variant) => {
    await expectVariantOutcome(variant, idp.register(targetAt(`/answer/${variant.index}`), variant.metadata ?? {}, 'iat'));
  });
});

describe('a well-behaved provider (oidc-provider) is not caught by the strict parsing', () => {
  it.each(['salesforce', 'rfc7591'] as const)('%s: register, rotate by RFC 7592, prove and delete', async (profile) => {
    // Prepare
    const provider = wellBehaved.find((candidate) => candidate.profile === profile)!;
    const config = {
      targets: { default: { profile, registrationEndpoint: provider.registrationEndpoint, initialAccessTokenSecretId: 'iat' } },
    };
    const target = parseServiceConfig(JSON.stringify(config), 'test').targets.default as EndpointTarget;

    // Act
    const registered = await idp.register(target, CLIENT_CREDENTIALS_CLIENT, await provider.issueInitialAccessToken());
    const rotated = await idp.updateClient(target, registered, { client_id: registered.client_id, ...CLIENT_CREDENTIALS_CLIENT });
    await idp.proveClientCredentials(provider.tokenEndpoint, { ...rotated, client_id: registered.client_id });
    const deleted = await idp.deleteClient(target, registered);

    // Assess
    expect(registered.client_secret).toBeTruthy();
    expect(rotated.client_secret).not.toBe(registered.client_secret);
    expect(deleted).toBe('deleted');
    expect(provider.clientIds()).not.toContain(registered.client_id);
  });
});
