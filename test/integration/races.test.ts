import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgeEvent, httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { clientCredentialsToken } from '../../sandbox/tokenRequest.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type ProxiedEnvironment, startProxiedEnvironment } from '../helpers/proxiedEnvironment.js';

// Operations on one tenant that race: each test ends with working stored credentials or a cleanly
// offboarded tenant, and never a 502. The provider rotates the registration access token on every
// update (RFC 7592 §2.2 allows it), so an unserialised second rotation would be refused.
let env: ProxiedEnvironment;
let racesRun = 0;

const call = (method: string, path: string, body?: unknown) =>
  env.handler(httpApiEvent({ method, path, body: body === undefined ? undefined : JSON.stringify(body) }));
const register = (tenantId: string) => call('POST', '/registrations', { tenantId, client: { client_name: `tenant ${tenantId}` } });
const rotate = (tenantId: string) => call('POST', `/registrations/default/${tenantId}/rotate`);
const offboard = (tenantId: string) => call('DELETE', `/registrations/default/${tenantId}`);
const rotationEvent = (tenantId: string, id: string) =>
  env.handler({ ...eventBridgeEvent('ClientSecretRotationRequested', { tenantId }), id });
const clientsOf = (tenantId: string) => env.idp.clients().filter((client) => client.clientName === `tenant ${tenantId}`);
const secretName = (tenantId: string) => `${env.prefix}clients/default/${tenantId}`;
const deletes = () => [...env.idp.requests.entries()].filter(([key]) => key.startsWith('DELETE ')).reduce((sum, [, n]) => sum + n, 0);
const puts = () => [...env.idp.requests.entries()].filter(([key]) => key.startsWith('PUT ')).reduce((sum, [, n]) => sum + n, 0);
const isAwsCall = (action: string) => (req: { headers: Record<string, unknown> }) =>
  req.headers['x-amz-target'] === `secretsmanager.${action}`;

async function storedRecord(tenantId: string): Promise<Record<string, any> | undefined> {
  try {
    const value = await env.direct.send(new GetSecretValueCommand({ SecretId: secretName(tenantId) }));
    return JSON.parse(value.SecretString ?? '{}');
  } catch {
    return undefined;
  }
}

/** The stored credentials obtain a token at the provider: the tenant is usable. */
async function expectWorkingCredentials(tenantId: string) {
  const record = await storedRecord(tenantId);
  expect(record?.dcr_status).toBe('registered');
  expect((await clientCredentialsToken(env.idp.tokenEndpoint, record as never)).status).toBe(200);
  expect(clientsOf(tenantId)).toHaveLength(1);
}

/** No client at the provider and no readable secret: the tenant is cleanly offboarded. */
async function expectCleanlyOffboarded(tenantId: string) {
  expect(clientsOf(tenantId)).toHaveLength(0);
  expect(await storedRecord(tenantId)).toBeUndefined();
}

beforeAll(async () => {
  env = await startProxiedEnvironment({
    functionEnv: {
      IDP_TIMEOUT_MS: '2000',
      AWS_REQUEST_TIMEOUT_MS: '2000',
      AWS_MAX_ATTEMPTS: '2',
      CLAIM_WAIT_MS: '8000',
      CLAIM_STALE_SECONDS: '60',
    },
    idp: { rotateRegistrationAccessToken: true },
  });
});

afterEach(() => {
  env.motoProxy.rule = undefined;
  env.idpProxy.rule = undefined;
});

afterAll(async () => {
  expect(leakedSecrets(env.logs, env.idp.issuedSecrets)).toEqual([]);
  console.info(`races run: ${racesRun}`);
  await env.close();
});

