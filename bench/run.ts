/**
 * `npm run bench`: the function against the physical limit, in one run, on loopback peers
 * (moto_server + an in-process oidc-provider). A script, not a test. See README "Performance".
 *
 * The function runs as the stack deploys it: production bundle, outcome events to an event bus.
 *
 * 1. warm path through `handler` vs the three raw calls, interleaved in one child process;
 * 2. cold init over N fresh `node` processes: production bundle vs the two SDK clients alone;
 * 3. bundle size from the esbuild metafile, SDK external and bundled, with the top contributors;
 * 4. bulk: 1000 tenants at concurrency 50 in one child process, vs the raw baseline, counted in both stores.
 *
 * Knobs (env): BENCH_COLD_N (20), BENCH_WARM_N (150), BENCH_BULK_TENANTS (1000), BENCH_BULK_CONCURRENCY (50),
 * BENCH_BULK_ROUNDS (2, alternating which kind goes first), BENCH_LAMBDA_MEMORY_MB (128), BENCH_POWERTOOLS_DIR (/tmp/pt: where `npm install --prefix` put Powertools Logger).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Builds, buildAll, type BundleSize } from './build.js';
import { childEnv, killLiveChildren, runChild } from './children.js';
import type { ColdReport } from './coldProbe.js';
import { type BenchPeers, startBenchPeers } from './peers.js';
import { coldFigure, coldStarts } from './coldStarts.js';
import { processCpuMs } from './processCpu.js';
import { resultsDocument } from './results.js';
import { coldRow, ratioRow, sizeRow } from './rows.js';
import { kb, median, mib, p95, type Row, renderTable } from './stats.js';
import { countPhase, type StoreCount } from './verify.js';
import type { BulkReport, WarmReport, WorkerJob } from './worker.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

function intFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const settings = {
  coldRounds: intFromEnv('BENCH_COLD_N', 20),
  warmIterations: intFromEnv('BENCH_WARM_N', 150),
  warmup: 20,
  bulkTenants: intFromEnv('BENCH_BULK_TENANTS', 1000),
  bulkConcurrency: intFromEnv('BENCH_BULK_CONCURRENCY', 50),
  bulkRounds: intFromEnv('BENCH_BULK_ROUNDS', 2),
  /** V8 limits as Lambda's Node.js bootstrap sets them for this memory size (semi-space memory/20, old space memory × 0.9). */
  lambdaMemoryMb: intFromEnv('BENCH_LAMBDA_MEMORY_MB', 128),
  powertoolsDir: process.env.BENCH_POWERTOOLS_DIR ?? '/tmp/pt',
  deadlineMs: 295_000,
  lastBulkRoundStartMs: 150_000,
};

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

interface BulkPhase {
  report: BulkReport;
  count: StoreCount;
  /** CPU moto_server spent during the phase: the peer shares the machine's cores with the worker. */
  motoCpuMs: number;
}

async function bulkPhase(
  builds: Builds,
  p: BenchPeers,
  kind: 'handler' | 'baseline',
  round: number,
  env: Record<string, string>,
  variant = '',
): Promise<BulkPhase> {
  const tag = `bulk${round}${kind === 'handler' ? 'h' : 'b'}${variant}`;
  const before = new Set(p.idp.clientIds());
  const job: WorkerJob = { mode: 'bulk', kind, tenants: settings.bulkTenants, concurrency: settings.bulkConcurrency, tag };
  const memory = settings.lambdaMemoryMb;
  const lambdaFlags = [`--max-semi-space-size=${Math.floor(memory / 20)}`, `--max-old-space-size=${memory - Math.floor(memory / 10)}`];
  const motoBefore = await processCpuMs(p.moto.pid);
  const report = await runChild<BulkReport>(builds.worker, [JSON.stringify(job)], env, 120_000, lambdaFlags);
  const motoCpuMs = (await processCpuMs(p.moto.pid)) - motoBefore;
  const prefix = kind === 'handler' ? `${p.prefixes.svc}default/${tag}-` : `${p.prefixes.raw}${tag}-`;
  const count = await countPhase(p.secrets, prefix, before, p.idp.clientIds(), kind === 'handler');
  progress(`bulk ${kind}${variant ? ` (${variant})` : ''} round ${round}: ${report.registered}/${settings.bulkTenants} in ${(report.wallMs / 1000).toFixed(1)}s, peak RSS ${mib(report.maxRssBytes)} MiB`);
  return { report, count, motoCpuMs };
}

