import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { putConfigParameter, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { captureStdout, leakedSecrets } from '../helpers/logCapture.js';
import { createOutcomeQueue, type OutcomeQueue } from '../helpers/outcomeQueue.js';

/**
 * The leak scan of issue 13: a provider that echoes credentials in its errors, driven through every path
 * (HTTP API, EventBridge, schedule, CLI) by module graphs that start empty — as a fresh Lambda container
 * does — so redaction cannot rest on values the process happened to handle before. Every log line,
 * answer, published event, thrown error and CLI line is searched for every secret value: 0 hits.
 */

type Handler = (event: unknown, context?: { awsRequestId: string }) => Promise<any>;
type Mode = 'good' | 400 | 401 | 500;

const token = (label: string) => `${label}-${randomBytes(18).toString('base64url')}`;

/** An RFC 7591/7592 provider that, once told to misbehave, puts every credential it knows into its error answers. */
class EchoingProvider {
  mode: Mode = 'good';
  readonly issued: { client_id: string; client_secret: string; registration_access_token: string }[] = [];
  /** Error answers sent, and how many of them carried a secret value verbatim (so the scan is not vacuous). */
  readonly echoes: string[] = [];
  #server: Server;
  #variant = 0;
  origin = '';

  constructor() {
    this.#server = createServer((req, res) => void this.#answer(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for await (const _ of req); // drain the request body
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (this.mode !== 'good') {
      const body = this.#echo(req.headers.authorization ?? '');
      this.echoes.push(body);
      return send(this.mode, body, body.startsWith('{') ? 'application/json' : 'text/plain');
    }
    if (req.method === 'POST' && req.url === '/register') {
      const client = { client_id: `c-${randomUUID()}`, client_secret: token('cs'), registration_access_token: token('rat') };
      this.issued.push(client);
      return send(
        201,
        JSON.stringify({
          ...client,
          registration_client_uri: `${this.origin}/register/${client.client_id}`,
          token_endpoint_auth_method: 'client_secret_basic',
          grant_types: ['client_credentials'],
          client_secret_expires_at: 0,
        }),
      );
    }
    if (req.method === 'DELETE') return send(204, '');
    return send(404, '{"error":"not_found"}');
  }

  /** One of several shapes, in turn: credentials as `Bearer x`, JSON fields (plain and nested), form fields, and bare. */
  #echo(authorization: string): string {
    const known = this.issued.flatMap((c) => [c.client_secret, c.registration_access_token]);
    const [secret, rat] = [this.issued[0]?.client_secret ?? '', this.issued[0]?.registration_access_token ?? ''];
    const credential = authorization.replace(/^Bearer /, '');
    const shapes = [
      () =>
        JSON.stringify({
          error: `invalid_token ${authorization}`,
          error_description: `you sent ${authorization}; stored {"registration_access_token":"${rat}","client_secret":"${secret}"}`,
          client_secret: secret,
          registration_access_token: rat,
          headers: { authorization },
        }),
      () =>
        JSON.stringify({
          error: 'invalid_request',
          error_description: `client_id=x&client_secret=${secret}&registration_access_token=${rat} Bearer ${rat}\nbare:\n${credential}`,
        }),
      () =>
        JSON.stringify({
          error: 'server_error',
          error_description: JSON.stringify({ body: JSON.stringify({ client_secret: secret, access_token: rat }) }),
        }),
      () => `Authorization: ${authorization}\r\nclient_secret=${secret}\r\n${known.join(' ')}`,
      () => JSON.stringify({ error: credential, error_description: credential }),
    ];
    const shape = shapes[this.#variant++ % shapes.length] as () => string;
    return shape();
  }
}

let provider: EchoingProvider;
let queue: OutcomeQueue;
let secretsClient: SecretsManagerClient;
let ssm: SSMClient;
let capture: ReturnType<typeof captureStdout>;
const run = randomUUID().slice(0, 8);
const iat = token('iat');
const brokenIatHalves = [token('broken-iat-a'), token('broken-iat-b')];
const configParameterName = `/dcr-test/${run}/leaks-config`;
const answers: string[] = [];
const thrown: string[] = [];
const cliOutput: string[] = [];
const env = {
  CONFIG_PARAMETER_NAME: configParameterName,
  IDP_MAX_ATTEMPTS: '2',
  IDP_RETRY_BUDGET_MS: '1000',
  CLAIM_WAIT_MS: '500',
  LOG_LEVEL: 'DEBUG',
};

/** A new module graph, as in a fresh container: the redaction module's remembered values start empty. */
async function freshGraph() {
  vi.resetModules();
  const { handler } = (await import('../../functions/register/handler.js')) as { handler: Handler };
  const redaction = await import('../../functions/core/redaction.js');
  const { runCli } = await import('../../cli/runCli.js');
  return { handler, redaction, runCli };
}

async function invoke(handler: Handler, event: unknown): Promise<void> {
  try {
    answers.push(JSON.stringify((await handler(event, { awsRequestId: randomUUID() })) ?? null));
  } catch (error) {
    const e = error as Error;
    thrown.push(e.message, e.stack ?? '', String(e), JSON.stringify(e), inspect(e, { depth: 5 }));
  }
}

async function cli(runCli: (argv: string[], io: any) => Promise<number>, argv: string[]): Promise<string> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const chunks: string[] = [];
  stdout.on('data', (chunk) => chunks.push(String(chunk)));
  stderr.on('data', (chunk) => chunks.push(String(chunk)));
  await runCli([...argv, '--config-parameter', configParameterName], { stdout, stderr, env: { ...process.env, ...env } });
  return chunks.join('');
}

