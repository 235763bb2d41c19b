import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { DescribeSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/runCli.js';
import { eventBridgeEvent, httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { createOutcomeQueue, type OutcomeQueue } from '../helpers/outcomeQueue.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

// Issue 17: where a second DCR server (Authlib) differs from oidc-provider, played by a local peer.
// - RFC 7592 §2: a DELETE for a client it no longer knows is answered 401 invalid_token, not 404;
// - a revoked initial access token is refused with 400 access_denied, not 401;
// - metadata by RFC 8414 only (`/.well-known/oauth-authorization-server/{issuer path}`), no OpenID document;
// - (target `foreign`) a registration_client_uri on another origin (a second listener).
const run = randomUUID().slice(0, 8);
// Target `authlib-rotating` has its IAT regenerated (item 4); the others keep theirs, so a failure there
// (a stale token cached) cannot spill into the other items.
const iatSecretId = `dcr-test/${run}/iat/authlib-rotating`;
const IATS = [`iat-one-${randomUUID()}`, `iat-two-${randomUUID()}`, `iat-three-${randomUUID()}`];
const steadyIatSecretId = `dcr-test/${run}/iat/authlib`;
const STEADY_IAT = `iat-steady-${randomUUID()}`;

interface Peer {
  server: Server;
  url: string;
}
const state = {
  validIat: IATS[0],
  clients: new Map<string, string>(),
  /** Registrations refused for their token, and RFC 7592 DELETEs as `${listener} ${status}`. */
  refusedRegistrations: 0,
  deletes: [] as string[],
  discoveryGets: [] as string[],
  issued: [] as string[],
};
let main: Peer;
let other: Peer;
let env: RegistrationEnvironment;
let outcomes: OutcomeQueue;

function reply(res: ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body));
}

/** One request handler for both listeners: `label` tells them apart in what the test reads back. */
function authlibLike(label: 'main' | 'other') {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (req.method === 'GET' && path.includes('/.well-known/')) {
        state.discoveryGets.push(path);
        if (path !== '/.well-known/oauth-authorization-server/steady') return reply(res, 404, { error: 'not_found' });
        return reply(res, 200, {
          issuer: `${main.url}/steady`,
          registration_endpoint: `${main.url}/steady/register`,
          token_endpoint: `${main.url}/steady/token`,
        });
      }
      const registration = /^\/(rotating|steady|foreign)\/register$/.exec(path);
      if (req.method === 'POST' && registration && label === 'main') {
        if (bearer !== (registration[1] === 'rotating' ? state.validIat : STEADY_IAT)) {
          state.refusedRegistrations++;
          return reply(res, 400, { error: 'access_denied', error_description: 'Invalid or revoked initial access token' });
        }
        const metadata = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        const clientId = `authlib-${randomUUID().slice(0, 8)}`;
        const [secret, rat] = [`cs-${randomUUID()}`, `rat-${randomUUID()}`];
        state.issued.push(secret, rat);
        state.clients.set(clientId, rat);
        const manager = registration[1] === 'foreign' ? other.url : main.url;
        return reply(res, 201, {
          ...metadata,
          client_id: clientId,
          client_secret: secret,
          client_id_issued_at: Math.floor(Date.now() / 1000),
          client_secret_expires_at: 0,
          registration_access_token: rat,
          registration_client_uri: `${manager}/oauth/register/${clientId}`,
        });
      }
      const managed = /^\/oauth\/register\/([\w-]+)$/.exec(path);
      if (req.method === 'DELETE' && managed) {
        // RFC 7592 §2: an unknown client and a wrong token are the same answer.
        const known = state.clients.get(managed[1]!) === bearer;
        state.deletes.push(`${label} ${known ? 204 : 401}`);
        if (!known) return reply(res, 401, { error: 'invalid_token' });
        state.clients.delete(managed[1]!);
        return reply(res, 204);
      }
      reply(res, 404, { error: 'not_found' });
    });
  };
}

function listen(label: 'main' | 'other'): Promise<Peer> {
  const server = createServer(authlibLike(label));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

const register = (tenantId: string, target: string) =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target }) }));
const call = (method: string, path: string) => env.invoke(httpApiEvent({ method, path }));
const body = (response: { body: string }) => JSON.parse(response.body);
const logsSince = (from: number) => env.logs.slice(from).map((line) => JSON.parse(line));
const recordOf = async (tenantId: string) => (await env.storedRecords()).find((record) => record.tenant_id === tenantId);

async function dcrShow(tenantId: string, target: string, json = false): Promise<string> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const chunks: string[] = [];
  stdout.on('data', (chunk) => chunks.push(String(chunk)));
  stderr.on('data', (chunk) => chunks.push(String(chunk)));
  const code = await runCli(['show', '--tenant', tenantId, '--target', target, ...(json ? ['--json'] : [])], {
    stdout,
    stderr,
    env: { ...process.env },
  });
  expect(code).toBe(0);
  return chunks.join('');
}

