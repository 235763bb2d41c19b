import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgeEvent, httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

let env: RegistrationEnvironment;
let trap: Server;
let trapUrl: string;
const trapHits: string[] = [];

/** Every field name an attacker might hope the service would call. */
const URL_FIELDS = [
  'registrationEndpoint',
  'registration_endpoint',
  'registration_client_uri',
  'issuer',
  'tokenEndpoint',
  'token_endpoint',
  'jwks_uri',
  'sector_identifier_uri',
  'initiate_login_uri',
  'request_uris',
  'logo_uri',
  'initialAccessTokenSecretId',
];

beforeAll(async () => {
  trap = createServer((req, res) => {
    trapHits.push(`${req.method} ${req.url}`);
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"client_id":"trap","client_secret":"trap"}');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/services/oauth2/register`;
  env = await startRegistrationEnvironment();
});

afterAll(async () => {
  await env.close();
  await new Promise((resolve) => trap.close(resolve));
});

describe('the registration endpoint comes only from configuration', () => {
  it('sends every request to the configured provider, whatever URL fields the body or event carries', async () => {
    // Prepare
    const smuggled = Object.fromEntries(URL_FIELDS.map((field) => [field, field === 'request_uris' ? [trapUrl] : trapUrl]));
    const before = env.salesforce.requests.get('POST /services/oauth2/register') ?? 0;

    // Act: top-level fields (ignored) and client metadata fields (refused by the metadata policy, never called)
    const answers = [];
    const refused = [];
    for (let i = 0; i < URL_FIELDS.length; i++) {
      const field = URL_FIELDS[i] as string;
      answers.push(
        await env.invoke(
          httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId: `ssrf-http-${i}`, [field]: trapUrl }) }),
        ),
      );
      refused.push(
        await env.invoke(eventBridgeEvent('TenantOnboarded', { tenantId: `ssrf-event-${i}`, ...smuggled, client: { [field]: trapUrl } })),
      );
    }
    const canary = await env.invoke({ action: 'canary', registrationEndpoint: trapUrl, registration_client_uri: trapUrl });

    // Assess
    expect(trapHits).toEqual([]);
    const registrations = (env.salesforce.requests.get('POST /services/oauth2/register') ?? 0) - before;
    expect(registrations).toBe(answers.length + 1);
    expect(canary).toMatchObject({ ok: true });
    for (const answer of answers) expect(answer.statusCode).toBe(201);
    for (const outcome of refused) expect(outcome).toEqual({ status: 'failed', error: 'invalid_client_metadata' });
  });
});
