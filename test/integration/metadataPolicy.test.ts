import { GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BODY_BYTES } from '../../functions/core/options.js';
import { eventBridgeEvent, httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

let env: RegistrationEnvironment;

const PINNED = {
  client_name: 'Acme integration',
  redirect_uris: ['https://app.example.com/cb'],
  grant_types: ['client_credentials'],
  response_types: [],
  token_endpoint_auth_method: 'client_secret_basic',
};

const post = (body: string, base64 = false) => {
  const event = httpApiEvent({ method: 'POST', path: '/registrations', body: base64 ? Buffer.from(body).toString('base64') : body });
  event.isBase64Encoded = base64;
  return event;
};
const parse = (response: { body: string }) => JSON.parse(response.body);
const registrationPosts = () =>
  (env.salesforce.requests.get('POST /services/oauth2/register') ?? 0) + (env.rfc7591.requests.get('POST /reg') ?? 0);
const providerClients = () => env.salesforce.clientIds().length + env.rfc7591.clientIds().length;

async function storedNames(): Promise<string[]> {
  const list = await env.secretsClient.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [env.prefix] }], MaxResults: 100 }));
  return (list.SecretList ?? []).map((entry) => entry.Name ?? '');
}

async function storedRecord(name: string) {
  const value = await env.secretsClient.send(new GetSecretValueCommand({ SecretId: name }));
  return JSON.parse(value.SecretString ?? '{}');
}

beforeAll(async () => {
  env = await startRegistrationEnvironment((config) => {
    // A plain RFC 7591 target that pins how its clients authenticate and opens names and redirects.
    config.targets.pinned = {
      ...config.targets.rfc,
      clientMetadata: PINNED,
      callerMetadata: ['client_name', 'contacts', 'redirect_uris'],
      allowedRedirectOrigins: ['https://app.example.com'],
    };
  });
});

afterAll(async () => {
  expect(leakedSecrets([...env.logs, ...env.responses], await env.secretValues())).toEqual([]);
  await env.close();
});

describe('a caller cannot weaken a client', () => {
  const attacks: [string, string, Record<string, unknown>][] = [
    ['a public client', 'token_endpoint_auth_method', { token_endpoint_auth_method: 'none' }],
    ['its own keys', 'jwks', { jwks: { keys: [{ kty: 'RSA', kid: 'attacker', n: 'sXch', e: 'AQAB' }] } }],
    ['its own key URL', 'jwks_uri', { jwks_uri: 'https://attacker.example/jwks' }],
    ['a redirect on another origin', 'redirect_uris', { redirect_uris: ['https://attacker.example/cb'] }],
    [
      'a redirect that looks like the allowed origin',
      'redirect_uris',
      { redirect_uris: ['https://app.example.com\\@attacker.example/cb'] },
    ],
    ['widened grant types', 'grant_types', { grant_types: ['client_credentials', 'authorization_code', 'implicit'] }],
    ['a deeply nested unknown field', 'x_extra', { x_extra: { a: { b: { c: { d: { e: ['deep'] } } } } } }],
    ['a wider scope', 'scope', { scope: 'openid offline_access admin' }],
    ['a client_name of the wrong type', 'client_name', { client_name: { first: 'Tenant' } }],
  ];

  it.each(attacks)('refuses %s with 400 naming %s, leaving no secret and no registration', async (_, field, client) => {
    // Prepare
    const postsBefore = registrationPosts();
    const clientsBefore = providerClients();
    const tenantId = `attack-${field.replace(/_/g, '-')}`;

    // Act
    const response = await env.invoke(post(JSON.stringify({ tenantId, target: 'pinned', client: { client_name: 'Tenant', ...client } })));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(parse(response).error).toBe('invalid_client_metadata');
    expect(parse(response).error_description).toMatch(new RegExp(`"${field}"|^client\\.${field}`));
    expect(registrationPosts()).toBe(postsBefore);
    expect(providerClients()).toBe(clientsBefore);
    expect((await storedNames()).filter((name) => name.endsWith(`/${tenantId}`))).toEqual([]);
  });

  it('refuses the same metadata in a TenantOnboarded event: no secret, no registration, a failed outcome', async () => {
    // Prepare
    const postsBefore = registrationPosts();

    // Act
    const outcomes = [];
    for (const [, field, client] of attacks) {
      outcomes.push(
        await env.invoke(eventBridgeEvent('TenantOnboarded', { tenantId: `event-${field.replace(/_/g, '-')}`, target: 'pinned', client })),
      );
    }

    // Assess
    for (const outcome of outcomes) expect(outcome).toEqual({ status: 'failed', error: 'invalid_client_metadata' });
    expect(registrationPosts()).toBe(postsBefore);
    expect((await storedNames()).filter((name) => name.includes('/event-'))).toEqual([]);
  });

  it('refuses an event whose client metadata is over the cap, registering nothing', async () => {
    // Prepare: 20 redirect URIs of ~2000 characters, each valid on its own
    const redirects = Array.from({ length: 20 }, (_, i) => `https://app.example.com/${i}/${'p'.repeat(1990)}`);
    const postsBefore = registrationPosts();

    // Act
    const outcome = await env.invoke(
      eventBridgeEvent('TenantOnboarded', { tenantId: 'event-big', target: 'pinned', client: { redirect_uris: redirects } }),
    );

    // Assess
    expect(outcome).toEqual({ status: 'failed', error: 'payload_too_large' });
    expect(registrationPosts()).toBe(postsBefore);
    expect((await storedNames()).filter((name) => name.endsWith('/event-big'))).toEqual([]);
  });

  it.each([
    ['as text', false],
    ['base64-encoded', true],
  ])('answers a 17 KB body (%s) with 413, registering nothing', async (_, base64) => {
    // Prepare: a client_name-only body, padded with an ignored top-level field past the cap
    const body = JSON.stringify({ tenantId: `big-${base64}`, client: { client_name: 'Tenant' }, padding: 'p'.repeat(17 * 1024) });
    const postsBefore = registrationPosts();

    // Act
    const response = await env.invoke(post(body, base64));

    // Assess
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_REQUEST_BODY_BYTES);
    expect(response.statusCode).toBe(413);
    expect(parse(response).error).toBe('payload_too_large');
    expect(registrationPosts()).toBe(postsBefore);
    expect((await storedNames()).filter((name) => name.includes('/big-'))).toEqual([]);
  });

  it('accepts a body just under the cap', async () => {
    // Prepare
    const head = JSON.stringify({ tenantId: 'just-under', target: 'pinned', padding: '' });
    const body = head.replace('"padding":""', `"padding":"${'p'.repeat(MAX_REQUEST_BODY_BYTES - head.length)}"`);

    // Act
    const response = await env.invoke(post(body));

    // Assess
    expect(Buffer.byteLength(body)).toBe(MAX_REQUEST_BODY_BYTES);
    expect(response.statusCode).toBe(201);
  });
});

