import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import { OperationInProgressError, TemporarilyUnavailableError } from '../../functions/core/errors.js';
import { classifyUpstreamFailure } from '../../functions/core/idp/upstreamResponse.js';
import { Logger } from '../../functions/core/logger.js';
import { PacerRegistry } from '../../functions/core/pacing/PacerRegistry.js';
import type { OutcomeType } from '../../functions/core/ports/EventPublisher.js';
import type { VisibilityChange } from '../../functions/core/ports/MessageVisibility.js';
import { dispatch } from '../../functions/register/dispatch.js';
import type { Runtime } from '../../functions/register/runtime.js';
import { laneBackoffSeconds, PacingDeferral } from '../../functions/register/triggers/laneBackoff.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';
import { ScriptedIdentityProvider } from '../helpers/scriptedIdentityProvider.js';
import { unitDependencies } from '../helpers/unitDependencies.js';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:dcr-lane';
const PREFIX = 'dcr/clients/';

let sequence = 0;
function record(body: unknown, receiveCount = 1): SQSRecord {
  const id = `m-${++sequence}`;
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'eu-west-1',
  };
}
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const envelope = (detailType: string, detail: unknown) => ({
  version: '0',
  id: `ev-${++sequence}`,
  'detail-type': detailType,
  source: 'com.example.tenants',
  detail,
});

async function setup(rate?: number, pacingWaitMs = 30_000) {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: 'dcr/iat', value: 'initial-access-token-value' });
  const idp = new ScriptedIdentityProvider();
  const lines: string[] = [];
  const events: OutcomeType[] = [];
  let now = 5_000_000;
  const deps = unitDependencies({
    config: serviceConfigSchema().parse({
      secretNamePrefix: PREFIX,
      targets: {
        default: {
          profile: 'rfc7591',
          registrationEndpoint: 'https://idp.example.com/register',
          initialAccessTokenSecretId: 'dcr/iat',
          ...(rate ? { rateLimit: { registrationsPerSecond: rate } } : {}),
        },
      },
    }),
    secrets,
    idp,
    lines,
    claim: { waitMs: 50, pollMs: 5, staleAfterMs: 900_000 },
    events: { publish: async (type) => void events.push(type) },
  });
  const changes: VisibilityChange[] = [];
  const sleeps: number[] = [];
  const runtime: Runtime = {
    logger: deps.logger,
    dependencies: async () => deps,
    lane: () => ({
      visibility: { change: async (list) => (changes.push(...list), { failed: 0 }) },
      pacers: new PacerRegistry({ shares: 5, now: () => now }),
      pacingWaitMs,
      now: () => now,
      // Waits run side by side, as timers do: each ends `ms` after it began.
      sleep: (ms) => {
        sleeps.push(ms);
        const until = now + ms;
        return new Promise<void>((resolve) => setImmediate(() => resolve(void (now = Math.max(now, until)))));
      },
      random: () => 0.5,
    }),
  };
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    secrets,
    idp,
    events,
    changes,
    sleeps,
    logs,
    invoke: (event: SQSEvent) => dispatch(event, runtime) as Promise<SQSBatchResponse>,
  };
}

