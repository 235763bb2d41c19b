import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { progress } from '../cli/progress.js';
import { runCli } from '../cli/runCli.js';
import { dispatch } from '../functions/register/dispatch.js';
import { createAwsRuntime } from '../functions/register/runtime.js';
import { createLaneQueues, type LaneQueues } from './laneQueues.js';
import { LanePoller, type LanePollerStats } from './lanePoller.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from './localIdentityProvider.js';
import { createRateLimitGate, type RateLimitGate } from './rateLimitGate.js';
import { localTarget, putConfigParameter, seedInitialAccessToken } from './seedLocalAws.js';

export interface LaneDemoOptions {
  /** moto_server, and the credentials to give it. */
  aws: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Where the import file is written. */
  dir: string;
  tenants: number;
  /** Registrations per second the provider allows (429 + Retry-After beyond), also the target's rateLimit. */
  perSecond: number;
  /** Lane instances (the mapping's MaximumConcurrency). Default 5. */
  maxConcurrency?: number;
  /** Progress bars: the import's and the registrations'. */
  stderr: Writable;
  print(line: string): void;
  /** How the lane is drained; default an in-process LanePoller with one runtime per instance. */
  drain?: (env: Record<string, string>, queues: LaneQueues) => LaneDrain | Promise<LaneDrain>;
  /** Upper bound on the whole demo; default 3× the ideal time plus a minute. */
  limitMs?: number;
}

export interface LaneDrain {
  /** Stops polling once the current batches are done; resolves with what the poller saw. */
  stop(): Promise<LanePollerStats & { peakRssBytes?: number }>;
}

export interface LaneDemoReport {
  tenants: number;
  perSecond: number;
  maxConcurrency: number;
  importSeconds: number;
  /** From the start of draining (after the import) until the lane was empty and every tenant registered. */
  elapsedSeconds: number;
  idealSeconds: number;
  drained: boolean;
  /** Registrations the provider answered 429. */
  throttled: number;
  /** Clients at the provider, and the ids the secrets hold, for lost / duplicate / orphan counts. */
  providerClientIds: string[];
  configParameterName: string;
  secretNamePrefix: string;
  deadLetters: number;
  poller: LanePollerStats & { peakRssBytes?: number };
}

/**
 * `dcr import` of `tenants` tenants into a lane on moto, drained as the event source mapping would by
 * `maxConcurrency` instances of the real handler, against a local provider that allows `perSecond`
 * registrations. Shown with progress bars; the provider is stopped before returning.
 */
