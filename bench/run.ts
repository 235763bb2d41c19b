/**
 * `npm run bench`: the function against the physical limit, in one run, on loopback peers
 * (moto_server + an in-process oidc-provider). A script, not a test. See README "Performance".
 *
 * The function runs as the stack deploys it: production bundle, outcome events to an event bus.
 *
 * 1. warm path through `handler` vs the three raw calls (and, without a bus, vs four: the management secret too), interleaved in one child process;
 * 2. cold init over N fresh `node` processes: production bundle vs the two SDK clients alone;
 * 3. bundle size from the esbuild metafile, SDK external and bundled, with the top contributors;
 * 4. bulk: 1000 tenants at concurrency 50 in one child process. Throughput: the function and the raw
 *    baseline in one worker, in alternating blocks (ABBA), with and without an event bus. Then each kind
 *    alone in its own worker for peak RSS, failures and duplicates, counted in both stores.
 *
 * 5. lane: 2000 tenants imported with `dcr import` into an SQS lane, drained by a separate poller process
 *    (5 handler instances) against a provider allowing 25 registrations/s (429 + Retry-After beyond):
 *    lost, duplicate, orphan, DLQ, lane.durationRatio, lane.throttledShare, poller peak RSS (bench/lane.ts).
 *    `npm run bench -- lane` runs this scenario alone and updates only `lane` in bench/results.json.
 *
 * moto runs with O(1) secret lookup (bench/moto_indexed_secrets.py; see there why); BENCH_MOTO=stock
 * runs plain moto_server. Every phase starts on freshly seeded AWS state.
 *
 * Knobs (env): BENCH_COLD_N (20), BENCH_WARM_N (400), BENCH_BULK_TENANTS (1000), BENCH_BULK_CONCURRENCY (50),
 * BENCH_BULK_BLOCKS (2 per kind: fewer block tails, where concurrency runs down), BENCH_LAMBDA_MEMORY_MB (128), BENCH_MOTO (indexed | stock),
 * BENCH_POWERTOOLS_DIR (/tmp/pt: where `npm install --prefix` put Powertools Logger), BENCH_LANE_TENANTS (2000),
 * BENCH_LANE_RATE (25 registrations/s).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { buildAll, type BundleSize } from './build.js';
import { laneRows, laneScenario } from './lane.js';
import { type BulkSettings, bulkAlone, bulkInterleaved } from './bulk.js';
import { childEnv, killLiveChildren, runChild } from './children.js';
import type { ColdReport } from './coldProbe.js';
import { type BenchPeers, startBenchPeers } from './peers.js';
import { coldFigure, coldStarts } from './coldStarts.js';
import { resultsDocument } from './results.js';
import { coldRow, ratioRow, sizeRow } from './rows.js';
import { kb, median, mib, p95, type Row, renderTable } from './stats.js';
import type { InterleavedReport, WarmReport, WorkerJob } from './worker.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const settings = {
  coldRounds: intFromEnv('BENCH_COLD_N', 20),
  warmIterations: intFromEnv('BENCH_WARM_N', 400),
  warmup: 20,
  bulkTenants: intFromEnv('BENCH_BULK_TENANTS', 1000),
  bulkConcurrency: intFromEnv('BENCH_BULK_CONCURRENCY', 50),
  bulkBlocks: intFromEnv('BENCH_BULK_BLOCKS', 2),
  /** The bulk workers get the V8 heap limits of a Lambda function of this memory size. */
  lambdaMemoryMb: intFromEnv('BENCH_LAMBDA_MEMORY_MB', 128),
  moto: process.env.BENCH_MOTO === 'stock' ? 'stock' : 'indexed',
  powertoolsDir: process.env.BENCH_POWERTOOLS_DIR ?? '/tmp/pt',
  laneTenants: intFromEnv('BENCH_LANE_TENANTS', 2000),
  laneRate: intFromEnv('BENCH_LANE_RATE', 25),
  laneConcurrency: 5,
  laneOnly: process.argv.slice(2).includes('lane'),
  deadlineMs: 295_000,
};
// The lane scenario takes its ideal time (tenants / rate) and a bounded margin on top of the rest.
const laneBudgetMs = (settings.laneTenants / settings.laneRate) * 2000 + 90_000;
settings.deadlineMs = (settings.laneOnly ? 30_000 : settings.deadlineMs) + laneBudgetMs;