describe('the SQS lane', () => {
  it('registers from an EventBridge envelope and from a bare request, and reports no failures', async () => {
    // Prepare
    const lane = await setup();

    // Act
    const answer = await lane.invoke(
      batch(
        record(envelope('TenantOnboarded', { tenantId: 'acme' })),
        record({ action: 'register', tenantId: 'globex', target: 'default' }),
      ),
    );

    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(lane.secrets.names().sort()).toEqual([
      `${PREFIX}default/acme`,
      `${PREFIX}default/globex`,
      'dcr/iat',
      'dcr/management/default/acme',
      'dcr/management/default/globex',
    ]);
    expect(lane.events.filter((type) => type !== 'ClientReady')).toEqual(['ClientRegistered', 'ClientRegistered']);
    expect(lane.changes).toEqual([]);
  });

  it.each([
    ['a body that is not JSON', 'not json{'],
    ['a JSON array', '[1,2]'],
    ['an unknown action', { action: 'explode', tenantId: 'acme' }],
    ['a tenant id that breaks the pattern', { action: 'register', tenantId: '../etc' }],
    ['an unsupported detail-type', envelope('TenantRenamed', { tenantId: 'acme' })],
  ])('drops %s with a log line, without retrying it or calling anything', async (_name, body) => {
    const lane = await setup();
    const answer = await lane.invoke(batch(record(body)));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(lane.idp.registered).toEqual([]);
    expect(lane.logs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringMatching(/^lane message dropped/) }));
  });

  it('does not retry a terminal failure, whose outcome event the use case emitted', async () => {
    const lane = await setup();
    lane.idp.failNext(
      'register',
      classifyUpstreamFailure(400, { error: 'invalid_client_metadata' }, null, 'client registration', 'registration'),
    );
    const answer = await lane.invoke(batch(record({ action: 'register', tenantId: 'acme' })));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(lane.events).toEqual(['ClientRegistrationFailed']);
    expect(lane.changes).toEqual([]);
  });

  it("returns a throttled record in batchItemFailures, hidden for the provider's Retry-After plus jitter; the rest of the batch succeeds", async () => {
    // Prepare
    const lane = await setup();
    lane.idp.failNext('register', classifyUpstreamFailure(429, {}, '30', 'client registration', 'registration'));
    const throttled = record({ action: 'register', tenantId: 'acme' });

    // Act
    const answer = await lane.invoke(batch(throttled, record({ action: 'register', tenantId: 'globex' })));

    // Assess
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: throttled.messageId }] });
    expect(lane.changes).toEqual([{ queueArn: QUEUE_ARN, receiptHandle: throttled.receiptHandle, seconds: 33 }]);
  });

  it('gives a lease in progress its hint and a fault without one a jittered exponential backoff on the receive count', async () => {
    expect(laneBackoffSeconds(new OperationInProgressError('busy', 2), 1, () => 0.5)).toBe(3);
    expect(laneBackoffSeconds(new TemporarilyUnavailableError('reset'), 1, () => 0.999)).toBe(2);
    expect(laneBackoffSeconds(new TemporarilyUnavailableError('reset'), 4, () => 0.999)).toBe(16);
    expect(laneBackoffSeconds(new Error('bug'), 30, () => 0.999)).toBe(900);
    expect(laneBackoffSeconds(new Error('bug'), 1, () => 0)).toBe(1);
    expect(laneBackoffSeconds(new PacingDeferral(4_200), 1, () => 0)).toBe(5);
    // never sooner than asked, whatever the jitter
    for (const r of [0, 0.3, 0.999])
      expect(
        laneBackoffSeconds(new TemporarilyUnavailableError('x', undefined, { serverRetryAfterSeconds: 60 }), 1, () => r),
      ).toBeGreaterThanOrEqual(60);
  });

  it("paces a batch at its share of the target's rate, and puts off what does not fit the pacing wait without running it", async () => {
    // Prepare: 10/s over 5 instances = 2/s here; 3 s of pacing wait
    const lane = await setup(10, 3_000);
    const records = Array.from({ length: 10 }, (_, i) => record({ action: 'register', tenantId: `t${i}` }));

    // Act
    const answer = await lane.invoke(batch(...records));

    // Assess: slots at 0, 0.5, … 3 s → 7 run; the other 3 take no token and come back after the next free slot (3.5 s, plus jitter)
    expect(lane.idp.registered).toHaveLength(7);
    expect(answer.batchItemFailures).toHaveLength(3);
    expect(lane.changes.map((change) => change.seconds)).toEqual([5, 5, 5]);
    expect(lane.events.filter((type) => type !== 'ClientReady')).toEqual(Array(7).fill('ClientRegistered'));
  });

  it('retries every record when the dependencies cannot be loaded', async () => {
    const runtime: Runtime = {
      logger: new Logger({ sink: () => {} }),
      dependencies: () => Promise.reject(new Error('SSM unavailable')),
      lane: () => ({
        visibility: { change: async () => ({ failed: 0 }) },
        pacers: new PacerRegistry(),
        pacingWaitMs: 1_000,
        now: Date.now,
        sleep: async () => {},
        random: () => 0,
      }),
    };
    const records = [record({ action: 'register', tenantId: 'a' }), record({ action: 'register', tenantId: 'b' })];
    const answer = await dispatch(batch(...records), runtime);
    expect(answer).toEqual({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
  });
});