export async function runLaneDemo(options: LaneDemoOptions): Promise<LaneDemoReport> {
  const run = randomUUID().slice(0, 8);
  const maxConcurrency = options.maxConcurrency ?? 5;
  const idealSeconds = options.tenants / options.perSecond;
  const limitMs = options.limitMs ?? idealSeconds * 3000 + 60_000;
  const sqs = new SQSClient(options.aws);
  const secrets = new SecretsManagerClient(options.aws);
  const ssm = new SSMClient(options.aws);
  const gate: RateLimitGate = createRateLimitGate({ perSecond: options.perSecond });
  let provider: LocalIdentityProvider | undefined;
  let drain: LaneDrain | undefined;
  try {
    provider = await startLocalIdentityProvider({ profile: 'rfc7591', gate });
    const iatSecretId = `dcr-lane/${run}/iat`;
    const configParameterName = `/dcr-lane/${run}/config`;
    const secretNamePrefix = `dcr-lane/${run}/clients/`;
    await seedInitialAccessToken(secrets, iatSecretId, await provider.issueInitialAccessToken());
    await putConfigParameter(ssm, configParameterName, {
      secretNamePrefix,
      defaultTarget: 'lane',
      targets: { lane: { ...localTarget(provider, iatSecretId), rateLimit: { registrationsPerSecond: options.perSecond } } },
    });
    const queues = await createLaneQueues(sqs, `dcr-lane-${run}`, { visibilityTimeoutSeconds: 60, maxReceiveCount: 10 });
    const file = join(options.dir, `lane-${run}.csv`);
    writeFileSync(
      file,
      `tenantId\n${Array.from({ length: options.tenants }, (_, i) => `tenant-${run}-${String(i).padStart(5, '0')}`).join('\n')}\n`,
    );
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL: options.aws.endpoint,
      AWS_REGION: options.aws.region,
      AWS_ACCESS_KEY_ID: options.aws.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: options.aws.credentials.secretAccessKey,
      CONFIG_PARAMETER_NAME: configParameterName,
      LANE_MAX_CONCURRENCY: String(maxConcurrency),
      LANE_QUEUE_URL: queues.queueUrl,
      LANE_QUEUE_ARN: queues.queueArn,
    };
    options.print(
      `• importing ${options.tenants} tenants into the lane; the provider allows ${options.perSecond} registrations/s, ${maxConcurrency} lane instances`,
    );
    // The import first, then the lane drains: on one machine the two would compete for moto's CPU, while
    // in AWS SendMessageBatch is not what bounds the lane (the provider's pace is).
    const importStarted = performance.now();
    const summary: string[] = [];
    // No credentials and no profile: for a loopback endpoint the CLI then uses stand-ins, never real ones.
    const cliEnv = {
      AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL,
      AWS_REGION: env.AWS_REGION,
      CONFIG_PARAMETER_NAME: configParameterName,
      LANE_QUEUE_URL: queues.queueUrl,
    };
    const code = await runCli(['import', file], { stdout: collect(summary), stderr: options.stderr, env: cliEnv });
    if (code !== 0) throw new Error(`dcr import exited ${code}: ${summary.join('').trim()}`);
    const importSeconds = (performance.now() - importStarted) / 1000;
    options.print(`  ✓ ${options.tenants} sent in ${importSeconds.toFixed(1)} s; the lane drains at the provider's pace`);
    const started = performance.now();
    drain = await (options.drain ?? inProcessDrain(sqs))(env, queues);

    const bar = progress(options.stderr, 'registered', options.tenants);
    const idp = provider;
    const deadline = Date.now() + limitMs;
    let drained = false;
    while (!drained && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      bar.update(idp.clientIds().length);
      drained = idp.clientIds().length >= options.tenants && (await depth(sqs, queues.queueUrl)) === 0;
    }
    const elapsedSeconds = (performance.now() - started) / 1000;
    bar.update(idp.clientIds().length);
    bar.finish();
    const poller = await drain.stop();
    drain = undefined;
    const report: LaneDemoReport = {
      tenants: options.tenants,
      perSecond: options.perSecond,
      maxConcurrency,
      importSeconds,
      elapsedSeconds,
      idealSeconds,
      drained,
      throttled: gate.throttled,
      providerClientIds: idp.clientIds(),
      configParameterName,
      secretNamePrefix,
      deadLetters: await depth(sqs, queues.deadLetterUrl),
      poller,
    };
    options.print(
      `  ✓ ${report.providerClientIds.length}/${options.tenants} registered in ${elapsedSeconds.toFixed(1)} s ` +
        `(ideal ${idealSeconds.toFixed(1)} s at ${options.perSecond}/s); 429s ${report.throttled}; dead letters ${report.deadLetters}`,
    );
    return report;
  } finally {
    await drain?.stop().catch(() => undefined);
    await provider?.close();
    sqs.destroy();
    secrets.destroy();
    ssm.destroy();
  }
}

function inProcessDrain(sqs: SQSClient) {
  return (env: Record<string, string>, queues: LaneQueues): LaneDrain => {
    const instances = Array.from({ length: Number(env.LANE_MAX_CONCURRENCY) }, () => {
      const runtime = createAwsRuntime({ ...process.env, ...env });
      return (event: unknown) => dispatch(event, runtime, { awsRequestId: randomUUID() });
    });
    const poller = new LanePoller({ sqs, queueUrl: queues.queueUrl, queueArn: queues.queueArn, instances, batchSize: 10 });
    poller.start();
    return { stop: async () => (await poller.stop(), poller.stats) };
  };
}

async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return Object.values(Attributes).reduce((sum, value) => sum + Number(value ?? 0), 0);
}

function collect(into: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      into.push(String(chunk));
      done();
    },
  });
}
