import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import { ConfigurationError, InvalidRequestError, TemporarilyUnavailableError, UpstreamError } from '../../functions/core/errors.js';
import { classifyUpstreamFailure } from '../../functions/core/idp/upstreamResponse.js';
import { Logger } from '../../functions/core/logger.js';
import { PacerRegistry } from '../../functions/core/pacing/PacerRegistry.js';
import type { EventPublisher } from '../../functions/core/ports/EventPublisher.js';
import type { UseCaseDependencies } from '../../functions/core/useCases/dependencies.js';
import { emitOutcome } from '../../functions/core/useCases/outcomeEvents.js';
import { dispatch } from '../../functions/register/dispatch.js';
import type { Runtime } from '../../functions/register/runtime.js';
import { errorResponse } from '../../functions/register/triggers/httpResponses.js';
import { handleSchedule } from '../../functions/register/triggers/schedule.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';
import { ScriptedIdentityProvider } from '../helpers/scriptedIdentityProvider.js';
import { unitDependencies } from '../helpers/unitDependencies.js';

type Directive = { Dimensions: string[][]; Metrics: { Name: string }[] };
type Line = Record<string, unknown> & { _aws?: { CloudWatchMetrics: Directive[] } };

/** The metric names written without dimensions (what the alarms count), once per occurrence. */
function dimensionless(lines: string[]): string[] {
  return lines
    .map((line) => JSON.parse(line) as Line)
    .flatMap((entry) =>
      (entry._aws?.CloudWatchMetrics ?? [])
        .filter((d) => d.Dimensions.some((set) => set.length === 0))
        .flatMap((d) => d.Metrics.map((m) => m.Name)),
    );
}

function metricLine(lines: string[], name: string): Line | undefined {
  return lines.map((line) => JSON.parse(line) as Line).find((entry) => entry[name] === 1);
}

async function setup(options: { events?: EventPublisher } = {}) {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: 'dcr/iat', value: 'initial-access-token-value' });
  const idp = new ScriptedIdentityProvider();
  const lines: string[] = [];
  const deps = unitDependencies({
    config: serviceConfigSchema().parse({
      secretNamePrefix: 'dcr/clients/',
      targets: {
        default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/register', initialAccessTokenSecretId: 'dcr/iat' },
      },
    }),
    secrets,
    idp,
    lines,
    claim: { waitMs: 50, pollMs: 5, staleAfterMs: 900_000 },
    events: options.events,
  });
  const runtime: Runtime = {
    logger: deps.logger,
    dependencies: async () => deps,
    lane: () => ({
      visibility: { change: async () => ({ failed: 0 }) },
      pacers: new PacerRegistry({ shares: 5, now: () => 0 }),
      pacingWaitMs: 30_000,
      now: () => 0,
      sleep: async () => undefined,
      random: () => 0.5,
    }),
  };
  return { deps, idp, lines, runtime };
}

const refusedMetadata = () =>
  classifyUpstreamFailure(400, { error: 'invalid_client_metadata' }, null, 'client registration', 'registration');

let sequence = 0;
function laneRecord(body: unknown): SQSRecord {
  const id = `m-${++sequence}`;
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:dcr-lane',
    awsRegion: 'eu-west-1',
  };
}
const tenantEvent = (detailType: string, detail: unknown) => ({
  version: '0',
  id: `ev-${++sequence}`,
  'detail-type': detailType,
  source: 'com.example.tenants',
  time: '2030-01-01T00:00:00Z',
  region: 'eu-west-1',
  account: '123456789012',
  resources: [],
  detail,
});

describe('TenantEventFailed: a tenant event dropped for good', () => {
  it('is counted when an EventBridge event fails terminally, with its tenant on the line', async () => {
    // Prepare
    const { idp, lines, runtime } = await setup();
    idp.failNext('register', refusedMetadata());

    // Act
    const outcome = await dispatch(tenantEvent('TenantOnboarded', { tenantId: 'acme' }), runtime);

    // Assess
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(dimensionless(lines)).toEqual(['TenantEventFailed']);
    expect(metricLine(lines, 'TenantEventFailed')).toMatchObject({ tenantId: 'acme', detailType: 'TenantOnboarded' });
  });

  it('is counted when an event’s detail is invalid (dropped, no retry can fix it)', async () => {
    // Prepare
    const { lines, runtime } = await setup();

    // Act
    const outcome = await dispatch(tenantEvent('TenantOnboarded', { tenantId: '../etc' }), runtime);

    // Assess
    expect(outcome).toMatchObject({ status: 'dropped' });
    expect(dimensionless(lines)).toEqual(['TenantEventFailed']);
  });

  it('is not counted for a retryable failure (thrown, so Lambda retries and the DLQ applies) nor for a success', async () => {
    // Prepare
    const { idp, lines, runtime } = await setup();
    idp.failNext('register', new TemporarilyUnavailableError('provider throttled', 5));

    // Act
    const retried = dispatch(tenantEvent('TenantOnboarded', { tenantId: 'acme' }), runtime);
    await expect(retried).rejects.toThrow();
    await dispatch(tenantEvent('TenantOnboarded', { tenantId: 'acme' }), runtime);

    // Assess
    expect(dimensionless(lines)).toEqual([]);
  });

  it('is counted for a lane record that fails terminally and for one that cannot be parsed, not for a retried one', async () => {
    // Prepare
    const { idp, lines, runtime } = await setup();
    idp.failNext('register', refusedMetadata(), new TemporarilyUnavailableError('provider throttled', 5));
    const records: SQSEvent = {
      Records: [
        laneRecord({ action: 'register', tenantId: 'acme' }),
        laneRecord('not json{'),
        laneRecord({ action: 'register', tenantId: 'globex' }),
      ],
    };

    // Act
    const answer = (await dispatch(records, runtime)) as { batchItemFailures: { itemIdentifier: string }[] };

    // Assess: one terminal, one unparseable, one retried
    expect(answer.batchItemFailures).toHaveLength(1);
    expect(dimensionless(lines)).toEqual(['TenantEventFailed', 'TenantEventFailed']);
  });
});

