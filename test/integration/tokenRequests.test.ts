import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';
import { type PeerMode, type StrictTokenPeer, startStrictTokenPeer } from '../helpers/strictTokenPeer.js';

// Issue 19 (token requests real providers accept; an explicit auth method, checked in the answer) and
// issue 17 item 2 (a proof that needs no client_credentials grant; "not active yet" apart from failed),
// on a local peer that behaves like Glewlwyd, Salesforce and careless providers where they differ.

let env: RegistrationEnvironment;
let peer: StrictTokenPeer;

const canary = (target: string) => env.invoke({ action: 'canary', target });
const register = (tenantId: string, target: string) =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target }) }));
const step = (SecretId: string, ClientRequestToken: string, Step: string) => env.invoke({ SecretId, ClientRequestToken, Step });
const entriesSince = (from: number) => env.logs.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);
const metricsSince = (from: number) => entriesSince(from).filter((entry) => entry._aws);
const lastTokenRequest = () => peer.tokenRequests.at(-1);
async function stored(tenantId: string) {
  return (await env.storedRecords()).filter((record) => record.tenant_id === tenantId);
}

beforeAll(async () => {
  peer = await startStrictTokenPeer();
  env = await startRegistrationEnvironment((config) => {
    const target = (mode: PeerMode, extra: Record<string, unknown> = {}) => ({
      profile: 'rfc7591',
      registrationEndpoint: `${peer.url}/${mode}/register`,
      tokenEndpoint: `${peer.url}/${mode}/token`,
      initialAccessTokenSecretId: config.targets.rfc.initialAccessTokenSecretId,
      clientMetadata: { client_name: 'issue 19', grant_types: ['client_credentials'] },
      ...extra,
    });
    Object.assign(config.targets, {
      scoped: target('glewlwyd', { tokenRequest: { scope: 'dcr.canary' } }),
      unscoped: target('glewlwyd'),
      switching: target('switching'),
      'switching-ok': target('switching', { acceptedAuthMethods: ['client_secret_post'] }),
      silent: target('silent'),
      'no-grant': target('grants', {
        clientMetadata: {
          client_name: 'web app',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: ['https://app.example.com/cb'],
        },
      }),
      'with-grant': target('grants'),
      refusing: target('refusing'),
      'sf-new': target('not-active', { profile: 'salesforce' }),
      'rfc-new': target('not-active'),
    });
  });
});

afterAll(async () => {
  expect(leakedSecrets([...env.logs, ...env.responses], [...(await env.secretValues()), ...peer.issued])).toEqual([]);
  await env.close();
  await peer.close();
});

describe('per-target tokenRequest (a provider that requires scope and answers a bare 403 without it)', () => {
  it('the canary proves the client only when the target configures the scope', async () => {
    // Act
    const scoped = await canary('scoped');
    const scopedRequest = lastTokenRequest();
    const unscoped = await canary('unscoped').catch((error: unknown) => error);
    const unscopedRequest = lastTokenRequest();

    // Assess
    expect(scoped).toMatchObject({ ok: true, mode: 'throw-away', proof: 'token', tokenObtained: true });
    expect(scopedRequest).toMatchObject({ status: 200, params: { grant_type: ['client_credentials'], scope: ['dcr.canary'] } });
    expect(unscoped).toMatchObject({ name: 'UpstreamError', upstreamStatus: 403 });
    expect(unscopedRequest).toMatchObject({ status: 403 });
    expect(unscopedRequest?.params.scope).toBeUndefined();
    // Both throw-away clients were deleted whatever the proof said.
    expect(peer.deleted).toEqual(expect.arrayContaining([scoped.clientId]));
  });

  it("the Secrets Manager rotation's testSecret sends it too", async () => {
    // Prepare
    const scoped = JSON.parse((await register('rotated-scoped', 'scoped')).body);
    const unscoped = JSON.parse((await register('rotated-unscoped', 'unscoped')).body);
    const [tokenA, tokenB] = [randomUUID(), randomUUID()];
    await step(scoped.secretArn, tokenA, 'createSecret');
    await step(unscoped.secretArn, tokenB, 'createSecret');

    // Act
    const passed = await step(scoped.secretArn, tokenA, 'testSecret');
    const passedRequest = lastTokenRequest();
    const failed = await step(unscoped.secretArn, tokenB, 'testSecret').catch((error: unknown) => error);

    // Assess
    expect(passed).toMatchObject({ step: 'testSecret', status: 'done' });
    expect(passedRequest).toMatchObject({ status: 200, params: { scope: ['dcr.canary'] } });
    expect(failed).toMatchObject({ name: 'UpstreamError', upstreamStatus: 403 });
    const pending = await env.secretsClient.send(new GetSecretValueCommand({ SecretId: scoped.secretArn, VersionId: tokenA }));
    expect(JSON.parse(pending.SecretString ?? '{}').client_id).toBe(scoped.clientId);
  });
});