describe('one mutation at a time per tenant', () => {
  it('3 concurrent rotations take turns: each rotates once, the last secret stored works', async () => {
    const tenant = 'race-rotations';
    expect((await register(tenant)).statusCode).toBe(201);
    const putsBefore = puts();

    const responses = await Promise.all([rotate(tenant), rotate(tenant), rotate(tenant)]);
    racesRun++;

    // Never a 502 from racing the provider: each takes its turn (200), or is told to come back (409;
    // 503 when an AWS call timed out on a loaded machine).
    const statuses = responses.map((r) => r.statusCode);
    expect(responses.filter((r) => ![200, 409, 503].includes(r.statusCode)).map((r) => r.body)).toEqual([]);
    expect(statuses).toContain(200);
    expect(puts() - putsBefore).toBe(statuses.filter((s) => s === 200).length);
    await expectWorkingCredentials(tenant);
  });

  it('3 concurrent DELETEs: one offboards, the others find nothing left (404), none answers 502', async () => {
    const tenant = 'race-deletes';
    expect((await register(tenant)).statusCode).toBe(201);

    const responses = await Promise.all([offboard(tenant), offboard(tenant), offboard(tenant)]);
    racesRun++;

    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([204, 404, 404]);
    await expectCleanlyOffboarded(tenant);
  });

  it('a rotation racing an offboarding ends with working credentials or a cleanly offboarded tenant', async () => {
    for (const order of ['rotate-first', 'offboard-first'] as const) {
      const tenant = `race-rotate-offboard-${order}`;
      expect((await register(tenant)).statusCode).toBe(201);

      const [rotation, deletion] =
        order === 'rotate-first'
          ? await Promise.all([rotate(tenant), offboard(tenant)])
          : (await Promise.all([offboard(tenant), rotate(tenant)])).reverse();
      racesRun++;

      expect([200, 404, 409]).toContain(rotation.statusCode);
      expect([204, 409]).toContain(deletion.statusCode);
      if (deletion.statusCode === 204) await expectCleanlyOffboarded(tenant);
      else await expectWorkingCredentials(tenant);
    }
  });

  it('rotation requests a, b, a: the redelivered a is a no-op, even after b', async () => {
    const tenant = 'race-redelivery';
    expect((await register(tenant)).statusCode).toBe(201);
    const putsBefore = puts();

    const outcomes = [];
    for (const id of ['request-a', 'request-b', 'request-a']) outcomes.push(await rotationEvent(tenant, id));
    racesRun++;

    expect(outcomes.map((o) => o.status)).toEqual(['rotated', 'rotated', 'rotated']);
    expect(puts() - putsBefore).toBe(2);
    expect((await storedRecord(tenant))?.rotation_request_ids).toEqual(['request-b', 'request-a']);
    await expectWorkingCredentials(tenant);
  });

  it('HTTP rotations with Idempotency-Key a, b, a: the repeated a is a no-op; a malformed key is 400', async () => {
    const tenant = 'race-idempotency-key';
    expect((await register(tenant)).statusCode).toBe(201);
    const putsBefore = puts();
    const rotateWithKey = (key: string) =>
      env.handler(httpApiEvent({ method: 'POST', path: `/registrations/default/${tenant}/rotate`, headers: { 'Idempotency-Key': key } }));

    const statuses = [];
    for (const key of ['key-a', 'key-b', 'key-a']) statuses.push((await rotateWithKey(key)).statusCode);

    expect(statuses).toEqual([200, 200, 200]);
    expect(puts() - putsBefore).toBe(2);
    expect((await rotateWithKey('not a key\n')).statusCode).toBe(400);
    await expectWorkingCredentials(tenant);
  });

  it('rotation requests a, b, a delivered at once: two rotations, working credentials', async () => {
    const tenant = 'race-redelivery-concurrent';
    expect((await register(tenant)).statusCode).toBe(201);
    const putsBefore = puts();

    const results = await Promise.allSettled(['request-a', 'request-b', 'request-a'].map((id) => rotationEvent(tenant, id)));
    racesRun++;

    // A redelivery still waiting for its turn after the wait is thrown (retried by Lambda), never wrong.
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'operation_in_progress', retryable: true });
    }
    expect(puts() - putsBefore).toBeLessThanOrEqual(2);
    await expectWorkingCredentials(tenant);
  });
});