const run = randomUUID().slice(0, 8);
const outDir = join(repo, '.tmp', `bench-${run}`);
let peers: BenchPeers | undefined;

async function cleanup(): Promise<void> {
  killLiveChildren();
  await peers?.stop();
  peers = undefined;
  await rm(outDir, { recursive: true, force: true });
}

function progress(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

const started = performance.now();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping everything`);
    void cleanup().finally(() => process.exit(130));
  });
}
const deadline = setTimeout(() => {
  progress(`over the ${settings.deadlineMs / 1000}s bound: stopping everything`);
  void cleanup().finally(() => process.exit(2));
}, settings.deadlineMs);
deadline.unref();

function runLane(motoLauncher: string | undefined) {
  progress(
    `lane: ${settings.laneTenants} tenants through the SQS lane, provider at ${settings.laneRate}/s, maxConcurrency ${settings.laneConcurrency}`,
  );
  return laneScenario(
    { tenants: settings.laneTenants, perSecond: settings.laneRate, maxConcurrency: settings.laneConcurrency, motoLauncher },
    (line) => progress(line.trim()),
  );
}

/** `npm run bench -- lane`: the lane scenario alone; the rest of bench/results.json is kept. */
async function laneOnly(motoLauncher: string | undefined): Promise<void> {
  const lane = await runLane(motoLauncher);
  console.log(['', renderTable(laneRows(lane))].join('\n'));
  const path = join(repo, 'bench/results.json');
  const previous = await readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => ({}),
  );
  await writeFile(
    path,
    `${JSON.stringify({ ...previous, lane: { run, date: new Date().toISOString(), rows: laneRows(lane), ...lane } }, null, 2)}\n`,
  );
  progress(`done in ${((performance.now() - started) / 1000).toFixed(1)}s; wrote lane in bench/results.json`);
}

async function main(): Promise<void> {
  if (settings.laneOnly) {
    await laneOnly(settings.moto === 'indexed' ? join(repo, 'bench/moto_indexed_secrets.py') : undefined);
    return;
  }
  await mkdir(outDir, { recursive: true });
  progress(`run ${run}: building bundles and starting peers`);
  const motoLauncher = settings.moto === 'indexed' ? join(repo, 'bench/moto_indexed_secrets.py') : undefined;
  const [builds, startedPeers] = await Promise.all([
    buildAll(repo, outDir, settings.powertoolsDir),
    startBenchPeers(run, { motoLauncher }),
  ]);
  peers = startedPeers;
  const env = childEnv(peers.env);

  progress(`cold init: ${settings.coldRounds} rounds of fresh processes`);
  const cold = await coldStarts(builds, env, settings.coldRounds);

  progress(
    `warm path: ${settings.warmIterations} + ${settings.warmup} warm-up registrations each, interleaved; with and without an event bus`,
  );
  const warmJob = (tag: string, twoSecrets = false): WorkerJob => ({
    mode: 'warm',
    iterations: settings.warmIterations,
    warmup: settings.warmup,
    tag,
    twoSecrets,
  });
  await peers.resetAws();
  const warm = await runChild<WarmReport>(builds.worker, [JSON.stringify(warmJob('warm'))], env, 120_000);
  // The same without an event bus: what the outcome event (a fourth call) costs on the warm path.
  const { EVENT_BUS_NAME: _bus, ...envWithoutBus } = env;
  await peers.resetAws();
  const warmNoBus = await runChild<WarmReport>(builds.worker, [JSON.stringify(warmJob('warmnobus', true))], envWithoutBus, 120_000);

  const bulkSettings: BulkSettings = {
    tenants: settings.bulkTenants,
    concurrency: settings.bulkConcurrency,
    blocks: settings.bulkBlocks,
    lambdaMemoryMb: settings.lambdaMemoryMb,
  };
  progress(
    `bulk throughput: ${settings.bulkTenants} tenants of each kind at concurrency ${settings.bulkConcurrency}, ${settings.bulkBlocks} alternating blocks each`,
  );
  const interleaved = await bulkInterleaved(builds.worker, peers, 'ilv', envWithoutBus, bulkSettings, false);
  const interleavedBus = await bulkInterleaved(builds.worker, peers, 'ilvbus', env, bulkSettings, true);
  for (const [label, phase] of [
    ['no bus', interleaved],
    ['event bus', interleavedBus],
  ] as const) {
    const r = phase.report;
    progress(
      `  ${label}: function ${r.handler.registered} in ${(r.handler.wallMs / 1000).toFixed(1)}s, baseline ${r.baseline.registered} in ${(r.baseline.wallMs / 1000).toFixed(1)}s, block ratios ${r.pairRatios.map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
  progress('bulk alone: each kind in its own worker, for peak RSS, failures and duplicates');
  const alone = {
    handlerNoBus: await bulkAlone(builds.worker, peers, 'handler', 'alonenobus', envWithoutBus, bulkSettings),
    handler: await bulkAlone(builds.worker, peers, 'handler', 'alone', env, bulkSettings),
    baseline: await bulkAlone(builds.worker, peers, 'baseline', 'aloneraw', envWithoutBus, bulkSettings),
  };
  for (const [kind, phase] of Object.entries(alone)) {
    progress(
      `  ${kind}: ${phase.report.registered}/${settings.bulkTenants} in ${(phase.report.wallMs / 1000).toFixed(1)}s, peak RSS ${mib(phase.report.maxRssBytes)} MiB`,
    );
  }

  // Its own moto_server and provider; the peers above stay idle meanwhile.
  const lane = await runLane(motoLauncher);

  const init = (r: ColdReport) => r.initMs;
  const initAndFirst = (r: ColdReport) => r.initMs + r.firstMs;
  const throughput = (side: InterleavedReport['handler']) => side.registered / (side.wallMs / 1000);
  const perRegistration = (ms: number, registered: number) => ms / Math.max(1, registered);
  // A failure is a tenant without a stored client after Lambda's retries, counted in moto, or a reported error.
  const checked = [interleaved, interleavedBus, alone.handler, alone.handlerNoBus];
  const failures =
    warm.failures.length +
    warmNoBus.failures.length +
    checked.reduce((sum, p) => sum + Math.max(p.report.failures.length, settings.bulkTenants - p.count.registered), 0);
  const duplicates = checked.reduce((sum, p) => sum + p.count.duplicates + p.count.unknownClientIds, 0);
  const sizes = builds.sizes;
  const peak = Math.max(alone.handler.report.maxRssBytes, alone.handlerNoBus.report.maxRssBytes);

  const rows: Row[] = [
    // Like for like: with an event bus the function must also make PutEvents, so its baseline does too.
    ratioRow('warm median, no event bus (vs 3 raw calls)', 'ms', median(warmNoBus.handlerMs), median(warmNoBus.baselineMs), { max: 1.1 }),
    ratioRow('warm p95, no event bus (vs 3 raw calls)', 'ms', p95(warmNoBus.handlerMs), p95(warmNoBus.baselineMs), { max: 1.1 }),
    // Like for like since a registration writes two secrets (docs/secret-contract.md): information only.
    ratioRow(
      'warm median, no event bus (vs 4 raw calls: two secrets)',
      'ms',
      median(warmNoBus.handlerMs),
      median(warmNoBus.baselineTwoSecretsMs),
    ),
    ratioRow('warm median, event bus (vs 3 raw + PutEvents)', 'ms', median(warm.handlerMs), median(warm.baselineWithEventMs), { max: 1.1 }),
    ratioRow('warm p95, event bus (vs 3 raw + PutEvents)', 'ms', p95(warm.handlerMs), p95(warm.baselineWithEventMs), { max: 1.1 }),
    ratioRow('warm median, event bus (vs 3 raw calls only)', 'ms', median(warm.handlerMs), median(warm.baselineMs)),
    ratioRow(
      'warm CPU per registration, no event bus',
      'ms',
      warmNoBus.handlerCpuMs / Math.max(1, warmNoBus.handlerMs.length),
      warmNoBus.baselineCpuMs / Math.max(1, warmNoBus.baselineMs.length),
    ),
    coldRow('cold init, SDK bundled', coldFigure(cold, 'handler', 'baseline', init), 1.25),
    coldRow('cold init, SDK external', coldFigure(cold, 'handlerExternal', 'baselineExternal', init)),
    coldRow('cold init + 1st invocation, bundled', coldFigure(cold, 'handler', 'baseline', initAndFirst)),
    coldRow('cold init, zod classic vs mini', coldFigure(cold, 'handlerZodClassic', 'handler', init)),
    ratioRow(
      'RSS after 1st invocation',
      'MiB',
      mib(coldFigure(cold, 'handler', 'baseline', (r) => r.rssBytes).value),
      mib(coldFigure(cold, 'handler', 'baseline', (r) => r.rssBytes).baseline),
    ),
    sizeRow('bundle, SDK external', sizes.handlerExternal, 60),
    sizeRow('bundle, SDK bundled (vs SDK only)', sizes.handlerBundled, 600, sizes.baselineBundled),
    sizeRow('bundle ext., zod classic (vs mini)', sizes.zodClassicExternal, undefined, sizes.handlerExternal),
    ...(sizes.powertoolsLogger ? [sizeRow('logger alone: Powertools (vs ours)', sizes.powertoolsLogger, undefined, sizes.ourLogger)] : []),
    ratioRow(
      'bulk throughput, no event bus (interleaved)',
      'reg/s',
      throughput(interleaved.report.handler),
      throughput(interleaved.report.baseline),
      { min: 0.9 },
    ),
    { figure: '  per block pair (ABBA order)', value: interleaved.report.pairRatios.map((x) => x.toFixed(2)).join(', ') },
    ratioRow(
      'bulk throughput, event bus (vs 3 raw + PutEvents)',
      'reg/s',
      throughput(interleavedBus.report.handler),
      throughput(interleavedBus.report.baseline),
    ),
    ratioRow(
      'bulk CPU per registration, no bus (worker)',
      'ms',
      perRegistration(interleaved.report.handler.cpuMs, interleaved.report.handler.registered),
      perRegistration(interleaved.report.baseline.cpuMs, interleaved.report.baseline.registered),
    ),
    ratioRow(
      'bulk moto_server CPU per registration, alone',
      'ms',
      perRegistration(alone.handlerNoBus.motoCpuMs, alone.handlerNoBus.report.registered),
      perRegistration(alone.baseline.motoCpuMs, alone.baseline.report.registered),
    ),
    {
      ...ratioRow(`bulk peak RSS (V8 limits of ${settings.lambdaMemoryMb} MB)`, 'MiB', mib(peak), mib(alone.baseline.report.maxRssBytes)),
      target: '≤ 128 MiB',
      pass: peak <= 128 * 1024 * 1024,
    },
    {
      figure: 'bulk first attempts retried (peer errors)',
      value: interleaved.report.firstAttemptFailures + alone.handlerNoBus.report.firstAttemptFailures,
      baseline: alone.baseline.report.firstAttemptFailures,
    },
    { figure: 'failures after retries (warm + bulk)', value: failures, target: '0', pass: failures === 0 },
    { figure: 'duplicates (provider store, moto)', value: duplicates, target: '0', pass: duplicates === 0 },
    ...laneRows(lane),
  ];

  const table = renderTable(rows);
  const contributors = (label: string, size: BundleSize) =>
    `${label}: ${size.contributors.map((c) => `${c.name} ${kb(c.bytes)}`).join(', ')}`;
  const lines = [
    '',
    table,
    '',
    'top contributors (KB in output):',
    contributors('  SDK external', sizes.handlerExternal),
    contributors('  SDK bundled ', sizes.handlerBundled),
    '',
    `machine: ${os.cpus().length} cores, node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ` +
      `samples: warm ${warm.handlerMs.length}+${warm.baselineMs.length}, cold ${settings.coldRounds} rounds (ratio = median of per-round ratios), ` +
      `bulk ${settings.bulkTenants} per kind in ${settings.bulkBlocks} blocks; moto ${settings.moto}`,
  ];
  console.log(lines.join('\n'));

  const results = {
    ...resultsDocument({
      run,
      settings,
      rows,
      warm,
      warmNoBus,
      cold,
      sizes,
      interleaved: { noBus: interleaved, eventBus: interleavedBus },
      alone,
      durationMs: performance.now() - started,
    }),
    lane,
  };
  await writeFile(join(repo, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  progress(`done in ${((performance.now() - started) / 1000).toFixed(1)}s; wrote bench/results.json`);
  const reported = [
    ...warm.failures,
    ...warmNoBus.failures,
    ...interleaved.report.failures,
    ...interleavedBus.report.failures,
    ...alone.handler.report.failures,
    ...alone.handlerNoBus.report.failures,
  ];
  if (reported.length) console.error('first failures:', reported.slice(0, 5));
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
