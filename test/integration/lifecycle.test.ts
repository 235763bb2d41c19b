import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgeEvent, httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { localTarget, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { clientCredentialsToken } from '../../sandbox/tokenRequest.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { createOutcomeQueue, type OutcomeQueue } from '../helpers/outcomeQueue.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

let env: RegistrationEnvironment;
let unmanaged: LocalIdentityProvider;
let outcomes: OutcomeQueue;
const run = randomUUID().slice(0, 8);
const secrets = new SecretsManagerClient({});

const post = (tenantId: string, target = 'rfc') =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target }) }));
const call = (method: string, path: string) => env.invoke(httpApiEvent({ method, path }));
const body = (response: { body: string }) => JSON.parse(response.body);

async function version(name: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS') {
  try {
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: name, VersionStage: stage }));
    return JSON.parse(value.SecretString ?? '{}');
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  unmanaged = await startLocalIdentityProvider({ profile: 'rfc7591', registrationManagement: false });
  const unmanagedIat = `dcr-test/${run}/iat/unmanaged`;
  await seedInitialAccessToken(secrets, unmanagedIat, await unmanaged.issueInitialAccessToken());
  outcomes = await createOutcomeQueue(run);
  process.env.EVENT_BUS_NAME = outcomes.busName;
  env = await startRegistrationEnvironment((config) => {
    config.offboardingRecoveryWindowDays = 7;
    config.targets.unmanaged = localTarget(unmanaged, unmanagedIat);
    const { registrationEndpoint, tokenEndpoint, ...byIssuer } = config.targets.rfc;
    config.targets.discovered = { ...byIssuer, issuer: new URL(registrationEndpoint).origin };
  });
});

afterAll(async () => {
  const secretValues = [...(await env.secretValues()), ...unmanaged.issuedSecrets];
  expect(leakedSecrets([...env.logs, ...env.responses, JSON.stringify(await outcomes.drain())], secretValues)).toEqual([]);
  await env.close();
  await unmanaged.close();
});

describe('offboarding', () => {
  it('by HTTP: deletes the client (RFC 7592) and schedules the secret for deletion; again → 404', async () => {
    // Prepare
    const created = body(await post('leaving-http'));

    // Act
    const first = await call('DELETE', '/registrations/rfc/leaving-http');
    const second = await call('DELETE', '/registrations/rfc/leaving-http');

    // Assess
    expect(first.statusCode).toBe(204);
    expect(env.rfc7591.clientIds()).not.toContain(created.clientId);
    expect(await version(created.secretName, 'AWSCURRENT')).toBeUndefined();
    expect((await call('GET', '/registrations/rfc/leaving-http')).statusCode).toBe(404);
    expect(second.statusCode).toBe(404);
  });

  it('by event: offboarded, then "absent" when repeated or unknown', async () => {
    // Prepare
    const created = body(await post('leaving-event'));

    // Act
    const first = await env.invoke(eventBridgeEvent('TenantOffboarded', { tenantId: 'leaving-event', target: 'rfc' }));
    const repeated = await env.invoke(eventBridgeEvent('TenantOffboarded', { tenantId: 'leaving-event', target: 'rfc' }));
    const unknown = await env.invoke(eventBridgeEvent('TenantOffboarded', { tenantId: 'never-was', target: 'rfc' }));

    // Assess
    expect(first).toMatchObject({ status: 'offboarded', clientId: created.clientId, clientDeletion: 'deleted' });
    expect(repeated).toMatchObject({ status: 'absent' });
    expect(unknown).toMatchObject({ status: 'absent' });
    expect(env.rfc7591.clientIds()).not.toContain(created.clientId);
  });

  it('lets an offboarded tenant onboard again inside the recovery window, with a new client', async () => {
    // Prepare
    const before = body(await post('returning'));
    await call('DELETE', '/registrations/rfc/returning');

    // Act
    const again = await post('returning');

    // Assess
    expect(again.statusCode).toBe(201);
    expect(body(again).clientId).not.toBe(before.clientId);
    expect((await version(before.secretName, 'AWSCURRENT'))?.client_id).toBe(body(again).clientId);
  });
});

describe('rotation', () => {
  it('by HTTP: the new secret works at the token endpoint, the old one no longer does and stays AWSPREVIOUS', async () => {
    // Prepare
    const created = body(await post('rotating'));
    const old = await version(created.secretName, 'AWSCURRENT');
    expect((await clientCredentialsToken(old.token_endpoint, old)).status).toBe(200);

    // Act
    const response = await call('POST', '/registrations/rfc/rotating/rotate');

    // Assess (the whole answer, so a failure shows its error body)
    expect(response).toMatchObject({ statusCode: 200 });
    expect(body(response)).toMatchObject({ status: 'rotated', clientId: created.clientId });
    const current = await version(created.secretName, 'AWSCURRENT');
    expect(current.client_secret).not.toBe(old.client_secret);
    expect(current.rotated_at).toEqual(expect.any(String));
    expect((await version(created.secretName, 'AWSPREVIOUS')).client_secret).toBe(old.client_secret);
    expect((await clientCredentialsToken(current.token_endpoint, current)).status).toBe(200);
    expect((await clientCredentialsToken(old.token_endpoint, old)).status).toBe(401);
  });

  it('by event: rotates once, and a redelivered request is a no-op', async () => {
    // Prepare
    const created = body(await post('rotating-event'));
    const event = eventBridgeEvent('ClientSecretRotationRequested', { tenantId: 'rotating-event', target: 'rfc' });
    const puts = () => env.rfc7591.requests.get(`PUT /reg/${created.clientId}`) ?? 0;

    // Act
    const first = await env.invoke(event);
    const redelivered = await env.invoke(event);

    // Assess
    expect(first).toMatchObject({ status: 'rotated' });
    expect(redelivered).toMatchObject({ status: 'rotated' });
    expect(puts()).toBe(1);
  });
});

