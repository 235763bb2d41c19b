import { randomUUID } from 'node:crypto';
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../functions/register/dispatch.js';
import { createAwsRuntime } from '../../functions/register/runtime.js';
import { createLaneQueues, type LaneQueues } from '../../sandbox/laneQueues.js';
import { LanePoller } from '../../sandbox/lanePoller.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { createRateLimitGate, type RateLimitGate } from '../../sandbox/rateLimitGate.js';
import { localTarget, putConfigParameter, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { captureStdout, leakedSecrets } from '../helpers/logCapture.js';
import { createOutcomeQueue, type OutcomeQueue } from '../helpers/outcomeQueue.js';
import { storedRecords as listStoredRecords } from '../helpers/storedRecords.js';
import { queueDepth } from '../helpers/queueDepth.js';

const RATE = 10; // registrations per second, at the provider and in the target's rateLimit
const MAX_CONCURRENCY = 5;
const TENANTS = 60;
const run = randomUUID().slice(0, 8);
const prefix = `dcr-test/${run}/lane/`;
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});
const ssm = new SSMClient({});
const events = new EventBridgeClient({});

let provider: LocalIdentityProvider;
let gate: RateLimitGate;
let queues: LaneQueues;
let outcomes: OutcomeQueue;
let poller: LanePoller;
let capture: ReturnType<typeof captureStdout>;
let iat: string;

const depth = (queueUrl: string) => queueDepth(sqs, queueUrl);

const storedRecords = () => listStoredRecords(secrets, prefix);

/** Polls `done` every 250 ms for at most `limitMs` (bounded); resolves whether it became true. */
async function eventually(done: () => Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return done();
}

async function sendBare(requests: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < requests.length; start += 10) {
    const chunk = requests.slice(start, start + 10);
    const answer = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: chunk.map((request, index) => ({ Id: String(index), MessageBody: JSON.stringify(request) })),
      }),
    );
    expect(answer.Failed ?? []).toEqual([]);
  }
}