describe('what a caller may set', () => {
  it('registers an allowed client_name with the pinned metadata intact', async () => {
    // Prepare
    const postsBefore = registrationPosts();

    // Act
    const response = await env.invoke(
      post(
        JSON.stringify({ tenantId: 'named', target: 'pinned', client: { client_name: 'Tenant Named', contacts: ['ops@tenant.example'] } }),
      ),
    );

    // Assess
    expect(response.statusCode).toBe(201);
    expect(registrationPosts()).toBe(postsBefore + 1);
    const record = await storedRecord(parse(response).secretName);
    expect(record.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(record.client_metadata).toMatchObject({
      client_name: 'Tenant Named',
      contacts: ['ops@tenant.example'],
      redirect_uris: PINNED.redirect_uris,
      grant_types: PINNED.grant_types,
    });
    expect(env.rfc7591.clients()).toContainEqual(expect.objectContaining({ clientId: record.client_id, clientName: 'Tenant Named' }));
  });

  it('registers a redirect on an allowed origin in place of the default one', async () => {
    // Act
    const response = await env.invoke(
      post(
        JSON.stringify({
          tenantId: 'redirected',
          target: 'pinned',
          client: { redirect_uris: ['https://app.example.com/tenants/redirected/cb'] },
        }),
      ),
    );

    // Assess
    expect(response.statusCode).toBe(201);
    const record = await storedRecord(parse(response).secretName);
    expect(record.client_metadata.redirect_uris).toEqual(['https://app.example.com/tenants/redirected/cb']);
    expect(record.client_metadata.grant_types).toEqual(PINNED.grant_types);
    expect(record.token_endpoint_auth_method).toBe('client_secret_basic');
  });

  it('refuses redirects on the default target, which opens only client_name and contacts', async () => {
    // Act
    const response = await env.invoke(
      post(JSON.stringify({ tenantId: 'default-redirect', client: { redirect_uris: ['https://app.example.com/cb'] } })),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(parse(response)).toEqual({
      error: 'invalid_client_metadata',
      error_description: 'client metadata "redirect_uris" may not be set by the caller (this target allows: client_name, contacts)',
    });
  });
});