describe('HttpServerError: the HTTP API answered 5xx', () => {
  it('is counted for a 5xx DcrError and an unexpected fault, not for a 4xx', () => {
    // Prepare
    const lines: string[] = [];
    const logger = new Logger({ sink: (line) => lines.push(line) });

    // Act
    const answers = [
      errorResponse(new UpstreamError('the provider answered 500'), logger),
      errorResponse(new TypeError('boom'), logger),
      errorResponse(new ConfigurationError('no such target'), logger),
      errorResponse(new InvalidRequestError('bad body'), logger),
    ];

    // Assess
    expect(answers.map((answer) => answer.statusCode)).toEqual([502, 500, 500, 400]);
    expect(dimensionless(lines)).toEqual(['HttpServerError', 'HttpServerError', 'HttpServerError']);
  });

  it('is counted once for a request whose provider fails with 502, through the handler', async () => {
    // Prepare
    const { idp, lines, runtime } = await setup();
    idp.failNext('register', classifyUpstreamFailure(500, { error: 'server_error' }, null, 'client registration', 'registration'));
    const request = {
      version: '2.0',
      rawPath: '/registrations',
      requestContext: { http: { method: 'POST', path: '/registrations' } },
      body: JSON.stringify({ tenantId: 'acme' }),
      isBase64Encoded: false,
      headers: {},
    };

    // Act
    const answer = (await dispatch(request, runtime)) as { statusCode: number };

    // Assess
    expect(answer.statusCode).toBeGreaterThanOrEqual(500);
    expect(dimensionless(lines)).toEqual(['HttpServerError']);
  });
});

describe('OutcomePublishFailed: an outcome event could not be put on the bus', () => {
  it('is counted per target and without dimensions when publishing throws, never thrown itself', async () => {
    // Prepare
    const { deps, lines } = await setup({ events: { publish: () => Promise.reject(new Error('AccessDeniedException')) } });

    // Act
    await emitOutcome(deps as UseCaseDependencies, 'ClientRegistered', { tenantId: 'acme', target: 'default' });

    // Assess
    expect(dimensionless(lines)).toEqual(['OutcomePublishFailed']);
    expect(metricLine(lines, 'OutcomePublishFailed')).toMatchObject({ Target: 'default' });
  });

  it('is not counted when publishing succeeds', async () => {
    // Prepare
    const published: string[] = [];
    const { deps, lines } = await setup({ events: { publish: async (type) => void published.push(type) } });

    // Act
    await emitOutcome(deps, 'ClientRegistered', { tenantId: 'acme', target: 'default' });

    // Assess
    expect(published).toEqual(['ClientRegistered']);
    expect(dimensionless(lines)).toEqual([]);
  });
});

describe('CanaryRun: the canary’s heartbeat', () => {
  const runs = (lines: string[]) => dimensionless(lines).filter((name) => name === 'CanaryRun').length;

  it('is written once by a run that succeeds', async () => {
    // Prepare
    const { lines, runtime } = await setup();

    // Act
    await handleSchedule({ action: 'canary' }, runtime, runtime.logger);

    // Assess
    expect(runs(lines)).toBe(1);
  });

  it('is written once by a run that fails, besides CanaryFailure', async () => {
    // Prepare
    const { lines, runtime } = await setup();
    const failing: Runtime = { ...runtime, dependencies: () => Promise.reject(new Error('configuration parameter not found')) };

    // Act
    await expect(handleSchedule({ action: 'canary', target: 'default' }, failing, runtime.logger)).rejects.toThrow();

    // Assess
    expect(runs(lines)).toBe(1);
    expect(dimensionless(lines)).toContain('CanaryFailure');
  });

  it('is written once for a malformed schedule input', async () => {
    // Prepare
    const { lines, runtime } = await setup();

    // Act
    await expect(handleSchedule({ action: 'explode' }, runtime, runtime.logger)).rejects.toThrow();

    // Assess
    expect(runs(lines)).toBe(1);
  });
});