describe('an explicit token_endpoint_auth_method, checked in the answer', () => {
  it('a provider that registers a public client when the method is omitted gets one named, and issues a secret', async () => {
    // Act
    const response = await register('explicit-method', 'unscoped');

    // Assess
    expect(response.statusCode).toBe(201);
    expect(peer.registrationBodies.at(-1)?.token_endpoint_auth_method).toBe('client_secret_basic');
    const [record] = await stored('explicit-method');
    expect(record).toMatchObject({
      dcr_status: 'registered',
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret: expect.any(String),
    });
    expect(record?.token_endpoint_auth_method_echoed).toBeUndefined();
  });

  it('a Salesforce-profile target asks for client_secret_post, the method Salesforce issues', async () => {
    // Act
    const response = await register('salesforce-method', 'sf-new');

    // Assess
    expect(response.statusCode).toBe(201);
    expect(peer.registrationBodies.at(-1)?.token_endpoint_auth_method).toBe('client_secret_post');
    expect((await stored('salesforce-method'))[0]?.token_endpoint_auth_method).toBe('client_secret_post');
  });

  it('an answer with another method than requested is unusable: 502, the client deleted by RFC 7592, nothing stored', async () => {
    // Act
    const response = await register('switched', 'switching');

    // Assess
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body).error_description ?? JSON.parse(response.body).message ?? response.body).toMatch(/client_secret_post/);
    expect(peer.deleted).toContain(peer.registered.at(-1));
    expect(await stored('switched')).toEqual([]);
  });

  it('unless the target accepts that method: then what the provider answered is stored', async () => {
    // Act
    const response = await register('switched-ok', 'switching-ok');

    // Assess
    expect(response.statusCode).toBe(201);
    expect(peer.registrationBodies.at(-1)?.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(peer.deleted).not.toContain(peer.registered.at(-1));
    expect((await stored('switched-ok'))[0]).toMatchObject({ token_endpoint_auth_method: 'client_secret_post' });
  });

  it('an answer that names no method stores the requested one, flagged as not echoed', async () => {
    // Act
    const response = await register('silent-method', 'silent');

    // Assess
    expect(response.statusCode).toBe(201);
    expect((await stored('silent-method'))[0]).toMatchObject({
      token_endpoint_auth_method: 'client_secret_basic',
      token_endpoint_auth_method_echoed: false,
    });
  });
});

describe("the canary's proof without the client_credentials grant (RFC 6749 §5.2)", () => {
  it('proves a client registered without the grant by unauthorized_client, and one with it by a token', async () => {
    // Act
    const withoutGrant = await canary('no-grant');
    const refusal = lastTokenRequest();
    const withGrant = await canary('with-grant');

    // Assess
    expect(withoutGrant).toMatchObject({ ok: true, proof: 'authenticated', tokenObtained: false });
    expect(refusal).toMatchObject({ status: 400, params: { grant_type: ['client_credentials'] } });
    expect(withGrant).toMatchObject({ ok: true, proof: 'token', tokenObtained: true });
  });

  it('fails on invalid_client: a typed error, CanarySuccess 0, CanaryNotActiveYet 0, "canary failed", client still deleted', async () => {
    // Prepare
    const from = env.logs.length;

    // Act
    const error = await canary('refusing').catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'InvalidClientError', upstreamStatus: 401 });
    expect(metricsSince(from)).toEqual([
      expect.objectContaining({ Target: 'refusing', CanaryRun: 1 }),
      expect.objectContaining({ Target: 'refusing', CanarySuccess: 0, CanaryNotActiveYet: 0 }),
      expect.objectContaining({ Target: 'refusing', CanaryFailure: 1 }),
    ]);
    expect(entriesSince(from).some((entry) => entry.message === 'canary failed')).toBe(true);
    expect(peer.deleted).toContain(peer.registered.at(-1));
  });

  it('reports a Salesforce client refused right after registration as not active yet, apart from failed', async () => {
    // Prepare
    const from = env.logs.length;

    // Act
    const result = await canary('sf-new');
    const lines = entriesSince(from);
    const sameAnswerElsewhere = await canary('rfc-new').catch((caught: unknown) => caught);

    // Assess
    expect(result).toMatchObject({ ok: true, mode: 'throw-away', proof: 'not-active-yet', tokenObtained: false });
    expect(lines.filter((entry) => entry._aws)).toEqual([
      expect.objectContaining({ Target: 'sf-new', CanaryRun: 1 }),
      expect.objectContaining({ Target: 'sf-new', CanarySuccess: 0, CanaryNotActiveYet: 1 }),
    ]);
    expect(lines.some((entry) => entry.message === 'canary failed')).toBe(false);
    expect(lines.find((entry) => entry.level === 'WARN' && /not active yet/.test(String(entry.message)))).toMatchObject({
      clientId: result.clientId,
    });
    expect(peer.deleted).toContain(result.clientId);
    // The same answer on a profile without an activation window is a failure.
    expect(sameAnswerElsewhere).toMatchObject({ name: 'InvalidClientError' });
  });
});