describe('a provider without RFC 7592', () => {
  it('answers 409 not_supported to rotation and offboarding, and changes nothing', async () => {
    // Prepare
    const created = body(await post('unmanaged-tenant', 'unmanaged'));
    const before = await version(created.secretName, 'AWSCURRENT');

    // Act
    const rotate = await call('POST', '/registrations/unmanaged/unmanaged-tenant/rotate');
    const offboard = await call('DELETE', '/registrations/unmanaged/unmanaged-tenant');

    // Assess
    for (const response of [rotate, offboard]) {
      expect(response.statusCode).toBe(409);
      expect(body(response).error).toBe('not_supported');
      expect(body(response).error_description).toContain('RFC 7592');
    }
    expect(await version(created.secretName, 'AWSCURRENT')).toEqual(before);
    expect(unmanaged.clientIds()).toContain(created.clientId);
  });
});

describe('discovery', () => {
  it("registers at the endpoint the issuer's discovery document names", async () => {
    // Act
    const response = await post('discovered-tenant', 'discovered');

    // Assess
    expect(response.statusCode).toBe(201);
    const record = await version(body(response).secretName, 'AWSCURRENT');
    expect(record.registration_endpoint).toBe(env.rfc7591.registrationEndpoint);
    expect(record.token_endpoint).toBe(env.rfc7591.tokenEndpoint);
    expect(env.rfc7591.requests.get('GET /.well-known/openid-configuration')).toBe(1);
    expect((await post('discovered-again', 'discovered')).statusCode).toBe(201);
    expect(env.rfc7591.requests.get('GET /.well-known/openid-configuration')).toBe(1);
  });
});

describe('canary proof', () => {
  it('obtains a client_credentials token with the fresh credentials and emits EMF metrics', async () => {
    // Prepare
    const linesBefore = env.logs.length;

    // Act
    const result = await env.invoke({ action: 'canary', target: 'rfc' });

    // Assess
    expect(result).toMatchObject({ ok: true, tokenObtained: true });
    const metrics = env.logs
      .slice(linesBefore)
      .map((line) => JSON.parse(line))
      .find((entry) => entry._aws && 'CanarySuccess' in entry);
    expect(metrics).toMatchObject({
      _aws: {
        CloudWatchMetrics: expect.arrayContaining([expect.objectContaining({ Namespace: 'DcrOnboarding', Dimensions: [['Target']] })]),
      },
      Target: 'rfc',
      CanarySuccess: 1,
      TokenDuration: expect.any(Number),
      RegisterDuration: expect.any(Number),
    });
    expect(env.rfc7591.clientIds()).not.toContain(result.clientId);
  });

  it('reports CanarySuccess 0 when the path is broken', async () => {
    const linesBefore = env.logs.length;
    await expect(env.invoke({ action: 'canary', target: 'wrong-iat' })).rejects.toThrow();
    const metrics = env.logs
      .slice(linesBefore)
      .map((line) => JSON.parse(line))
      .find((entry) => entry._aws && 'CanarySuccess' in entry);
    expect(metrics).toMatchObject({ Target: 'wrong-iat', CanarySuccess: 0 });
  });
});

describe('outcome events', () => {
  it('puts ClientRegistered, ClientRegistrationFailed, ClientSecretRotated and ClientDeregistered on the bus', async () => {
    // Prepare
    await outcomes.drain();

    // Act
    const registered = body(await post('evented-outcomes'));
    await call('POST', '/registrations/rfc/evented-outcomes/rotate');
    await call('DELETE', '/registrations/rfc/evented-outcomes');
    await post('refused-outcome', 'wrong-iat');
    const received = await outcomes.drain();

    // Assess
    const byType = Object.fromEntries(received.map((event) => [event['detail-type'], event]));
    expect(received.every((event) => event.source === 'dcr-onboarding')).toBe(true);
    const identity = { tenantId: 'evented-outcomes', target: 'rfc', clientId: registered.clientId, secretArn: registered.secretArn };
    expect(byType.ClientRegistered?.detail).toEqual(identity);
    expect(byType.ClientSecretRotated?.detail).toEqual(identity);
    expect(byType.ClientDeregistered?.detail).toEqual(identity);
    expect(byType.ClientRegistrationFailed?.detail).toMatchObject({
      tenantId: 'refused-outcome',
      target: 'wrong-iat',
      error: 'upstream_error',
      retryable: false,
    });
  });
});
