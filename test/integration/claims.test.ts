import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { CLIENT_CREDENTIALS_CLIENT, putConfigParameter, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { awsErrorResponse, type FaultProxy, oauthErrorResponse, startFaultProxy } from '../helpers/faultProxy.js';
import { captureStdout, leakedSecrets } from '../helpers/logCapture.js';

type Handler = (event: unknown) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;
const prefix = `dcr-claims/${randomUUID().slice(0, 8)}/`;
const direct = new SecretsManagerClient({ endpoint: inject('motoEndpoint') });
let idp: LocalIdentityProvider;
let idpProxy: FaultProxy;
let motoProxy: FaultProxy;
let handler: Handler;
let capture: ReturnType<typeof captureStdout>;

const register = (tenantId: string) =>
  handler(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, client: { client_name: `tenant ${tenantId}` } }) }));
const clientsOf = (tenantId: string) => idp.clients().filter((client) => client.clientName === `tenant ${tenantId}`);
const secretName = (tenantId: string) => `${prefix}clients/default/${tenantId}`;
async function storedRecord(tenantId: string) {
  try {
    const value = await direct.send(new GetSecretValueCommand({ SecretId: secretName(tenantId) }));
    return JSON.parse(value.SecretString ?? '{}');
  } catch {
    return undefined;
  }
}
const isAwsCall = (action: string) => (req: { headers: Record<string, unknown> }) => req.headers['x-amz-target'] === `secretsmanager.${action}`;

beforeAll(async () => {
  idp = await startLocalIdentityProvider({ profile: 'salesforce' });
  const plan = { rate: 0, seed: 1, kinds: [], stallMs: 3_000 };
  idpProxy = await startFaultProxy(idp.issuer, { ...plan, errorResponse: oauthErrorResponse });
  motoProxy = await startFaultProxy(inject('motoEndpoint'), { ...plan, errorResponse: awsErrorResponse });
  await seedInitialAccessToken(direct, `${prefix}iat`, await idp.issueInitialAccessToken());
  await putConfigParameter(new SSMClient({ endpoint: inject('motoEndpoint') }), `/${prefix}config`, {
    secretNamePrefix: `${prefix}clients/`,
    targets: {
      default: {
        profile: 'salesforce',
        registrationEndpoint: `${idpProxy.url}/services/oauth2/register`,
        initialAccessTokenSecretId: `${prefix}iat`,
        clientMetadata: CLIENT_CREDENTIALS_CLIENT,
      },
    },
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: motoProxy.url,
    CONFIG_PARAMETER_NAME: `/${prefix}config`,
    IDP_TIMEOUT_MS: '1000',
    AWS_REQUEST_TIMEOUT_MS: '1000',
    AWS_MAX_ATTEMPTS: '2',
    CLAIM_STALE_SECONDS: '60',
  });
  capture = captureStdout();
  handler = (await import('../../functions/register/handler.js')).handler as unknown as Handler;
});

afterEach(() => {
  idpProxy.rule = undefined;
  motoProxy.rule = undefined;
});

afterAll(async () => {
  capture?.restore();
  expect(leakedSecrets(capture.lines, idp.issuedSecrets)).toEqual([]);
  await Promise.all([idpProxy.close(), motoProxy.close(), idp.close()]);
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
    await direct.send(new CreateSecretCommand({
      Name: secretName(tenant),
      SecretString: JSON.stringify({ dcr_status: 'pending', tenant_id: tenant, target: 'default', claim_id: randomUUID(), claimed_at: claimedAt }),
    }));

    // Act
    const response = await register(tenant);

    // Assess
    expect(response.statusCode).toBe(201);
    expect(await storedRecord(tenant)).toMatchObject({ dcr_status: 'registered', client_id: JSON.parse(response.body).clientId });
    expect(capture.lines.join('')).toContain('took over a stale registration claim');
  });

  it('answers 503 with Retry-After while a fresh claim is in progress, registering nothing', async () => {
    // Prepare
    const tenant = 'in-progress';
    await direct.send(new CreateSecretCommand({
      Name: secretName(tenant),
      SecretString: JSON.stringify({ dcr_status: 'pending', tenant_id: tenant, target: 'default', claim_id: randomUUID(), claimed_at: new Date().toISOString() }),
    }));

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
    motoProxy.rule = (req) => (isAwsCall('PutSecretValue')(req) ? '500' : undefined);

    // Act
    const response = await register(tenant);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(clientsOf(tenant)).toHaveLength(0);
    expect(await storedRecord(tenant)).toBeUndefined();
    expect(capture.lines.join('')).toContain('deleted a client whose credentials could not be stored');
    expect([...idp.requests.keys()].filter((key) => key.startsWith('DELETE /services/oauth2/register/'))).toHaveLength(1);

    // And a retry once the store recovers registers exactly one client.
    motoProxy.rule = undefined;
    expect((await register(tenant)).statusCode).toBe(201);
    expect(clientsOf(tenant)).toHaveLength(1);
  });

  it('keeps the tenant when a lost answer to a write hides that it landed', async () => {
    // Prepare: the final PutSecretValue reaches moto but its answer is lost (the SDK then sees a reset)
    const tenant = 'lost-write';
    let lost = false;
    motoProxy.rule = (req) => (isAwsCall('PutSecretValue')(req) && !lost ? ((lost = true), 'lost') : undefined);

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
    idpProxy.rule = (req) => (req.method === 'POST' && !lost ? ((lost = true), 'lost') : undefined);

    // Act
    const response = await register(tenant);

    // Assess: the tenant has its client; the lost one exists at the provider and is on record to reconcile
    expect(response.statusCode).toBe(201);
    const record = await storedRecord(tenant);
    expect(record.unconfirmed_attempts).toHaveLength(1);
    expect(clientsOf(tenant)).toHaveLength(2);
    expect(capture.lines.join('')).toContain('"possibleOrphan":1');
  });
});
