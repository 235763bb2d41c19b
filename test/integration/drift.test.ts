import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { clientCredentialsToken } from '../../sandbox/tokenRequest.js';
import { inProcessCli } from '../helpers/inProcessCli.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { createOutcomeQueue, type OutcomeQueue } from '../helpers/outcomeQueue.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

let env: RegistrationEnvironment;
let outcomes: OutcomeQueue;
const run = randomUUID().slice(0, 8);
const printed: string[] = [];

const post = (tenantId: string) =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target: 'rfc' }) }));
const record = async (tenantId: string) =>
  (await env.storedRecords()).find((stored) => stored.tenant_id === tenantId && stored.target === 'rfc');

beforeAll(async () => {
  outcomes = await createOutcomeQueue(run);
  process.env.EVENT_BUS_NAME = outcomes.busName;
  env = await startRegistrationEnvironment();
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('reconciliation on oidc-provider and moto', () => {
  it("reports a client deleted behind the service's back as missing (dcr reconcile and the schedule), marks the record, publishes ClientDrifted once", async () => {
    // Prepare
    const gone = JSON.parse((await post('gone')).body);
    await post('kept');
    await env.rfc7591.removeClient(gone.clientId);
    await outcomes.drain();

    // Act
    const cli = await inProcessCli(['reconcile', '--target', 'rfc', '--json']);
    printed.push(cli.stdout, cli.stderr);
    const scheduled = await env.invoke({ action: 'reconcile', target: 'rfc' });

    // Assess
    expect(cli.code).toBe(6);
    const fromCli = JSON.parse(cli.stdout);
    expect(fromCli).toMatchObject({ missing: [{ tenantId: 'gone', target: 'rfc' }], drifted: [], failed: [] });
    expect(fromCli.checked).toBeGreaterThanOrEqual(2);
    expect(scheduled.missing).toEqual([{ tenantId: 'gone', target: 'rfc' }]);
    expect((await record('gone'))?.drift).toMatchObject({ status: 'missing' });
    expect((await record('kept'))?.drift).toBeUndefined();
    // The CLI process publishes too when EVENT_BUS_NAME is set; the schedule run found the mark and published nothing more.
    const drifted = (await outcomes.drain()).filter((event) => event['detail-type'] === 'ClientDrifted');
    expect(drifted.map((event) => event.detail)).toEqual([{ tenantId: 'gone', target: 'rfc', clientId: gone.clientId, reason: 'missing' }]);
  }, 60_000);

  it('reports metadata an admin changed at the provider, and --fix restores it and stores the new secret', async () => {
    // Prepare: an admin removes the client_credentials grant by RFC 7592 PUT (the provider issues a new secret)
    const kept = await record('kept');
    const management = await env.secretsClient.send(
      new GetSecretValueCommand({ SecretId: `${env.prefix.replace(/clients\/$/, 'management/')}rfc/kept` }),
    );
    const { registration_client_uri: uri, registration_access_token: token } = JSON.parse(management.SecretString ?? '{}');
    const current = await (await fetch(uri, { headers: { authorization: `Bearer ${token}` } })).json();
    const {
      registration_access_token: _t,
      registration_client_uri: _u,
      client_secret_expires_at: _e,
      client_id_issued_at: _i,
      client_secret: _s,
      ...metadata
    } = current;
    const edited = await fetch(uri, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...metadata, grant_types: ['authorization_code'] }),
    });
    expect(edited.status).toBe(200);

    // Act
    const report = await inProcessCli(['reconcile', '--target', 'rfc', '--json']);
    const fixed = await inProcessCli(['reconcile', '--target', 'rfc', '--fix', '--json']);
    printed.push(report.stdout, report.stderr, fixed.stdout, fixed.stderr);

    // Assess
    expect(JSON.parse(report.stdout).drifted).toEqual([{ tenantId: 'kept', target: 'rfc', fields: ['grant_types'] }]);
    expect(JSON.parse(fixed.stdout).drifted).toEqual([{ tenantId: 'kept', target: 'rfc', fields: ['grant_types'], fixed: true }]);
    const after = await record('kept');
    expect(after?.client_secret).not.toBe(kept?.client_secret);
    expect((await clientCredentialsToken(env.rfc7591.tokenEndpoint, after as never)).status).toBe(200);
    expect(JSON.parse((await inProcessCli(['reconcile', '--target', 'rfc', '--json'])).stdout).drifted).toEqual([]);
  }, 60_000);

  it('leaks no secret into logs, answers, CLI output or events', async () => {
    // Act
    const values = await env.secretValues();

    // Assess
    expect(leakedSecrets([...env.logs, ...env.responses, ...printed, JSON.stringify(await outcomes.drain())], values)).toEqual([]);
  });
});
