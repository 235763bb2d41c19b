import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

// A provider whose 201 cannot be used: the service must delete the client it created (RFC 7592) or
// record it as orphaned — never store it as if fine, never leave it silently.
interface Scripted {
  /** The 201 body for the next registration; `self` is replaced with the peer's URL. */
  answer: (clientId: string) => Record<string, unknown>;
  deleteStatus: number;
}

let env: RegistrationEnvironment;
let peer: Server;
let peerUrl = '';
const script: Scripted = { answer: () => ({}), deleteStatus: 204 };
const registered: string[] = [];
const deleted: string[] = [];
const issued: string[] = [];

function startPeer(): Promise<void> {
  peer = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '/';
      if (req.method === 'POST' && path === '/register') {
        const clientId = `client-${registered.length + 1}`;
        registered.push(clientId);
        const token = `rat-${clientId}-${'x'.repeat(20)}`;
        issued.push(token);
        const body = {
          registration_access_token: token,
          registration_client_uri: `${peerUrl}/register/${clientId}`,
          ...script.answer(clientId),
        };
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return;
      }
      if (req.method === 'DELETE' && path.startsWith('/register/')) {
        if (script.deleteStatus === 204) deleted.push(path.slice('/register/'.length));
        res.writeHead(script.deleteStatus).end();
        return;
      }
      res.writeHead(404).end();
    });
  });
  return new Promise((resolve) =>
    peer.listen(0, '127.0.0.1', () => {
      peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

const register = (tenantId: string) =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target: 'careless' }) }));
const logsSince = (from: number) => env.logs.slice(from).map((line) => JSON.parse(line));

beforeAll(async () => {
  await startPeer();
  env = await startRegistrationEnvironment((config) => {
    config.targets.careless = {
      profile: 'rfc7591',
      registrationEndpoint: `${peerUrl}/register`,
      initialAccessTokenSecretId: config.targets.rfc.initialAccessTokenSecretId,
      clientMetadata: { client_name: 'careless', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' },
    };
  });
});

afterAll(async () => {
  expect(leakedSecrets([...env.logs, ...env.responses], [...(await env.secretValues()), ...issued])).toEqual([]);
  await env.close();
  await new Promise<void>((resolve) => peer.close(() => resolve()));
});

describe('a 201 the service cannot use', () => {
  it('without client_secret for client_secret_basic: the client is deleted by RFC 7592, nothing stored, 502', async () => {
    script.answer = (clientId) => ({ client_id: clientId, token_endpoint_auth_method: 'client_secret_basic' });
    script.deleteStatus = 204;

    const response = await register('no-secret');

    expect(response.statusCode).toBe(502);
    expect(deleted).toEqual([registered.at(-1)]);
    expect((await env.storedRecords()).filter((r) => r.tenant_id === 'no-secret')).toEqual([]);
  });

  it('client_secret_expires_at as a string "0" is read leniently and stored as 0', async () => {
    script.answer = (clientId) => ({ client_id: clientId, client_secret: `secret-${clientId}-0123456789`, client_secret_expires_at: '0' });
    issued.push(`secret-client-${registered.length + 1}-0123456789`);

    const response = await register('string-expiry');

    expect(response.statusCode).toBe(201);
    const [record] = (await env.storedRecords()).filter((r) => r.tenant_id === 'string-expiry');
    expect(record).toMatchObject({ dcr_status: 'registered', client_id: registered.at(-1), client_secret_expires_at: 0 });
  });

  it('an answer that would make a record over 64 KB: the client is deleted, nothing stored', async () => {
    script.answer = (clientId) => ({
      client_id: clientId,
      client_secret: `secret-${clientId}-0123456789`,
      software_statement_echo: 'a'.repeat(70_000),
    });
    issued.push(`secret-client-${registered.length + 1}-0123456789`);
    const deletesBefore = deleted.length;

    const response = await register('oversized-record');

    expect(response.statusCode).toBe(502);
    expect(deleted.slice(deletesBefore)).toEqual([registered.at(-1)]);
    expect((await env.storedRecords()).filter((r) => r.tenant_id === 'oversized-record')).toEqual([]);
  });

  it('when the deletion fails too, the client is recorded as orphaned: client id only, metric, never kept silently', async () => {
    script.answer = (clientId) => ({ client_id: clientId });
    script.deleteStatus = 500;
    const from = env.logs.length;

    const response = await register('unremovable');

    expect(response.statusCode).toBe(502);
    const lines = logsSince(from);
    const orphan = lines.find((line) => line.orphanedClient === 1);
    expect(orphan).toMatchObject({ level: 'ERROR', clientId: registered.at(-1), tenantId: 'unremovable', target: 'careless' });
    expect(lines.find((line) => line._aws && line.ClientOrphaned === 1)).toMatchObject({ Target: 'careless' });
    expect((await env.storedRecords()).filter((r) => r.tenant_id === 'unremovable')).toEqual([]);
    // And the tenant is not stuck: the claim was released, a healthy answer registers it.
    script.answer = (clientId) => ({ client_id: clientId, client_secret: `secret-${clientId}-0123456789` });
    issued.push(`secret-client-${registered.length + 1}-0123456789`);
    script.deleteStatus = 204;
    expect((await register('unremovable')).statusCode).toBe(201);
  });
});