async function main(): Promise<void> {
  await mkdir(outDir, { recursive: true });
  progress(`run ${run}: building bundles and starting peers`);
  const [builds, startedPeers] = await Promise.all([buildAll(repo, outDir, settings.powertoolsDir), startBenchPeers(run)]);
  peers = startedPeers;
  const env = childEnv(peers.env);

  progress(`cold init: ${settings.coldRounds} rounds of fresh processes`);
  const cold = await coldStarts(builds, env, settings.coldRounds);

  progress(`warm path: ${settings.warmIterations} + ${settings.warmup} warm-up registrations each, interleaved; with and without an event bus`);
  const warmJob = (tag: string): WorkerJob => ({ mode: 'warm', iterations: settings.warmIterations, warmup: settings.warmup, tag });
  const warm = await runChild<WarmReport>(builds.worker, [JSON.stringify(warmJob('warm'))], env, 120_000);
  // The same without an event bus: what the outcome event (a fourth call) costs on the warm path.
  const { EVENT_BUS_NAME: _bus, ...envWithoutBus } = env;
  const warmNoBus = await runChild<WarmReport>(
    builds.worker,
    [JSON.stringify({ ...warmJob('warmnobus'), iterations: Math.ceil(settings.warmIterations / 2) })],
    envWithoutBus,
    120_000,
  );

  progress(`bulk: ${settings.bulkTenants} tenants at concurrency ${settings.bulkConcurrency}, ${settings.bulkRounds} round(s) each`);
  const bulk: { handler: BulkPhase[]; handlerNoBus: BulkPhase[]; baseline: BulkPhase[] } = { handler: [], handlerNoBus: [], baseline: [] };
  for (let r = 0; r < settings.bulkRounds; r++) {
    // A second round (reversed order, to cancel moto slowing as it fills) only while the time bound allows.
    if (r > 0 && performance.now() - started > settings.lastBulkRoundStartMs) {
      progress(`skipping bulk round ${r}: past ${settings.lastBulkRoundStartMs / 1000}s on this machine`);
      break;
    }
    const order: (keyof typeof bulk)[] = r % 2 === 0 ? ['baseline', 'handler', 'handlerNoBus'] : ['handlerNoBus', 'handler', 'baseline'];
    for (const kind of order) {
      bulk[kind].push(
        kind === 'handlerNoBus'
          ? await bulkPhase(builds, peers, 'handler', r, envWithoutBus, 'nobus')
          : await bulkPhase(builds, peers, kind, r, env),
      );
    }
  }

  const init = (r: ColdReport) => r.initMs;
  const initAndFirst = (r: ColdReport) => r.initMs + r.firstMs;
  const throughput = (phases: BulkPhase[]) =>
    phases.reduce((sum, p) => sum + p.report.registered, 0) / (phases.reduce((sum, p) => sum + p.report.wallMs, 0) / 1000);
  const peakRss = (phases: BulkPhase[]) => Math.max(...phases.map((p) => p.report.maxRssBytes));
  const cpuPerRegistration = (phases: BulkPhase[]) =>
    phases.reduce((sum, p) => sum + p.report.cpuMs, 0) / Math.max(1, phases.reduce((sum, p) => sum + p.report.registered, 0));
  const motoCpuPerRegistration = (phases: BulkPhase[]) =>
    phases.reduce((sum, p) => sum + p.motoCpuMs, 0) / Math.max(1, phases.reduce((sum, p) => sum + p.report.registered, 0));
  // A failure is a tenant without a stored client after Lambda's retries, counted in moto, or a reported error.
  const finalFailures = (phases: BulkPhase[]) =>
    phases.reduce((sum, p) => sum + Math.max(p.report.failures.length, settings.bulkTenants - p.count.registered), 0);
  const failures = warm.failures.length + warmNoBus.failures.length + finalFailures(bulk.handler) + finalFailures(bulk.handlerNoBus);
  const retried = (phases: BulkPhase[]) => phases.reduce((sum, p) => sum + p.report.firstAttemptFailures, 0);
  const duplicates = [...bulk.handler, ...bulk.handlerNoBus].reduce((sum, p) => sum + p.count.duplicates + p.count.unknownClientIds, 0);
  const sizes = builds.sizes;
  const peak = peakRss([...bulk.handler, ...bulk.handlerNoBus]);

  const rows: Row[] = [
    // Like for like: with an event bus the function must also make PutEvents, so its baseline does too.
    ratioRow('warm median, no event bus (vs 3 raw calls)', 'ms', median(warmNoBus.handlerMs), median(warmNoBus.baselineMs), { max: 1.1 }),
    ratioRow('warm p95, no event bus (vs 3 raw calls)', 'ms', p95(warmNoBus.handlerMs), p95(warmNoBus.baselineMs), { max: 1.1 }),
    ratioRow('warm median, event bus (vs 3 raw + PutEvents)', 'ms', median(warm.handlerMs), median(warm.baselineWithEventMs), { max: 1.1 }),
    ratioRow('warm median, event bus (vs 3 raw calls only)', 'ms', median(warm.handlerMs), median(warm.baselineMs)),
    ratioRow(
      'warm CPU per registration',
      'ms',
      warm.handlerCpuMs / Math.max(1, warm.handlerMs.length),
      warm.baselineCpuMs / Math.max(1, warm.baselineMs.length),
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
    ratioRow('bulk throughput, no event bus', 'reg/s', throughput(bulk.handlerNoBus), throughput(bulk.baseline), { min: 0.9 }),
    // moto is single-threaded: a fourth call per tenant (PutEvents) costs throughput there, not in our code.
    ratioRow('bulk throughput, event bus (vs 3 raw calls)', 'reg/s', throughput(bulk.handler), throughput(bulk.baseline)),
    {
      ...ratioRow(`bulk peak RSS (V8 limits of ${settings.lambdaMemoryMb} MB)`, 'MiB', mib(peak), mib(peakRss(bulk.baseline))),
      target: '≤ 128 MiB',
      pass: peak <= 128 * 1024 * 1024,
    },
    ratioRow('bulk CPU per registration, no event bus', 'ms', cpuPerRegistration(bulk.handlerNoBus), cpuPerRegistration(bulk.baseline)),
    ratioRow('bulk moto_server CPU per registration, no bus', 'ms', motoCpuPerRegistration(bulk.handlerNoBus), motoCpuPerRegistration(bulk.baseline)),
    { figure: 'bulk first attempts retried (peer errors)', value: retried(bulk.handler), baseline: retried(bulk.baseline) },
    { figure: 'failures after retries (warm + bulk)', value: failures, baseline: finalFailures(bulk.baseline), target: '0', pass: failures === 0 },
    { figure: 'duplicates (provider store, moto)', value: duplicates, target: '0', pass: duplicates === 0 },
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
    `machine: ${os.cpus().length} cores, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
      `samples: warm ${warm.handlerMs.length}+${warm.baselineMs.length}, cold ${settings.coldRounds} rounds (ratio = median of per-round ratios), bulk ${bulk.handler.length} round(s) × 3 kinds`,
  ];
  console.log(lines.join('\n'));

  const results = resultsDocument({ run, settings, rows, warm, warmNoBus, cold, sizes, bulk, durationMs: performance.now() - started });
  await writeFile(join(repo, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  progress(`done in ${((performance.now() - started) / 1000).toFixed(1)}s; wrote bench/results.json`);
  if (warm.failures.length || bulk.handler.some((p) => p.report.failures.length)) {
    console.error('first failures:', [...warm.failures, ...bulk.handler.flatMap((p) => p.report.failures)].slice(0, 5));
  }
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