describe('recovery paths', () => {
  it('a rotation whose stored write is answered with a lost reply still ends with working stored credentials', async () => {
    const tenant = 'lost-rotation-write';
    expect((await register(tenant)).statusCode).toBe(201);
    let lost = false;
    env.motoProxy.rule = (req, body) =>
      isAwsCall('PutSecretValue')(req) && !body.includes('DCRLEASE') && !lost ? ((lost = true), 'lost') : undefined;

    const response = await rotate(tenant);

    expect(lost).toBe(true);
    expect(response.statusCode).toBe(200);
    await expectWorkingCredentials(tenant);
  });

  it('a registration whose write answer is lost and whose read-back fails is retryable and keeps the client', async () => {
    const tenant = 'lost-write-unreadable';
    // Every attempt of the final write lands but its answer is lost (the SDK retries with the same token).
    let lost = false;
    env.motoProxy.rule = (req) => {
      if (isAwsCall('PutSecretValue')(req)) return ((lost = true), 'lost');
      if (isAwsCall('GetSecretValue')(req) && lost) return '500';
      return undefined;
    };

    const deletesBefore = deletes();
    const response = await register(tenant);
    env.motoProxy.rule = undefined;

    expect(response.statusCode).toBe(503);
    expect(deletes() - deletesBefore).toBe(0);
    // The write had landed: a retry answers from the stored record, and it works.
    const retry = await register(tenant);
    expect(retry.statusCode).toBe(200);
    await expectWorkingCredentials(tenant);
  });

  it('a Secrets Manager ValidationException is terminal: the client is deleted and the claim released', async () => {
    const tenant = 'refused-record';
    env.motoProxy.rule = (req) => (isAwsCall('PutSecretValue')(req) ? 'validation' : undefined);

    const response = await register(tenant);
    env.motoProxy.rule = undefined;

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).error).toBe('server_error');
    expect(clientsOf(tenant)).toHaveLength(0);
    expect(await storedRecord(tenant)).toBeUndefined();
  });

  it('a stale pending claim can be offboarded; a fresh one answers 503', async () => {
    const stale = 'stale-claim';
    const fresh = 'fresh-claim';
    for (const [tenant, ageMs] of [
      [stale, 10 * 60_000],
      [fresh, 0],
    ] as const) {
      const pending = {
        dcr_status: 'pending',
        tenant_id: tenant,
        target: 'default',
        claim_id: `claim-${tenant}`,
        claimed_at: new Date(Date.now() - ageMs).toISOString(),
      };
      await env.direct.send(new CreateSecretCommand({ Name: secretName(tenant), SecretString: JSON.stringify(pending) }));
    }

    expect((await offboard(fresh)).statusCode).toBe(503);
    expect((await offboard(stale)).statusCode).toBe(204);
    expect(await storedRecord(stale)).toBeUndefined();
    // And the tenant can be registered again at once.
    expect((await register(stale)).statusCode).toBe(201);
    await expectWorkingCredentials(stale);
  });

  it('a lease left by an invocation that died is taken over once stale', async () => {
    const tenant = 'stale-lease';
    expect((await register(tenant)).statusCode).toBe(201);
    const held = {
      dcr_lease: 'held',
      lease_id: 'dead',
      operation: 'rotate',
      acquired_at: new Date(Date.now() - 10 * 60_000).toISOString(),
    };
    await env.direct.send(
      new PutSecretValueCommand({ SecretId: secretName(tenant), SecretString: JSON.stringify(held), VersionStages: ['DCRLEASE'] }),
    );

    expect((await rotate(tenant)).statusCode).toBe(200);
    await expectWorkingCredentials(tenant);
  });
});