beforeAll(async () => {
  gate = createRateLimitGate({ perSecond: RATE });
  provider = await startLocalIdentityProvider({ profile: 'rfc7591', gate });
  iat = await provider.issueInitialAccessToken();
  const iatId = `dcr-test/${run}/iat/lane`;
  await seedInitialAccessToken(secrets, iatId, iat);
  const configParameterName = `/dcr-test/${run}/lane-config`;
  await putConfigParameter(ssm, configParameterName, {
    secretNamePrefix: prefix,
    defaultTarget: 'lane',
    offboardingRecoveryWindowDays: 0,
    targets: { lane: { ...localTarget(provider, iatId), rateLimit: { registrationsPerSecond: RATE } } },
  });
  queues = await createLaneQueues(sqs, `dcr-lane-${run}`, { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 });
  // Tenant events reach the lane as the stack routes them: a rule on the bus, the lane queue as target.
  outcomes = await createOutcomeQueue(`${run}-lane`);
  await events.send(
    new PutRuleCommand({
      Name: `tenants-${run}`,
      EventBusName: outcomes.busName,
      EventPattern: JSON.stringify({ source: ['com.example.tenants'] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: `tenants-${run}`, EventBusName: outcomes.busName, Targets: [{ Id: 'lane', Arn: queues.queueArn }] }),
  );

  capture = captureStdout();
  const env = {
    ...process.env,
    CONFIG_PARAMETER_NAME: configParameterName,
    EVENT_BUS_NAME: outcomes.busName,
    LANE_MAX_CONCURRENCY: String(MAX_CONCURRENCY),
  };
  // One runtime per instance: each Lambda container has its own pacer and caches.
  const instances = Array.from({ length: MAX_CONCURRENCY }, () => {
    const runtime = createAwsRuntime(env);
    return (event: unknown) => dispatch(event, runtime, { awsRequestId: randomUUID() });
  });
  poller = new LanePoller({ sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, instances, batchSize: 10 });
});

afterAll(async () => {
  await poller?.stop();
  capture?.restore();
  await provider?.close();
});

describe('the onboarding lane on moto SQS, against a provider that allows 10 registrations/s', () => {
  it(`onboards ${TENANTS} tenants (bare requests and EventBridge events) with none lost, none duplicated, none orphaned, none in the DLQ`, async () => {
    // Prepare: 50 bare requests, 10 events through the bus and its rule, 1 unparseable message
    const tenants = Array.from({ length: TENANTS }, (_, i) => `lane-${run}-${String(i).padStart(3, '0')}`);
    const started = Date.now();
    await sendBare(tenants.slice(0, 50).map((tenantId) => ({ action: 'register', tenantId })));
    const put = await events.send(
      new PutEventsCommand({
        Entries: tenants.slice(50).map((tenantId) => ({
          EventBusName: outcomes.busName,
          Source: 'com.example.tenants',
          DetailType: 'TenantOnboarded',
          Detail: JSON.stringify({ tenantId }),
        })),
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'not a lane request' }));

    // Act
    poller.start();
    const drained = await eventually(async () => (await depth(queues.queueUrl)) === 0, 90_000);
    const elapsedMs = Date.now() - started;
    await poller.stop();

    // Assess
    expect(drained).toBe(true);
    const records = await storedRecords();
    const registered = records.filter((record) => record.dcr_status === 'registered');
    const clientIds = registered.map((record) => record.client_id as string);
    const providerIds = new Set(provider.clientIds());
    const figures = {
      tenants: TENANTS,
      rate: RATE,
      elapsedSeconds: elapsedMs / 1000,
      idealSeconds: TENANTS / RATE,
      throttled: gate.throttled,
      throttledShare: gate.throttled / TENANTS,
      ...poller.stats,
    };
    console.error(`lane figures ${JSON.stringify(figures)}`);
    expect(new Set(registered.map((record) => record.tenant_id)).size).toBe(TENANTS); // 0 lost
    expect(registered).toHaveLength(TENANTS);
    expect(new Set(clientIds).size).toBe(TENANTS); // 0 duplicate
    expect(providerIds.size).toBe(TENANTS);
    expect(clientIds.every((id) => providerIds.has(id))).toBe(true); // 0 orphan
    expect(await depth(queues.deadLetterUrl)).toBe(0);
    const delivered = await outcomes.drain();
    // Outcome events are at least once: a PutEvents that timed out on a busy moto and was retried arrives twice.
    const registeredEvents = delivered.filter((event) => event['detail-type'] === 'ClientRegistered');
    expect(new Set(registeredEvents.map((event) => event.detail.tenantId))).toEqual(new Set(tenants));
    expect(capture.lines.some((line) => line.includes('lane message dropped'))).toBe(true);
  }, 150_000);

  it('rotates and offboards through the lane too, at the same pace; a redelivered rotation is a no-op', async () => {
    // Prepare
    const [a, b] = [`lane-${run}-000`, `lane-${run}-001`];
    const before = Object.fromEntries((await storedRecords()).map((record) => [record.tenant_id, record.client_secret]));
    await sendBare([
      { action: 'rotate', tenantId: a, requestId: `r-${run}` },
      { action: 'rotate', tenantId: a, requestId: `r-${run}` },
      { action: 'offboard', tenantId: b },
    ]);

    // Act
    poller.start();
    const drained = await eventually(async () => (await depth(queues.queueUrl)) === 0, 60_000);
    await poller.stop();

    // Assess
    expect(drained).toBe(true);
    const after = Object.fromEntries((await storedRecords()).map((record) => [record.tenant_id, record]));
    expect(after[a]?.client_secret).toBeDefined();
    expect(after[a]?.client_secret).not.toBe(before[a]);
    expect(after[a]?.rotation_request_ids).toEqual([`r-${run}`]);
    expect(after[b]).toBeUndefined();
    expect(provider.requests.get(`PUT /reg/${after[a]?.client_id}`) ?? 0).toBeLessThanOrEqual(1 + gate.throttled);
    expect(await depth(queues.deadLetterUrl)).toBe(0);
    const types = new Set((await outcomes.drain()).map((event) => event['detail-type']));
    expect(types).toEqual(new Set(['ClientSecretRotated', 'ClientDeregistered']));
  }, 90_000);

  it('leaks no IAT, client secret or registration access token into the logs', async () => {
    const records = await storedRecords();
    const values = [
      iat,
      ...provider.issuedSecrets,
      ...records.flatMap((r) => [r.client_secret, r.registration_access_token]).filter(Boolean),
    ];
    expect(values.length).toBeGreaterThan(TENANTS);
    expect(leakedSecrets(capture.lines, values)).toEqual([]);
  });
});