const http = (method: string, path: string, body?: unknown) => ({
  version: '2.0',
  rawPath: path,
  requestContext: { http: { method, path } },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const bridge = (detailType: string, detail: unknown) => ({ id: randomUUID(), 'detail-type': detailType, source: 'tenants', detail });

function allSecrets(): string[] {
  return [
    iat,
    ...brokenIatHalves,
    brokenIatHalves.join('\n'),
    ...provider.issued.flatMap((c) => [c.client_secret, c.registration_access_token]),
  ];
}

beforeAll(async () => {
  provider = new EchoingProvider();
  await provider.start();
  secretsClient = new SecretsManagerClient({});
  ssm = new SSMClient({});
  queue = await createOutcomeQueue(`leaks-${run}`);
  const iatId = `dcr-test/${run}/iat/leaky`;
  const brokenIatId = `dcr-test/${run}/iat/broken`;
  await seedInitialAccessToken(secretsClient, iatId, iat);
  await seedInitialAccessToken(secretsClient, brokenIatId, brokenIatHalves.join('\n'), 'json');
  const target = (secretId: string) => ({
    profile: 'rfc7591',
    registrationEndpoint: `${provider.origin}/register`,
    initialAccessTokenSecretId: secretId,
    clientMetadata: { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' },
  });
  await putConfigParameter(ssm, configParameterName, {
    secretNamePrefix: `dcr-test/${run}/clients/`,
    defaultTarget: 'leaky',
    targets: { leaky: target(iatId), broken: target(brokenIatId) },
  });
  Object.assign(process.env, env, { EVENT_BUS_NAME: queue.busName });
  capture = captureStdout();
});

afterAll(async () => {
  capture?.restore();
  for (const key of [...Object.keys(env), 'EVENT_BUS_NAME']) delete process.env[key];
  await provider?.close();
  secretsClient?.destroy();
  ssm?.destroy();
});

describe('secret leak scan with fresh module graphs', () => {
  it('repeats no secret value in logs, answers, events, thrown errors or CLI output', async () => {
    // Prepare: an earlier container registers two tenants; their records hold a secret and a token each.
    const seeding = await freshGraph();
    provider.mode = 'good';
    for (const tenantId of ['t1', 't2']) await invoke(seeding.handler, http('POST', '/registrations', { tenantId, target: 'leaky' }));
    expect(answers.filter((a) => a.includes('"statusCode":201'))).toHaveLength(2);
    const seedingLines = capture.lines.length;

    // Act 1: RFC 7592 paths in a fresh container, which reads the records another graph stored.
    const management = await freshGraph();
    const [t1] = provider.issued;
    expect(management.redaction.scrubSecrets(`${t1?.client_secret}`)).toBe(t1?.client_secret); // nothing remembered yet
    for (const mode of [400, 401, 500] as const) {
      provider.mode = mode;
      await invoke(management.handler, http('POST', '/registrations/leaky/t1/rotate'));
      // A 401 to the DELETE completes offboarding (issue 17: RFC 7592 §2), and Act 3 reads t1: t2 covers that path.
      if (mode !== 401) await invoke(management.handler, http('DELETE', '/registrations/leaky/t1'));
      await invoke(management.handler, bridge('ClientSecretRotationRequested', { tenantId: 't2', target: 'leaky' }));
      await invoke(management.handler, bridge('TenantOffboarded', { tenantId: 't2', target: 'leaky' }));
    }

    // Act 2: registration in another fresh container, which never read those records: the provider echoes
    // the IAT it was sent and the other tenants' credentials in pattern forms.
    const registration = await freshGraph();
    for (const mode of [400, 401, 500] as const) {
      provider.mode = mode;
      await invoke(registration.handler, http('POST', '/registrations', { tenantId: `new-${mode}`, target: 'leaky' }));
      await invoke(registration.handler, bridge('TenantOnboarded', { tenantId: `event-${mode}`, target: 'leaky' }));
    }
    await invoke(registration.handler, { action: 'canary', target: 'leaky' });
    await invoke(registration.handler, http('POST', '/registrations', { tenantId: 'broken-iat', target: 'broken' }));
    await invoke(registration.handler, bridge('TenantOnboarded', { tenantId: 'broken-iat-event', target: 'broken' }));

    // Act 3: the CLI in a fresh graph, against the same provider.
    const operator = await freshGraph();
    provider.mode = 500;
    cliOutput.push(await cli(operator.runCli, ['rotate', '--tenant', 't2', '--target', 'leaky']));
    cliOutput.push(await cli(operator.runCli, ['register', '--tenant', 'cli-new', '--target', 'leaky']));
    cliOutput.push(await cli(operator.runCli, ['show', '--tenant', 't1', '--target', 'leaky']));
    cliOutput.push(await cli(operator.runCli, ['show', '--tenant', 't1', '--target', 'leaky', '--json']));
    const revealed = await cli((await freshGraph()).runCli, ['show', '--tenant', 't1', '--target', 'leaky', '--reveal']);
    const events = (await queue.drain()).map((event) => JSON.stringify(event));

    // Assess: the provider did echo the secrets (the scan is not vacuous) …
    const secrets = allSecrets();
    expect(provider.echoes.length).toBeGreaterThanOrEqual(20);
    expect(leakedSecrets(provider.echoes, secrets).length).toBe(secrets.length - 3); // all but the broken IAT, never sent
    expect(thrown.length).toBeGreaterThan(0);
    expect(events.length).toBeGreaterThan(0);
    expect(revealed).toContain(t1?.client_secret); // --reveal still prints on purpose
    // … and nothing repeats them.
    const logs = capture.lines.slice(seedingLines);
    const scanned = { logs, answers, events, thrown, cliOutput };
    const hits = Object.fromEntries(Object.entries(scanned).map(([where, texts]) => [where, leakedSecrets(texts, secrets)]));
    capture.restore();
    console.info(
      `secret leak scan: ${secrets.length} secret values; ${logs.length} log lines, ${answers.length} answers, ` +
        `${events.length} events, ${thrown.length / 5} thrown errors (5 renderings each), ${cliOutput.length} CLI runs; ` +
        `${provider.echoes.length} echoing provider answers`,
    );
    expect(hits).toEqual({ logs: [], answers: [], events: [], thrown: [], cliOutput: [] });
  });
});
