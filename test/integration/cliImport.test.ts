import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/runCli.js';
import { dispatch } from '../../functions/register/dispatch.js';
import { createAwsRuntime } from '../../functions/register/runtime.js';
import { createLaneQueues, type LaneQueues } from '../../sandbox/laneQueues.js';
import { LanePoller } from '../../sandbox/lanePoller.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { localTarget, putConfigParameter, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { captureStdout, leakedSecrets } from '../helpers/logCapture.js';
import { storedRecords as listStoredRecords } from '../helpers/storedRecords.js';
import { queueDepth } from '../helpers/queueDepth.js';

const TENANTS = 30;
const run = randomUUID().slice(0, 8);
const prefix = `dcr-import/${run}/clients/`;
const configParameterName = `/dcr-import/${run}/config`;
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});
const ssm = new SSMClient({});
const tenants = Array.from({ length: TENANTS }, (_, i) => `imp-${run}-${String(i).padStart(2, '0')}`);

let provider: LocalIdentityProvider;
let queues: LaneQueues;
let poller: LanePoller;
let dir: string;
let iat: string;
let capture: ReturnType<typeof captureStdout>;
const printed: string[] = [];

function sink(into: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      into.push(String(chunk));
      done();
    },
  });
}

/** `dcr …` in process (the provider keeps answering), against moto; stdout and stderr captured. */
async function dcr(args: string[], env: Record<string, string> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, {
    stdout: sink(stdout),
    stderr: sink(stderr),
    env: { ...process.env, CONFIG_PARAMETER_NAME: configParameterName, LANE_QUEUE_URL: queues.queueUrl, ...env },
  });
  printed.push(...stdout, ...stderr);
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

const depth = (queueUrl: string) => queueDepth(sqs, queueUrl);

/** Runs the poller until the lane is empty (bounded), then stops it. */
async function drain(limitMs = 60_000): Promise<boolean> {
  poller.start();
  const deadline = Date.now() + limitMs;
  let empty = false;
  while (!empty && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    empty = (await depth(queues.queueUrl)) === 0;
  }
  await poller.stop();
  return empty;
}

const storedRecords = () => listStoredRecords(secrets, prefix);

const registrationPosts = () =>
  [...provider.requests.entries()].filter(([key]) => key.startsWith('POST /reg')).reduce((sum, [, n]) => sum + n, 0);

