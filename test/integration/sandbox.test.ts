import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { ListSecretsCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leakedSecrets } from '../helpers/logCapture.js';

/** How long a test waits for READY: more than the promise, as other suites may load the machine. */
const READY_TIMEOUT_MS = 60_000;

interface RunningSandbox {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `npm start`'s entry point as a child process (the same command without npm in between). */
function spawnSandbox(args: string[] = [], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/start.ts', ...args], {
    cwd: process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

async function startSandboxProcess(args: string[] = []): Promise<RunningSandbox> {
  const { child, output, exited } = spawnSandbox(args);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no READY line in ${READY_TIMEOUT_MS} ms:\n${output.stdout}${output.stderr}`)),
      READY_TIMEOUT_MS,
    );
    const check = () => {
      const ready = /^READY (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output.stdout);
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited (${code}) before READY:\n${output.stdout}${output.stderr}`));
    });
  });
  return { child, output, url, exited };
}

/** Child processes of `pid` with their command lines (ps works on Linux and macOS). */
async function childrenOf(pid: number): Promise<{ pid: number; args: string }[]> {
  const { stdout } = await promisify(execFile)('ps', ['-A', '-o', 'pid=,ppid=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === pid)
    .map((m) => ({ pid: Number(m[1]), args: m[3] ?? '' }));
}

/** Pids among `pids` that still run; a zombie waiting to be reaped has exited and does not count. */
async function running(pids: number[]): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-A', '-o', 'pid=,stat=']);
  const live = new Set(
    stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, stat]) => stat !== undefined && !stat.startsWith('Z'))
      .map(([pid]) => Number(pid)),
  );
  return pids.filter((pid) => live.has(pid));
}

