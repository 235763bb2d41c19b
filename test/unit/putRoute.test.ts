import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import type { Runtime } from '../../functions/register/runtime.js';
import { handleHttpApi } from '../../functions/register/triggers/httpApi.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';
import { ScriptedIdentityProvider } from '../helpers/scriptedIdentityProvider.js';
import { unitDependencies } from '../helpers/unitDependencies.js';

async function setup() {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: 'dcr/iat', value: 'initial-access-token-value' });
  const idp = new ScriptedIdentityProvider();
  const lines: string[] = [];
  const target = { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/register', initialAccessTokenSecretId: 'dcr/iat' };
  const deps = unitDependencies({
    config: serviceConfigSchema().parse({
      secretNamePrefix: 'dcr/clients/',
      targets: {
        default: target,
        partner: { ...target, callerMetadata: ['client_name'] },
      },
    }),
    secrets,
    idp,
    lines,
  });
  const runtime: Runtime = { logger: deps.logger, dependencies: async () => deps };
  const send = async (method: string, path: string, body?: unknown) => {
    const event = {
      version: '2.0',
      routeKey: `${method} /registrations/{target}/{tenantId}`,
      rawPath: path,
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method, path } },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const answer = await handleHttpApi(event, runtime, deps.logger);
    return {
      status: answer.statusCode,
      allow: answer.headers?.allow,
      body: answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : undefined,
    };
  };
  const put = (path: string, body?: unknown) => send('PUT', path, body);
  return { secrets, idp, put, send };
}

describe('PUT /registrations/{target}/{tenantId}', () => {
  it('registers the tenant the path names (201), then answers 200 exists without registering again', async () => {
    // Prepare
    const { idp, secrets, put } = await setup();

    // Act
    const first = await put('/registrations/partner/acme', { client: { client_name: 'Acme' } });
    const again = await put('/registrations/partner/acme', { client: { client_name: 'Acme' } });

    // Assess
    expect(first).toMatchObject({
      status: 201,
      body: { tenantId: 'acme', target: 'partner', status: 'registered', secretName: 'dcr/clients/partner/acme' },
    });
    expect(again).toMatchObject({ status: 200, body: { tenantId: 'acme', target: 'partner', status: 'exists' } });
    expect(idp.registered).toHaveLength(1);
    expect([...secrets.entries.keys()]).toContain('dcr/clients/partner/acme');
  });

  it('needs no body: the path says everything a registration needs', async () => {
    // Prepare
    const { put } = await setup();

    // Act
    const answer = await put('/registrations/default/acme');

    // Assess
    expect(answer).toMatchObject({ status: 201, body: { tenantId: 'acme', target: 'default', status: 'registered' } });
  });

  it('accepts a body that repeats the path tenant and target', async () => {
    // Prepare
    const { put } = await setup();

    // Act
    const answer = await put('/registrations/partner/acme', { tenantId: 'acme', target: 'partner' });

    // Assess
    expect(answer).toMatchObject({ status: 201, body: { tenantId: 'acme', target: 'partner' } });
  });

  it.each([
    ['another tenant in the body', '/registrations/partner/acme', { tenantId: 'globex' }, /tenantId in the body differs/],
    ['another target in the body', '/registrations/partner/acme', { target: 'default' }, /target in the body differs/],
    ['a malformed tenant in the body', '/registrations/partner/acme', { tenantId: 42 }, /tenantId in the body differs/],
    ['a body that is not an object', '/registrations/partner/acme', [{ tenantId: 'acme' }], /must be a JSON object/],
    ['a body that is not JSON', '/registrations/partner/acme', '{"tenantId":', /not valid JSON/],
    ['a malformed tenant in the path', '/registrations/partner/acme%2Fglobex', {}, /path is malformed/],
    [
      'a client field the target does not open',
      '/registrations/partner/acme',
      { client: { redirect_uris: ['https://evil.example/cb'] } },
      /redirect_uris/,
    ],
  ])('refuses %s with 400 and registers nothing', async (_name, path, body, message) => {
    // Prepare
    const { idp, secrets, put } = await setup();

    // Act
    const answer = await put(path, body);

    // Assess
    expect(answer.status).toBe(400);
    expect(String(answer.body?.error_description)).toMatch(message);
    expect(idp.registered).toEqual([]);
    expect([...secrets.entries.keys()].filter((name) => name.startsWith('dcr/clients/'))).toEqual([]);
  });

  it('is the only write on a tenant path besides rotate: PATCH answers 405 naming PUT', async () => {
    // Prepare
    const { send } = await setup();

    // Act
    const answer = await send('PATCH', '/registrations/partner/acme', {});

    // Assess
    expect(answer).toMatchObject({ status: 405, allow: 'PUT, GET, DELETE' });
  });
});
