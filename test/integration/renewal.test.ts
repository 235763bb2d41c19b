import { randomUUID } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { localTarget, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { clientCredentialsToken } from '../../sandbox/tokenRequest.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { createOutcomeQueue, type OutcomeQueue } from '../helpers/outcomeQueue.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

const DAY = 86_400;
let env: RegistrationEnvironment;
let expiring: LocalIdentityProvider;
let outcomes: OutcomeQueue;
const run = randomUUID().slice(0, 8);
const secrets = new SecretsManagerClient({});
const nowSeconds = () => Math.floor(Date.now() / 1000);

const post = (tenantId: string, target: string) =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target }) }));
const record = async (target: string, tenantId: string) =>
  (await env.storedRecords()).find((stored) => stored.tenant_id === tenantId && stored.target === target);

beforeAll(async () => {
  // A provider whose registrations answer a secret that expires in 2 days; an RFC 7592 update, one good for 90.
  expiring = await startLocalIdentityProvider({
    profile: 'rfc7591',
    clientSecretExpiresAt: (method) => nowSeconds() + (method === 'PUT' ? 90 : 2) * DAY,
  });
  const iat = `dcr-test/${run}/iat/expiring`;
  await seedInitialAccessToken(secrets, iat, await expiring.issueInitialAccessToken());
  outcomes = await createOutcomeQueue(run);
  process.env.EVENT_BUS_NAME = outcomes.busName;
  env = await startRegistrationEnvironment((config) => {
    config.targets.expiring = localTarget(expiring, iat);
  });
}, 60_000);

afterAll(async () => {
  await env?.close();
  await expiring?.close();
  secrets.destroy();
});

describe('scheduled renewal on oidc-provider and moto', () => {
  it('renews a secret expiring within renewBeforeSeconds by {"action":"renew"}, leaves a never-expiring one, and renews nothing on a second run', async () => {
    // Prepare
    expect((await post('soon', 'expiring')).statusCode).toBe(201);
    expect((await post('never', 'rfc')).statusCode).toBe(201);
    const before = await record('expiring', 'soon');
    const untouched = await record('rfc', 'never');
    expect(before?.client_secret_expires_at).toBeGreaterThan(nowSeconds());
    expect(before?.client_secret_expires_at).toBeLessThan(nowSeconds() + 3 * DAY);
    expect(untouched?.client_secret_expires_at).toBe(0);
    await outcomes.drain();

    // Act
    const first = await env.invoke({ action: 'renew' });
    const second = await env.invoke({ action: 'renew' });

    // Assess
    expect(first.renewed).toEqual([{ tenantId: 'soon', target: 'expiring' }]);
    expect(first).toMatchObject({ failed: [], expired: [] });
    expect(first.checked).toBeGreaterThanOrEqual(2);
    expect(second.renewed).toEqual([]);
    const after = await record('expiring', 'soon');
    expect(after?.client_secret).not.toBe(before?.client_secret);
    expect(after?.client_secret_expires_at).toBeGreaterThan(nowSeconds() + 80 * DAY);
    expect((await record('rfc', 'never'))?.client_secret).toBe(untouched?.client_secret);
    expect((await clientCredentialsToken(expiring.tokenEndpoint, after as never)).status).toBe(200);
    expect((await clientCredentialsToken(expiring.tokenEndpoint, before as never)).status).toBe(401);
    expect(expiring.requests.get(`PUT /reg/${before?.client_id}`)).toBe(1);
    const types = (await outcomes.drain()).map((event) => event['detail-type']);
    expect(types.filter((type) => type === 'ClientSecretRotated')).toHaveLength(1);
    expect(types).not.toContain('ClientSecretRenewalFailed');
  }, 60_000);

  it('leaks no secret into logs, answers or events', async () => {
    // Act
    const values = [...(await env.secretValues()), ...expiring.issuedSecrets];

    // Assess
    expect(values.length).toBeGreaterThan(4);
    expect(leakedSecrets([...env.logs, ...env.responses, JSON.stringify(await outcomes.drain())], values)).toEqual([]);
  });
});
