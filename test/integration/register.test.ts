import { DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../sandbox/freePort.js';
import { eventBridgeEvent, httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, SEED_REQUEST, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';
import { clientCredentialsToken } from '../../sandbox/tokenRequest.js';

let env: RegistrationEnvironment;
let closedPort: number;

const post = (body: unknown) =>
  httpApiEvent({ method: 'POST', path: '/registrations', body: typeof body === 'string' ? body : JSON.stringify(body) });
const parse = (response: { body: string }) => JSON.parse(response.body);
const registrationPosts = () =>
  (env.salesforce.requests.get('POST /services/oauth2/register') ?? 0) + (env.rfc7591.requests.get('POST /reg') ?? 0);

async function storedSecret(name: string) {
  const value = await env.secretsClient.send(new GetSecretValueCommand({ SecretId: name }));
  const described = await env.secretsClient.send(new DescribeSecretCommand({ SecretId: name }));
  return { record: JSON.parse(value.SecretString ?? '{}'), tags: described.Tags ?? [] };
}

async function secretExists(name: string): Promise<boolean> {
  try {
    await env.secretsClient.send(new GetSecretValueCommand({ SecretId: name }));
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  closedPort = await freePort();
  env = await startRegistrationEnvironment((config) => {
    config.targets.down = {
      ...config.targets.default,
      registrationEndpoint: `http://127.0.0.1:${closedPort}/services/oauth2/register`,
    };
    // Metadata the provider refuses can only come from configuration: the policy refuses a caller's.
    config.targets['bad-pinned'] = { ...config.targets.default, clientMetadata: { redirect_uris: ['not a url'] } };
  });
});

afterAll(async () => {
  // Whatever happened above, no secret value may have reached a log line or a response.
  const secrets = await env.secretValues();
  expect(secrets.length).toBeGreaterThan(5);
  expect(leakedSecrets([...env.logs, ...env.responses], secrets)).toEqual([]);
  await env.close();
});

describe('POST /registrations', () => {
  it('registers a client and stores its credentials in a new, tagged secret', async () => {
    // Act
    const response = await env.invoke(post({ tenantId: 'acme' }));

    // Assess
    expect(response.statusCode).toBe(201);
    const body = parse(response);
    expect(body).toMatchObject({ tenantId: 'acme', target: 'default', status: 'registered', secretName: `${env.prefix}default/acme` });
    expect(body.secretArn).toMatch(/^arn:aws:secretsmanager:/);
    expect(env.salesforce.clientIds()).toContain(body.clientId);
    const { record, tags } = await storedSecret(body.secretName);
    expect(record).toMatchObject({
      client_id: body.clientId,
      token_endpoint_auth_method: 'client_secret_post',
      client_secret_expires_at: 0,
      token_endpoint: env.salesforce.tokenEndpoint,
      tenant_id: 'acme',
      target: 'default',
      registration_endpoint: env.salesforce.registrationEndpoint,
    });
    expect(record.client_secret).toEqual(expect.any(String));
    // RFC 7592 credentials live in the management secret, tagged as such, never in the tenant secret.
    expect(record).not.toHaveProperty('registration_access_token');
    expect(record).not.toHaveProperty('registration_client_uri');
    const management = await storedSecret(body.secretName.replace('/clients/', '/management/'));
    expect(management.record.registration_access_token).toEqual(expect.any(String));
    expect(management.record.registration_client_uri).toBe(`${env.salesforce.registrationEndpoint}/${body.clientId}`);
    expect(management.tags).toEqual(expect.arrayContaining([{ Key: 'dcr:role', Value: 'management' }]));
    expect(typeof record.client_id_issued_at).toBe('number');
    expect(new Date(record.registered_at).toISOString()).toBe(record.registered_at);
    expect(tags).toEqual(
      expect.arrayContaining([
        { Key: 'dcr:tenant', Value: 'acme' },
        { Key: 'dcr:target', Value: 'default' },
      ]),
    );
    expect(response.body).not.toContain(record.client_secret);
  });

  it('answers a replay with 200 "exists" and registers nothing new', async () => {
    // Prepare
    const first = parse(await env.invoke(post({ tenantId: 'replayed' })));
    const postsBefore = registrationPosts();
    const clientsBefore = env.salesforce.clientIds().length;

    // Act
    const replay = await env.invoke(post({ tenantId: 'replayed' }));

    // Assess
    expect(replay.statusCode).toBe(200);
    expect(parse(replay)).toEqual({ ...first, status: 'exists' });
    expect(registrationPosts()).toBe(postsBefore);
    expect(env.salesforce.clientIds().length).toBe(clientsBefore);
  });

  it('stores credentials that obtain a client_credentials token', async () => {
    // Prepare
    const body = parse(await env.invoke(post({ tenantId: 'token-proof' })));
    const { record } = await storedSecret(body.secretName);

    // Act
    const token = await clientCredentialsToken(record.token_endpoint, record);

    // Assess
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
  });

  it('works with any RFC 7591 server and a JSON-form initial access token', async () => {
    // Act
    const response = await env.invoke(post({ tenantId: 'acme', target: 'rfc', client: { client_name: 'Acme on RFC' } }));

    // Assess
    expect(response.statusCode).toBe(201);
    const { record } = await storedSecret(parse(response).secretName);
    expect(record.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(record.client_metadata.client_name).toBe('Acme on RFC');
    expect(env.rfc7591.clientIds()).toContain(record.client_id);
    expect((await clientCredentialsToken(record.token_endpoint, record)).status).toBe(200);
  });

  it('answers 502 when the identity provider refuses the initial access token, and stores nothing', async () => {
    // Act
    const response = await env.invoke(post({ tenantId: 'refused', target: 'wrong-iat' }));

    // Assess
    expect(response.statusCode).toBe(502);
    expect(parse(response)).toMatchObject({ error: 'upstream_error' });
    expect(parse(response).error_description).toContain('invalid_client');
    expect(await secretExists(`${env.prefix}wrong-iat/refused`)).toBe(false);
  });

  it("answers 400 with the provider's own error when it refuses the metadata, and stores nothing", async () => {
    // Prepare
    const clientsBefore = env.salesforce.clientIds().length;

    // Act
    const response = await env.invoke(post({ tenantId: 'bad-meta', target: 'bad-pinned' }));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(parse(response)).toEqual({ error: 'invalid_redirect_uri', error_description: 'redirect_uris must only contain valid uris' });
    expect(await secretExists(`${env.prefix}bad-pinned/bad-meta`)).toBe(false);
    expect(env.salesforce.clientIds().length).toBe(clientsBefore);
  });

  it('answers 503 with Retry-After when the provider is unreachable, and leaves the name free', async () => {
    // Act
    const response = await env.invoke(post({ tenantId: 'unreachable', target: 'down' }));

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(parse(response).error).toBe('temporarily_unavailable');
    expect(await secretExists(`${env.prefix}down/unreachable`)).toBe(false);
  });

  it.each([
    ['not JSON', '{"tenantId":'],
    ['no tenantId', { target: 'default' }],
    ['a malformed tenantId', { tenantId: '../../etc' }],
    ['an unknown target', { tenantId: 'acme', target: 'nope' }],
    ['client metadata that is not an object', { tenantId: 'acme', client: ['https://x'] }],
  ])('answers 400 invalid_request to %s without calling the provider', async (_, body) => {
    // Prepare
    const postsBefore = registrationPosts();

    // Act
    const response = await env.invoke(post(body));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(parse(response).error).toBe('invalid_request');
    expect(registrationPosts()).toBe(postsBefore);
  });

  it('ignores an endpoint smuggled into the body: requests go only where config says', async () => {
    // Prepare
    const postsBefore = env.rfc7591.requests.get('POST /reg') ?? 0;

    // Act
    const response = await env.invoke(
      post({ tenantId: 'smuggler', registrationEndpoint: env.rfc7591.registrationEndpoint, client: { client_name: 'x' } }),
    );

    // Assess
    expect(response.statusCode).toBe(201);
    expect(env.rfc7591.requests.get('POST /reg') ?? 0).toBe(postsBefore);
    expect(env.salesforce.clientIds()).toContain(parse(response).clientId);
  });

  it('re-reads a regenerated initial access token once after a 401 and succeeds', async () => {
    // Prepare: warm the cache, then regenerate the token as an admin would (the old one stops working)
    await env.invoke(post({ tenantId: 'before-regeneration' }));
    const old = await env.secretsClient.send(new GetSecretValueCommand({ SecretId: env.iatSecretIds.salesforce }));
    await env.salesforce.revokeInitialAccessToken(old.SecretString ?? '');
    const fresh = await env.salesforce.issueInitialAccessToken();
    await env.secretsClient.send(new PutSecretValueCommand({ SecretId: env.iatSecretIds.salesforce, SecretString: fresh }));
    const postsBefore = registrationPosts();

    // Act
    const response = await env.invoke(post({ tenantId: 'after-regeneration' }));

    // Assess
    expect(response.statusCode).toBe(201);
    expect(registrationPosts()).toBe(postsBefore + 2);
  });
});

describe('GET /registrations/{target}/{tenantId}', () => {
  it('answers 200 with the registration, without secret material', async () => {
    // Prepare
    const created = parse(await env.invoke(post({ tenantId: 'lookup' })));

    // Act
    const response = await env.invoke(httpApiEvent({ method: 'GET', path: '/registrations/default/lookup' }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(parse(response)).toEqual({ ...created, status: 'registered' });
  });

  it('answers 404 for an unknown tenant and 400 for a malformed one', async () => {
    const missing = await env.invoke(httpApiEvent({ method: 'GET', path: '/registrations/default/nobody' }));
    const malformed = await env.invoke(httpApiEvent({ method: 'GET', path: '/registrations/default/%2e%2e' }));
    expect(missing.statusCode).toBe(404);
    expect(parse(missing).error).toBe('not_found');
    expect(malformed.statusCode).toBe(400);
  });
});

describe('EventBridge TenantOnboarded', () => {
  it('registers on the first delivery and answers "exists" on a duplicate', async () => {
    // Prepare
    const event = eventBridgeEvent('TenantOnboarded', { tenantId: 'evented' });

    // Act
    const first = await env.invoke(event);
    const duplicate = await env.invoke(event);

    // Assess
    expect(first).toMatchObject({ status: 'registered', tenantId: 'evented', clientId: expect.any(String) });
    expect(duplicate).toEqual({ ...first, status: 'exists' });
  });

  it('drops an invalid detail with a log line, calls nothing and does not throw', async () => {
    // Prepare
    const postsBefore = registrationPosts();
    const logsBefore = env.logs.length;

    // Act
    const outcome = await env.invoke(eventBridgeEvent('TenantOnboarded', { tenantId: '' }));

    // Assess
    expect(outcome).toEqual({ status: 'dropped', error: 'invalid_request' });
    expect(registrationPosts()).toBe(postsBefore);
    expect(env.logs.slice(logsBefore).join('')).toContain('event dropped: invalid detail');
  });

  it('throws on a retryable failure so Lambda retries, and logs a terminal one without throwing', async () => {
    await expect(env.invoke(eventBridgeEvent('TenantOnboarded', { tenantId: 'later', target: 'down' }))).rejects.toMatchObject({
      code: 'temporarily_unavailable',
    });
    const terminal = await env.invoke(eventBridgeEvent('TenantOnboarded', { tenantId: 'never', client: { grant_types: ['implicit'] } }));
    expect(terminal).toEqual({ status: 'failed', error: 'invalid_client_metadata' });
    // A refused IAT (re-read once already) is redelivered, so it reaches the DLQ instead of vanishing (issue 17).
    await expect(env.invoke(eventBridgeEvent('TenantOnboarded', { tenantId: 'never', target: 'wrong-iat' }))).rejects.toMatchObject({
      name: 'InitialAccessTokenRejectedError',
      code: 'upstream_error',
    });
  });
});

describe('scheduled canary', () => {
  it('registers, reads back and removes a client and its secret', async () => {
    // Prepare
    const clientsBefore = env.salesforce.clientIds().length;

    // Act
    const result = await env.invoke({ action: 'canary' });

    // Assess
    expect(result).toMatchObject({ ok: true, clientId: expect.any(String), durationMs: expect.any(Number) });
    expect(result.tenantId).toMatch(/^canary-\d{14}-[0-9a-f]{8}$/);
    expect(env.salesforce.clientIds()).not.toContain(result.clientId);
    expect(env.salesforce.clientIds().length).toBe(clientsBefore);
    expect(await secretExists(`${env.prefix}default/${result.tenantId}`)).toBe(false);
  });

  it('throws when the path is broken', async () => {
    await expect(env.invoke({ action: 'canary', target: 'wrong-iat' })).rejects.toMatchObject({ code: 'upstream_error' });
  });
});

describe('Salesforce contract (seed 000)', () => {
  it("sends the seed request as is and keeps Salesforce's extra response fields", async () => {
    // Act
    const response = await env.invoke(post({ tenantId: 'seeded', target: 'seed' }));

    // Assess
    expect(response.statusCode).toBe(201);
    const { record } = await storedSecret(parse(response).secretName);
    expect(record.client_metadata).toMatchObject({
      redirect_uris: SEED_REQUEST.redirect_uris,
      response_types: SEED_REQUEST.response_types,
      grant_types: ['authorization_code', 'hybrid_auth_code', 'implicit', 'refresh_token'],
      scopes: ['openid', 'refresh_token', 'id', 'api'],
      client_name: SEED_REQUEST.client_name,
    });
    expect(record.token_endpoint_auth_method).toBe('client_secret_post');
  });
});
