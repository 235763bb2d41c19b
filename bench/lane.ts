import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type LaneDemoReport, type LaneDrain, runLaneDemo } from '../sandbox/laneDemo.js';
import type { LanePollerStats } from '../sandbox/lanePoller.js';
import { startMotoServer } from '../sandbox/motoServer.js';
import { childEnv, liveChildren } from './children.js';
import { mib, type Row, round } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface LaneSettings {
  tenants: number;
  perSecond: number;
  maxConcurrency: number;
  motoLauncher?: string;
}

export interface LaneResult {
  settings: LaneSettings;
  lost: number;
  duplicate: number;
  orphan: number;
  deadLetters: number;
  elapsedSeconds: number;
  importSeconds: number;
  idealSeconds: number;
  durationRatio: number;
  throttled: number;
  throttledShare: number;
  peakRssBytes: number;
  poller: LanePollerStats;
}

/**
 * The `lane` scenario: `tenants` imported with `dcr import` into an SQS lane on its own moto_server,
 * drained by a separate poller process (5 handler instances, as MaximumConcurrency 5) against a local
 * provider that allows `perSecond` registrations and answers 429 + Retry-After beyond.
 * elapsed runs from the start of the poller process (after the import, timed apart) until every tenant is registered and the lane is empty.
 */
export async function laneScenario(settings: LaneSettings, progress: (message: string) => void): Promise<LaneResult> {
  const moto = await startMotoServer({ launcher: settings.motoLauncher });
  const aws = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const secrets = new SecretsManagerClient(aws);
  const dir = await mkdtemp(join(tmpdir(), 'bench-lane-'));
  try {
    const report = await runLaneDemo({
      aws,
      dir,
      tenants: settings.tenants,
      perSecond: settings.perSecond,
      maxConcurrency: settings.maxConcurrency,
      stderr: process.stderr,
      print: progress,
      drain: pollerProcess,
      limitMs: (settings.tenants / settings.perSecond) * 2000 + 60_000,
    });
    return await verify(report, secrets, settings);
  } finally {
    secrets.destroy();
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** bench/laneWorker.ts in its own node (tsx loader), so its RSS is the poller's and the handlers' alone. */
async function pollerProcess(env: Record<string, string>): Promise<LaneDrain> {
  const child = fork(join(here, 'laneWorker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: childEnv(env),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  liveChildren.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (liveChildren.delete(child), resolve())));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the lane poller process exited (${code}) before it was ready`)));
  });
  return {
    async stop() {
      const report = new Promise<LanePollerStats & { peakRssBytes: number }>((resolve, reject) => {
        child.on('message', (message) => {
          const stats = (message as { stats?: LanePollerStats & { peakRssBytes: number } }).stats;
          if (stats) resolve(stats);
        });
        child.once('exit', () => reject(new Error('the lane poller process exited without a report')));
      });
      child.send({ stop: true });
      const stats = await report;
      await exited;
      return stats;
    },
  };
}

async function verify(report: LaneDemoReport, secrets: SecretsManagerClient, settings: LaneSettings): Promise<LaneResult> {
  const stored: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await secrets.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [report.secretNamePrefix] }], MaxResults: 100, NextToken }),
    );
    for (const entry of page.SecretList ?? []) {
      const record = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: entry.ARN }))).SecretString ?? '{}');
      if (record.dcr_status === 'registered' && typeof record.client_id === 'string') stored.push(record.client_id);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const storedIds = new Set(stored);
  const providerIds = new Set(report.providerClientIds);
  return {
    settings,
    lost: settings.tenants - storedIds.size,
    // A tenant registered twice leaves a second client at the provider (or a second stored record).
    duplicate: stored.length - storedIds.size + Math.max(0, report.providerClientIds.length - settings.tenants),
    orphan: [...providerIds].filter((id) => !storedIds.has(id)).length,
    deadLetters: report.deadLetters,
    elapsedSeconds: round(report.elapsedSeconds, 2),
    importSeconds: round(report.importSeconds, 2),
    idealSeconds: report.idealSeconds,
    durationRatio: round(report.elapsedSeconds / report.idealSeconds, 3),
    throttled: report.throttled,
    throttledShare: round(report.throttled / settings.tenants, 4),
    peakRssBytes: report.poller.peakRssBytes ?? 0,
    poller: report.poller,
  };
}

export function laneRows(lane: LaneResult): Row[] {
  const { tenants, perSecond, maxConcurrency } = lane.settings;
  const zero = (figure: string, value: number): Row => ({ figure, value, target: '0', pass: value === 0 });
  return [
    zero(`lane: lost (${tenants} tenants, ${perSecond}/s, maxConcurrency ${maxConcurrency})`, lane.lost),
    zero('lane: duplicate', lane.duplicate),
    zero('lane: orphan', lane.orphan),
    zero('lane: in the DLQ', lane.deadLetters),
    {
      figure: `lane.durationRatio (elapsed / ${tenants}/${perSecond} s)`,
      value: `${lane.elapsedSeconds} s`,
      baseline: `${lane.idealSeconds} s`,
      ratio: lane.durationRatio,
      target: 'ratio ≤ 1.15',
      pass: lane.durationRatio <= 1.15,
    },
    {
      figure: 'lane.throttledShare (429s / tenants)',
      value: `${lane.throttled} (${lane.throttledShare})`,
      target: '≤ 0.02',
      pass: lane.throttledShare <= 0.02,
    },
    { figure: 'lane: poller process peak RSS', value: `${mib(lane.peakRssBytes)} MiB` },
  ];
}
