/**
 * `npm start`: the function on real local peers. Prints progress, a short summary and a machine-readable
 * `READY <url>` line; Ctrl-C or SIGTERM stops every child process and removes the state directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLaneDemo } from './laneDemo.js';
import { MotoNotInstalledError } from './motoServer.js';
import { type Sandbox, SANDBOX_REGION, type SandboxSummary, startSandbox } from './sandbox.js';

/** Signals closer than this to the first are the same Ctrl-C delivered twice (terminal and tsx). */
const DUPLICATE_SIGNAL_MS = 1_000;
const USAGE = `Usage: npm start -- [options]

Starts moto_server and a local identity provider on free loopback ports, seeds the configuration and
the initial access token, serves the real Lambda handler as an HTTP API and onboards a sample tenant.

Options:
  --port N        port of the local HTTP API (default: a free port)
  --tenant ID     sample tenant onboarded on start (default: demo)
  --keep          keep the state directory (config, function.log, sandbox.env) after exit
  --verbose       also print the function's JSON log lines
  --lane N        then import N tenants (e.g. 1000) through an SQS onboarding lane on moto, drained by
                  5 lane instances, against a local provider allowing --lane-rate registrations/s
                  (429 + Retry-After beyond), with progress bars (default: off)
  --lane-rate R   registrations per second the lane's provider allows (default 25)
  -h, --help      show this help`;

// The SDK's notice that Node 20 support ends in 2027 is for maintainers, not for someone trying the sandbox.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const write = (line: string) => process.stdout.write(`${line}\n`);

function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        tenant: { type: 'string', default: 'demo' },
        keep: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        lane: { type: 'string', default: '0' },
        'lane-rate': { type: 'string', default: '25' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, not "${values.port}"`);
    const lane = Number(values.lane);
    const laneRate = Number(values['lane-rate']);
    if (!Number.isInteger(lane) || lane < 0 || lane > 100_000)
      throw new Error(`--lane must be a number of tenants (0-100000), not "${values.lane}"`);
    if (!(laneRate > 0 && laneRate <= 1000)) throw new Error(`--lane-rate must be a rate (0-1000], not "${values['lane-rate']}"`);
    return { ...values, port, lane, laneRate };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

function summaryLines(s: SandboxSummary, readySeconds: number, keep: boolean): string[] {
  const { sample } = s;
  return [
    '',
    `dcr-onboarding sandbox is up (ready in ${readySeconds.toFixed(1)} s)`,
    '',
    `  HTTP API           ${s.url}`,
    `  moto_server        ${s.motoEndpoint}`,
    `  identity provider  ${s.issuer} (Salesforce profile)`,
    `  config             SSM ${s.configParameterName}; IAT in secret ${s.iatSecretId}`,
    `  state              ${s.stateDir}${keep ? ' (kept on exit)' : ' (removed on exit; --keep keeps it)'}`,
    '',
    `  sample tenant      ${sample.tenantId} (target ${sample.target}), onboarded by an EventBridge event`,
    `  client_id          ${sample.clientId}`,
    `  secret             ${sample.secretName}`,
    `  proof              token obtained with the stored credentials (client_credentials${sample.expiresIn ? `, expires in ${sample.expiresIn} s` : ''})`,
    '',
    'Try it:',
    `  curl -i -X POST ${s.url}/registrations -d '{"tenantId":"acme"}'`,
    `  curl -i -X PUT ${s.url}/registrations/${sample.target}/initech`,
    `  curl -i ${s.url}/registrations/${sample.target}/acme`,
    `  curl -i -X POST ${s.url}/registrations/${sample.target}/acme/rotate`,
    `  curl -i -X DELETE ${s.url}/registrations/${sample.target}/acme`,
    `  curl -X POST ${s.url}/events -d '{"detail-type":"TenantOnboarded","source":"com.example.tenants","detail":{"tenantId":"globex"}}'`,
    `  curl -X POST ${s.url}/canary`,
    `  source ${s.envFile} && npm run -s dcr -- list`,
    '',
    'Ctrl-C stops everything.',
  ];
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (options.help) {
    write(USAGE);
    return;
  }
  const started = performance.now();
  const stateDir = mkdtempSync(join(tmpdir(), 'dcr-sandbox-'));
  const removeState = () => {
    if (!options.keep) rmSync(stateDir, { recursive: true, force: true });
  };

  let sandbox: Sandbox | undefined;
  let stopping: Promise<void> | undefined;
  let stoppingSince = 0;
  const stop = (reason: string) => {
    if (stopping) {
      // One Ctrl-C reaches this process twice: from the terminal (the whole process group) and relayed
      // by the tsx wrapper. Only a second press, later, means "exit now" — and still cleans up.
      if (performance.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
      write(`${reason} again: exiting now`);
      removeState();
      process.exit(1);
    }
    stoppingSince = performance.now();
    write(`\n${reason}: stopping…`);
    stopping = (async () => {
      await sandbox?.close();
      removeState();
      write(options.keep ? `stopped; state kept in ${stateDir}` : 'stopped; nothing left running');
      process.exit(0);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A parent killed without passing the signal on (e.g. SIGKILL of the tsx wrapper) re-parents this process:
  // stop then too, rather than leave moto_server and the ports behind.
  const parent = process.ppid;
  // With the reader of our output gone, a write fails with EPIPE; that must not skip the clean-up.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  setInterval(() => {
    if (process.ppid !== parent && !stopping) stop('parent process exited');
  }, 1000).unref();

  write('Starting the dcr-onboarding sandbox');
  try {
    sandbox = await startSandbox({
      stateDir,
      port: options.port,
      sampleTenant: options.tenant,
      echoLogs: options.verbose,
      print: write,
      // A lane of thousands needs moto's SQS without its per-message datetime arithmetic (see the script).
      ...(options.lane > 0 ? { motoLauncher: fileURLToPath(new URL('./moto_fast_sqs.py', import.meta.url)) } : {}),
    });
  } catch (error) {
    removeState();
    if (stopping) return;
    if (error instanceof MotoNotInstalledError) {
      process.stderr.write(`\n${error.message}\nThen run npm start again.\n`);
    } else {
      process.stderr.write(`\nThe sandbox could not start: ${(error as Error).message}\n`);
    }
    process.exit(1);
  }
  if (stopping) return;
  for (const line of summaryLines(sandbox.summary, (performance.now() - started) / 1000, options.keep)) write(line);
  if (options.lane > 0) await laneDemo(sandbox.summary, options.lane, options.laneRate);
  if (stopping) return;
  write(`READY ${sandbox.summary.url}`);
}

/** `--lane N`: the onboarding lane at the provider's pace, shown with progress bars (stderr). */
async function laneDemo(summary: SandboxSummary, tenants: number, perSecond: number): Promise<void> {
  write('');
  try {
    await runLaneDemo({
      aws: { endpoint: summary.motoEndpoint, region: SANDBOX_REGION, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } },
      dir: summary.stateDir,
      tenants,
      perSecond,
      stderr: process.stderr,
      print: write,
    });
  } catch (error) {
    process.stderr.write(`\nThe lane demo failed: ${(error as Error).message} (see function.log)\n`);
  }
}

await main();