beforeAll(async () => {
  provider = await startLocalIdentityProvider({ profile: 'rfc7591' });
  iat = await provider.issueInitialAccessToken();
  await seedInitialAccessToken(secrets, `dcr-import/${run}/iat`, iat);
  await putConfigParameter(ssm, configParameterName, {
    secretNamePrefix: prefix,
    defaultTarget: 'lane',
    targets: { lane: localTarget(provider, `dcr-import/${run}/iat`) },
  });
  queues = await createLaneQueues(sqs, `dcr-import-${run}`, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  capture = captureStdout();
  const env = { ...process.env, CONFIG_PARAMETER_NAME: configParameterName, LANE_MAX_CONCURRENCY: '3' };
  const instances = Array.from({ length: 3 }, () => {
    const runtime = createAwsRuntime(env);
    return (event: unknown) => dispatch(event, runtime, { awsRequestId: randomUUID() });
  });
  poller = new LanePoller({ sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, instances, batchSize: 10 });
  dir = mkdtempSync(join(tmpdir(), 'dcr-import-'));
});

afterAll(async () => {
  await poller?.stop();
  capture?.restore();
  await provider?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dcr import and dcr lane, on a moto SQS lane drained by the local poller', () => {
  it('refuses a file with a bad line, naming it, and sends nothing', async () => {
    // Prepare
    const file = join(dir, 'bad.csv');
    writeFileSync(file, `tenantId,target\n${tenants[0]}\nbad tenant!\n${tenants[1]},nowhere\n`);

    // Act
    const result = await dcr(['import', file]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('2 bad lines, nothing sent');
    expect(result.stderr).toContain('line 3: tenantId "bad tenant!"');
    expect(result.stderr).toContain('line 4: unknown target "nowhere"');
    expect(await depth(queues.queueUrl)).toBe(0);
  });

  it(`imports ${TENANTS} tenants; a re-run after an interruption registers none twice; --skip-existing skips them`, async () => {
    // Prepare: the full file (JSON Lines), and the part an interrupted run got through (the first 12 lines)
    const file = join(dir, 'tenants.jsonl');
    const lines = tenants.map((tenantId, i) => JSON.stringify(i % 2 ? { tenantId } : { tenantId, target: 'lane' }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const partial = join(dir, 'interrupted.jsonl');
    writeFileSync(partial, `${lines.slice(0, 12).join('\n')}\n`);

    // Act 1: the interrupted run, and `dcr lane` while its messages wait
    const first = await dcr(['import', partial]);
    const waiting = await dcr(['lane', '--json']);
    // Act 2: the lane drains what the interrupted run sent, then the re-run sends all 30 again
    expect(await drain()).toBe(true);
    const again = await dcr(['import', file]);
    const drained = await drain();
    // Act 3: once more with --skip-existing, then `dcr lane`
    const skipped = await dcr(['import', file, '--skip-existing', '--json']);
    const after = await dcr(['lane']);

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/sent\s+12/);
    expect(first.stderr).toContain('sent: 12/12'); // plain counts, stderr is not a terminal
    expect(JSON.parse(waiting.stdout)).toMatchObject({
      lane: { url: queues.queueUrl, visible: 12, inFlight: 0 },
      deadLetter: { url: queues.deadLetterUrl, visible: 0 },
      maxReceiveCount: 5,
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/sent\s+30/);
    expect(drained).toBe(true);
    const records = (await storedRecords()).filter((record) => record.dcr_status === 'registered');
    expect(new Set(records.map((record) => record.tenant_id))).toEqual(new Set(tenants)); // 0 lost
    expect(new Set(records.map((record) => record.client_id)).size).toBe(TENANTS); // 0 duplicate
    expect(registrationPosts()).toBe(TENANTS); // the 12 sent twice were answered "exists", not registered again
    expect(new Set(provider.clientIds())).toEqual(new Set(records.map((record) => record.client_id))); // 0 orphan
    expect(skipped.code).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ tenants: TENANTS, skipped: TENANTS, sent: 0 });
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/visible\s+0/);
    expect(after.stdout).toMatch(/messages\s+0/);
    expect(after.stdout).toContain(queues.deadLetterUrl);
    expect(await depth(queues.deadLetterUrl)).toBe(0);
  }, 150_000);

  it("dcr lane shows the oldest message's age from CloudWatch, and says when there is no data", async () => {
    // Prepare
    const before = JSON.parse((await dcr(['lane', '--json'])).stdout);
    const cloudWatch = new CloudWatchClient({});
    const queueName = queues.queueUrl.split('/').pop();
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/SQS',
        MetricData: [
          {
            MetricName: 'ApproximateAgeOfOldestMessage',
            Dimensions: [{ Name: 'QueueName', Value: queueName }],
            Value: 42,
            Timestamp: new Date(Date.now() - 120_000),
          },
        ],
      }),
    );
    cloudWatch.destroy();

    // Act
    const [json, human] = await Promise.all([dcr(['lane', '--json']), dcr(['lane'])]);

    // Assess
    expect(before.lane.oldestAgeSeconds).toBeUndefined();
    expect(JSON.parse(json.stdout).lane.oldestAgeSeconds).toBe(42);
    expect(human.stdout).toMatch(/oldest message age\s+42 s/);
  });

  it('prints no secret, in the CLI output or the function logs', async () => {
    const records = await storedRecords();
    const values = [
      iat,
      ...provider.issuedSecrets,
      ...records.flatMap((r) => [r.client_secret, r.registration_access_token]).filter(Boolean),
    ];
    expect(values.length).toBeGreaterThan(TENANTS);
    expect(leakedSecrets([...printed, ...capture.lines], values)).toEqual([]);
  });
});