/** Polls `check` until it holds or `ms` pass: exited children are reaped, and tsx's esbuild exits on EOF, a moment later. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
}

async function stopWithin(sandbox: RunningSandbox, signal: NodeJS.Signals, ms: number) {
  sandbox.child.kill(signal);
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  const result = await Promise.race([sandbox.exited, timeout]);
  if (result === 'timeout') sandbox.child.kill('SIGKILL');
  return result;
}

const line = (stdout: string, label: string) => new RegExp(`^\\s+${label}\\s+(\\S+)`, 'm').exec(stdout)?.[1] ?? '';
const post = (url: string, body: string) => fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(15_000) });

describe('npm start (the sandbox)', () => {
  let sandbox: RunningSandbox;
  let motoEndpoint: string;

  beforeAll(async () => {
    sandbox = await startSandboxProcess();
    motoEndpoint = line(sandbox.output.stdout, 'moto_server');
  }, READY_TIMEOUT_MS + 5000);

  afterAll(async () => {
    if (sandbox?.child.exitCode === null && sandbox.child.signalCode === null) await stopWithin(sandbox, 'SIGKILL', 5000);
  });

  it('has onboarded the sample tenant with a working token', () => {
    // Assess
    expect(sandbox.output.stdout).toMatch(/✓ moto_server on http:\/\/127\.0\.0\.1:\d+/);
    expect(sandbox.output.stdout).toMatch(/sample tenant\s+demo \(target default\), onboarded by an EventBridge event/);
    expect(line(sandbox.output.stdout, 'client_id')).toMatch(/^[\w-]{10,}$/);
    expect(line(sandbox.output.stdout, 'secret')).toBe('dcr/clients/default/demo');
    expect(sandbox.output.stdout).toContain('token obtained');
    expect(sandbox.output.stdout).toContain(`curl -i -X POST ${sandbox.url}/registrations -d '{"tenantId":"acme"}'`);
  });

  it('reports how long it took to be ready (the 30 s goal is measured by npm run bench, not asserted here)', () => {
    expect(sandbox.output.stdout).toMatch(/sandbox is up \(ready in \d+\.\d s\)/);
  });

  it('answers POST /registrations like API Gateway: 201, then 200 "exists"', async () => {
    // Act
    const first = await post(`${sandbox.url}/registrations`, '{"tenantId":"acme"}');
    const again = await post(`${sandbox.url}/registrations`, '{"tenantId":"acme"}');

    // Assess
    expect(first.status).toBe(201);
    expect(first.headers.get('content-type')).toBe('application/json');
    const body = await first.json();
    expect(body).toMatchObject({ tenantId: 'acme', target: 'default', status: 'registered', secretName: 'dcr/clients/default/acme' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ clientId: body.clientId, status: 'exists' });
  });

  it('answers GET /registrations/{target}/{tenantId}, and 400 for a body that is not JSON', async () => {
    // Act
    const found = await fetch(`${sandbox.url}/registrations/default/demo`);
    const missing = await fetch(`${sandbox.url}/registrations/default/nobody`);
    const bad = await post(`${sandbox.url}/registrations`, 'not json');

    // Assess
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ tenantId: 'demo', status: 'registered' });
    expect(missing.status).toBe(404);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_request', error_description: 'request body is not valid JSON' });
  });

  it('delivers POST /events as an EventBridge event and POST /canary as the scheduler input', async () => {
    // Act
    const event = await post(
      `${sandbox.url}/events`,
      JSON.stringify({ 'detail-type': 'TenantOnboarded', source: 'com.example.tenants', detail: { tenantId: 'globex' } }),
    );
    const canary = await post(`${sandbox.url}/canary`, '');

    // Assess
    expect(event.status).toBe(200);
    expect(await event.json()).toMatchObject({ tenantId: 'globex', status: 'registered' });
    expect(canary.status).toBe(200);
    expect(await canary.json()).toMatchObject({ ok: true, tenantId: expect.stringMatching(/^canary-\d{14}-[0-9a-f]{8}$/) });
  });

  it('keeps the envelope id of POST /events: a redelivered rotation request is a no-op', async () => {
    // Prepare
    const client = new SecretsManagerClient({ endpoint: motoEndpoint });
    const currentSecret = async () =>
      JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: 'dcr/clients/default/demo' }))).SecretString ?? '{}')
        .client_secret;
    const rotation = JSON.stringify({
      id: 'rotation-1',
      'detail-type': 'ClientSecretRotationRequested',
      source: 'com.example.tenants',
      detail: { tenantId: 'demo' },
    });
    const before = await currentSecret();

    // Act
    const first = await post(`${sandbox.url}/events`, rotation);
    const afterFirst = await currentSecret();
    const again = await post(`${sandbox.url}/events`, rotation);
    const afterAgain = await currentSecret();
    client.destroy();

    // Assess
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(afterFirst).not.toBe(before);
    expect(afterAgain).toBe(afterFirst);
  });

  it('never prints a secret value', async () => {
    // Prepare
    const client = new SecretsManagerClient({ endpoint: motoEndpoint });
    const listed = await client.send(new ListSecretsCommand({ MaxResults: 100 }));
    const values = await Promise.all(
      (listed.SecretList ?? []).map(async (s) => (await client.send(new GetSecretValueCommand({ SecretId: s.ARN }))).SecretString ?? ''),
    );
    client.destroy();
    const secrets = values.flatMap((value) => {
      const record = value.startsWith('{') ? JSON.parse(value) : { iat: value };
      return [record.client_secret, record.registration_access_token, record.iat].filter(Boolean);
    });

    // Assess
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    expect(leakedSecrets([sandbox.output.stdout, sandbox.output.stderr], secrets)).toEqual([]);
  });

  it('stops on SIGTERM with every child process gone, its ports closed and its state removed', async () => {
    // Prepare
    const children = await childrenOf(sandbox.child.pid ?? -1);
    const moto = children.find((c) => c.args.includes('moto_server'));
    const stateDir = line(sandbox.output.stdout, 'state');
    expect(moto).toBeDefined();
    expect(existsSync(stateDir)).toBe(true);

    // Act
    const exit = await stopWithin(sandbox, 'SIGTERM', 10_000);

    // Assess
    expect(exit).toEqual({ code: 0, signal: null });
    expect(sandbox.output.stdout).toContain('stopped; nothing left running');
    const pids = children.map((c) => c.pid);
    expect(await eventually(async () => (await running(pids)).length === 0)).toBe(true);
    expect(await eventually(() => refused(sandbox.url))).toBe(true);
    expect(await eventually(() => refused(`${motoEndpoint}/moto-api/`))).toBe(true);
    expect(existsSync(stateDir)).toBe(false);
  });
});

describe('npm start -- --keep', () => {
  it(
    'keeps the state directory after Ctrl-C',
    async () => {
      // Prepare
      const sandbox = await startSandboxProcess(['--keep', '--tenant', 'kept']);
      const stateDir = line(sandbox.output.stdout, 'state');

      // Act
      const exit = await stopWithin(sandbox, 'SIGINT', 10_000);

      // Assess
      try {
        expect(exit).toEqual({ code: 0, signal: null });
        expect(sandbox.output.stdout).toContain(`stopped; state kept in ${stateDir}`);
        expect(existsSync(`${stateDir}/function.log`)).toBe(true);
        expect(existsSync(`${stateDir}/config.json`)).toBe(true);
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
    READY_TIMEOUT_MS + 15_000,
  );
});

describe('npm start, one Ctrl-C delivered twice', () => {
  it(
    'stops cleanly (exit 0, state removed): the terminal and the tsx wrapper both pass on one Ctrl-C',
    async () => {
      // Prepare
      const sandbox = await startSandboxProcess(['--tenant', 'twice']);
      const stateDir = line(sandbox.output.stdout, 'state');

      // Act: as `npm start` sees one Ctrl-C, a moment apart
      sandbox.child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const exit = await stopWithin(sandbox, 'SIGINT', 10_000);

      // Assess
      expect(exit).toEqual({ code: 0, signal: null });
      expect(sandbox.output.stdout).not.toContain('again: exiting now');
      expect(existsSync(stateDir)).toBe(false);
    },
    READY_TIMEOUT_MS + 15_000,
  );
});

describe('npm start without moto_server', () => {
  it('stops at once and says how to install it', async () => {
    // Prepare
    const { output, exited } = spawnSandbox([], { ...process.env, PATH: '/nonexistent' });

    // Act
    const exit = await exited;

    // Assess
    expect(exit.code).toBe(1);
    expect(output.stderr).toContain('moto_server is not on PATH. Install it with: pip install "moto[server]"');
    expect(output.stdout).not.toContain('READY');
  });
});
