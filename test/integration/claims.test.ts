import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type ProxiedEnvironment, startProxiedEnvironment } from '../helpers/proxiedEnvironment.js';

let env: ProxiedEnvironment;

const register = (tenantId: string) =>
  env.handler(
    httpApiEvent({
      method: 'POST',
      path: '/registrations',
      body: JSON.stringify({ tenantId, client: { client_name: `tenant ${tenantId}` } }),
    }),
  );
const clientsOf = (tenantId: string) => env.idp.clients().filter((client) => client.clientName === `tenant ${tenantId}`);
const secretName = (tenantId: string) => `${env.prefix}clients/default/${tenantId}`;
const logText = () => env.logs.join('');
async function storedRecord(tenantId: string) {
  try {
    const value = await env.direct.send(new GetSecretValueCommand({ SecretId: secretName(tenantId) }));
    return JSON.parse(value.SecretString ?? '{}');
  } catch {
    return undefined;
  }
}
const isAwsCall = (action: string) => (req: { headers: Record<string, unknown> }) =>
  req.headers['x-amz-target'] === `secretsmanager.${action}`;

/** A pending claim left by another invocation, claimed at `claimedAt`. */
function seedPendingClaim(tenant: string, claimedAt: string) {
  const pending = { dcr_status: 'pending', tenant_id: tenant, target: 'default', claim_id: randomUUID(), claimed_at: claimedAt };
  return env.direct.send(new CreateSecretCommand({ Name: secretName(tenant), SecretString: JSON.stringify(pending) }));
}

beforeAll(async () => {
  env = await startProxiedEnvironment({
    functionEnv: { IDP_TIMEOUT_MS: '1000', AWS_REQUEST_TIMEOUT_MS: '1000', AWS_MAX_ATTEMPTS: '2', CLAIM_STALE_SECONDS: '60' },
  });
});

afterEach(() => {
  env.idpProxy.rule = undefined;
  env.motoProxy.rule = undefined;
});

afterAll(async () => {
  expect(leakedSecrets(env.logs, env.idp.issuedSecrets)).toEqual([]);
  await env.close();
});

describe('the claim protocol', () => {
  it.each([2, 10])('gives %i concurrent duplicates exactly one client and one secret', async (copies) => {
    // Prepare
    const tenant = `concurrent-${copies}`;

    // Act
    const responses = await Promise.all(Array.from({ length: copies }, () => register(tenant)));

    // Assess
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(copies - 1);
    const clientIds = new Set(responses.map((r) => JSON.parse(r.body).clientId));
    expect(clientIds.size).toBe(1);
    expect(clientsOf(tenant)).toHaveLength(1);
    expect((await storedRecord(tenant))?.client_id).toBe([...clientIds][0]);
  });

  it('takes over a stale pending claim left by an invocation that died', async () => {
    // Prepare: a claim from 10 minutes ago, longer than CLAIM_STALE_SECONDS
    const tenant = 'stale';
    const claimedAt = new Date(Date.now() - 600_000).toISOString();
    await seedPendingClaim(tenant, claimedAt);

    // Act
    const response = await register(tenant);

    // Assess
    expect(response.statusCode).toBe(201);
    expect(await storedRecord(tenant)).toMatchObject({ dcr_status: 'registered', client_id: JSON.parse(response.body).clientId });
    expect(logText()).toContain('took over a stale registration claim');
  });

  it('answers 503 with Retry-After while a fresh claim is in progress, registering nothing', async () => {
    // Prepare
    const tenant = 'in-progress';
    await seedPendingClaim(tenant, new Date().toISOString());

    // Act
    const response = await register(tenant);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(clientsOf(tenant)).toHaveLength(0);
  });

  it('deletes the client (RFC 7592) and frees the name when the credentials cannot be stored', async () => {
    // Prepare: every PutSecretValue fails
    const tenant = 'unstorable';
    env.motoProxy.rule = (req) => (isAwsCall('PutSecretValue')(req) ? '500' : undefined);

    // Act
    const response = await register(tenant);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(clientsOf(tenant)).toHaveLength(0);
    expect(await storedRecord(tenant)).toBeUndefined();
    expect(logText()).toContain('deleted a client because its credentials could not be stored');
    expect([...env.idp.requests.keys()].filter((key) => key.startsWith('DELETE /services/oauth2/register/'))).toHaveLength(1);

    // And a retry once the store recovers registers exactly one client.
    env.motoProxy.rule = undefined;
    expect((await register(tenant)).statusCode).toBe(201);
    expect(clientsOf(tenant)).toHaveLength(1);
  });

  it('keeps the tenant when a lost answer to a write hides that it landed', async () => {
    // Prepare: the final PutSecretValue reaches moto but its answer is lost (the SDK then sees a reset)
    const tenant = 'lost-write';
    let lost = false;
    env.motoProxy.rule = (req) => (isAwsCall('PutSecretValue')(req) && !lost ? ((lost = true), 'lost') : undefined);

    // Act
    const response = await register(tenant);

    // Assess
    expect(response.statusCode).toBe(201);
    expect(clientsOf(tenant)).toHaveLength(1);
    expect((await storedRecord(tenant))?.client_id).toBe(JSON.parse(response.body).clientId);
  });

  it('records an ambiguous registration (answer lost after the provider acted) as a possible orphan', async () => {
    // Prepare: the first registration reaches the provider, but its answer is lost
    const tenant = 'ambiguous';
    let lost = false;
    env.idpProxy.rule = (req) => (req.method === 'POST' && !lost ? ((lost = true), 'lost') : undefined);

    // Act
    const response = await register(tenant);

    // Assess: the tenant has its client; the lost one exists at the provider and is on record to reconcile
    expect(response.statusCode).toBe(201);
    const record = await storedRecord(tenant);
    expect(record.unconfirmed_attempts).toHaveLength(1);
    expect(clientsOf(tenant)).toHaveLength(2);
    expect(logText()).toContain('"possibleOrphan":1');
  });
});