beforeAll(async () => {
  [main, other] = await Promise.all([listen('main'), listen('other')]);
  outcomes = await createOutcomeQueue(run);
  process.env.EVENT_BUS_NAME = outcomes.busName;
  env = await startRegistrationEnvironment((config) => {
    config.offboardingRecoveryWindowDays = 7;
    const common = {
      profile: 'rfc7591',
      initialAccessTokenSecretId: steadyIatSecretId,
      clientMetadata: { client_name: 'authlib', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' },
    };
    config.targets.authlib = { ...common, registrationEndpoint: `${main.url}/steady/register` };
    config.targets['authlib-rotating'] = {
      ...common,
      registrationEndpoint: `${main.url}/rotating/register`,
      initialAccessTokenSecretId: iatSecretId,
    };
    config.targets['authlib-issuer'] = { ...common, issuer: `${main.url}/steady` };
    config.targets.foreign = { ...common, registrationEndpoint: `${main.url}/foreign/register` };
    config.targets['foreign-allowed'] = {
      ...common,
      registrationEndpoint: `${main.url}/foreign/register`,
      allowedManagementOrigins: [other.url],
    };
  });
  await seedInitialAccessToken(env.secretsClient, iatSecretId, IATS[0]!);
  await seedInitialAccessToken(env.secretsClient, steadyIatSecretId, STEADY_IAT);
});

afterAll(async () => {
  const secrets = [...(await env.secretValues()), ...IATS, STEADY_IAT, ...state.issued];
  expect(leakedSecrets([...env.logs, ...env.responses, JSON.stringify(await outcomes.drain())], secrets)).toEqual([]);
  await env.close();
  await Promise.all([main, other].map((peer) => new Promise<void>((resolve) => peer.server.close(() => resolve()))));
});

describe('item 3: offboarding a client the provider no longer knows (RFC 7592 401)', () => {
  it('by HTTP: 204, the secret is scheduled for deletion, and ClientDeletionUnconfirmed is recorded three ways', async () => {
    // Prepare: registered, then deleted at the provider by an administrator
    const created = body(await register('gone-http', 'authlib'));
    state.clients.delete(created.clientId);
    await outcomes.drain();
    const from = env.logs.length;
    const deletesBefore = state.deletes.length;

    // Act
    const response = await call('DELETE', '/registrations/authlib/gone-http');

    // Assess
    expect(response.statusCode).toBe(204);
    expect(state.deletes.slice(deletesBefore)).toEqual(['main 401']);
    const described = await env.secretsClient.send(new DescribeSecretCommand({ SecretId: created.secretName }));
    expect(described.DeletedDate).toBeInstanceOf(Date);
    expect((await call('GET', '/registrations/authlib/gone-http')).statusCode).toBe(404);
    const lines = logsSince(from);
    expect(lines.find((line) => line.clientDeletionUnconfirmed === 1)).toMatchObject({
      level: 'WARN',
      clientId: created.clientId,
      tenantId: 'gone-http',
      target: 'authlib',
    });
    expect(lines.find((line) => line._aws && line.ClientDeletionUnconfirmed === 1)).toMatchObject({ Target: 'authlib' });
    const events = await outcomes.drain();
    expect(events.find((event) => event['detail-type'] === 'ClientDeletionUnconfirmed')?.detail).toMatchObject({
      tenantId: 'gone-http',
      target: 'authlib',
      clientId: created.clientId,
      error: 'client_deletion_unconfirmed',
    });
    expect(events.map((event) => event['detail-type'])).toContain('ClientDeregistered');
  });

  it('by event: offboarded with clientDeletion "unconfirmed", not dropped as a refused IAT', async () => {
    const created = body(await register('gone-event', 'authlib'));
    state.clients.delete(created.clientId);

    const outcome = await env.invoke(eventBridgeEvent('TenantOffboarded', { tenantId: 'gone-event', target: 'authlib' }));

    expect(outcome).toMatchObject({ status: 'offboarded', clientId: created.clientId, clientDeletion: 'unconfirmed' });
    expect(await recordOf('gone-event')).toBeUndefined();
  });

  it('a client the provider still knows is deleted as before ("deleted", no unconfirmed record)', async () => {
    const created = body(await register('still-known', 'authlib'));
    const from = env.logs.length;

    const outcome = await env.invoke(eventBridgeEvent('TenantOffboarded', { tenantId: 'still-known', target: 'authlib' }));

    expect(outcome).toMatchObject({ status: 'offboarded', clientDeletion: 'deleted' });
    expect(state.clients.has(created.clientId)).toBe(false);
    expect(logsSince(from).some((line) => line.clientDeletionUnconfirmed || line.ClientDeletionUnconfirmed)).toBe(false);
  });
});

describe('item 4: an initial access token regenerated while the container is warm (400 access_denied)', () => {
  it('re-reads the token once after the refusal and registers with the one an operator stored', async () => {
    // Prepare: the container has the first token cached; then the administrator regenerates it
    expect((await register('before-regeneration', 'authlib-rotating')).statusCode).toBe(201);
    state.validIat = IATS[1];
    await env.secretsClient.send(new PutSecretValueCommand({ SecretId: iatSecretId, SecretString: IATS[1] }));
    const refusedBefore = state.refusedRegistrations;

    // Act
    const response = await register('after-regeneration', 'authlib-rotating');

    // Assess
    expect(response.statusCode).toBe(201);
    expect(state.refusedRegistrations - refusedBefore).toBe(1);
    expect(await recordOf('after-regeneration')).toMatchObject({ dcr_status: 'registered', client_id: body(response).clientId });
  });

  it('still refused after the re-read: the event throws (Lambda retries it, then the DLQ); HTTP answers 502 naming the IAT', async () => {
    // Prepare: regenerated again, and no operator has stored the new one yet
    state.validIat = IATS[2];
    const from = env.logs.length;

    // Act
    const event = env.invoke(eventBridgeEvent('TenantOnboarded', { tenantId: 'still-refused', target: 'authlib-rotating' }));
    await expect(event).rejects.toMatchObject({ name: 'InitialAccessTokenRejectedError', code: 'upstream_error' });
    const response = await register('still-refused', 'authlib-rotating');

    // Assess
    expect(logsSince(from).find((line) => line.message === 'event failed; throwing so it is retried')).toBeDefined();
    expect(response.statusCode).toBe(502);
    expect(body(response)).toMatchObject({ error: 'upstream_error' });
    expect(body(response).error_description).toContain('refused the registration credential');
    expect(await recordOf('still-refused')).toBeUndefined();
  });
});

describe('item 5: a server that publishes RFC 8414 metadata only', () => {
  it('registers by issuer, after OpenID discovery and then RFC 8414 (well-known segment before the issuer path)', async () => {
    const getsBefore = state.discoveryGets.length;

    const response = await register('by-issuer', 'authlib-issuer');

    expect(response.statusCode).toBe(201);
    expect(state.discoveryGets.slice(getsBefore)).toEqual([
      '/steady/.well-known/openid-configuration',
      '/.well-known/oauth-authorization-server/steady',
    ]);
    expect(await recordOf('by-issuer')).toMatchObject({ registration_endpoint: `${main.url}/steady/register` });
  });
});

describe('item 6: a registration_client_uri on a foreign origin', () => {
  it('is said at registration: warning, UnmanageableClient metric, a flag in the record that dcr show prints', async () => {
    const from = env.logs.length;

    const response = await register('foreign-uri', 'foreign');

    expect(response.statusCode).toBe(201);
    const { clientId } = body(response);
    expect(await recordOf('foreign-uri')).toMatchObject({ client_id: clientId, management: 'foreign-origin' });
    const lines = logsSince(from);
    expect(lines.find((line) => line.unmanageableClient === 1)).toMatchObject({ level: 'WARN', clientId, managementOrigin: other.url });
    expect(lines.find((line) => line._aws && line.UnmanageableClient === 1)).toMatchObject({ Target: 'foreign' });
    const shown = await dcrShow('foreign-uri', 'foreign');
    expect(shown).toMatch(new RegExp(`management\\s+UNMANAGEABLE: registration uri on foreign origin ${other.url}`));
    expect(JSON.parse(await dcrShow('foreign-uri', 'foreign', true)).record.management).toBe('foreign-origin');
  });

  it('its registration access token never goes there: offboarding stops with 502 and sends nothing', async () => {
    const deletesBefore = state.deletes.length;
    const response = await call('DELETE', '/registrations/foreign/foreign-uri');
    expect(response.statusCode).toBe(502);
    expect(body(response).error_description).toContain('allowedManagementOrigins');
    expect(state.deletes.slice(deletesBefore)).toEqual([]);
  });

  it('with the origin in allowedManagementOrigins the client is managed: no flag, and offboarding deletes it there', async () => {
    const from = env.logs.length;
    const response = await register('foreign-allowed', 'foreign-allowed');
    const { clientId } = body(response);
    expect(response.statusCode).toBe(201);
    expect((await recordOf('foreign-allowed'))?.management).toBeUndefined();
    expect(logsSince(from).some((line) => line.unmanageableClient || line.UnmanageableClient)).toBe(false);
    expect(await dcrShow('foreign-allowed', 'foreign-allowed')).toMatch(/management\s+-\n/);
    const deletesBefore = state.deletes.length;

    const offboarded = await env.invoke(eventBridgeEvent('TenantOffboarded', { tenantId: 'foreign-allowed', target: 'foreign-allowed' }));

    expect(offboarded).toMatchObject({ status: 'offboarded', clientDeletion: 'deleted' });
    expect(state.deletes.slice(deletesBefore)).toEqual(['other 204']);
    expect(state.clients.has(clientId)).toBe(false);
  });
});
