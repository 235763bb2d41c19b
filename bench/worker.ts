/**
 * Child-process side of the benchmark (bundled by esbuild into a temp dir, like the function). It runs
 * the function's real handler or the raw baseline against the peers named in its environment and
 * reports through the IPC channel; the function's log lines go to this process's stdout.
 */
import { eventBridgeEvent, httpApiEvent } from '../sandbox/lambdaEvents.js';

export type WorkerJob =
  | {
      mode: 'warm';
      iterations: number;
      warmup: number;
      tag: string;
      /** Also time the raw calls with a second CreateSecret (the management secret): `baselineTwoSecretsMs`. */
      twoSecrets?: boolean;
    }
  | { mode: 'bulk'; kind: 'handler' | 'baseline'; tenants: number; concurrency: number; tag: string }
  | { mode: 'interleaved'; tenants: number; concurrency: number; blocks: number; tag: string; outcomeEvent: boolean };

export interface WarmReport {
  handlerMs: number[];
  baselineMs: number[];
  /** The raw calls plus the outcome event's PutEvents (only when `EVENT_BUS_NAME` is set). */
  baselineWithEventMs: number[];
  /** The raw calls with the management secret's CreateSecret as well (only for a `twoSecrets` job). */
  baselineTwoSecretsMs: number[];
  /** CPU time of this process spent in the timed registrations, ms (less sensitive to a loaded machine than wall time). */
  handlerCpuMs: number;
  baselineCpuMs: number;
  failures: string[];
}

export interface BulkReport {
  kind: 'handler' | 'baseline';
  wallMs: number;
  registered: number;
  /** Registrations that still failed after Lambda's two async retries. */
  failures: string[];
  /** First attempts that failed (retryable peer errors included): what Lambda would have retried. */
  firstAttemptFailures: number;
  /** Peak resident set size of this process over its life, bytes. */
  maxRssBytes: number;
  cpuMs: number;
  heapUsedBytes: number;
}

/** Both kinds in one process, in alternating blocks: drift of a shared machine hits both alike. */
export interface InterleavedReport {
  handler: { wallMs: number; registered: number; cpuMs: number };
  baseline: { wallMs: number; registered: number; cpuMs: number };
  /** Per pair of neighbouring blocks: handler throughput / baseline throughput. */
  pairRatios: number[];
  failures: string[];
  firstAttemptFailures: number;
}

type Handler = (event: unknown, context?: { awsRequestId: string }) => Promise<unknown>;
type RegisterRaw = (tenantId: string, options?: { outcomeEvent?: boolean; managementSecret?: boolean }) => Promise<string>;

async function loadHandler(): Promise<Handler> {
  return ((await import('../functions/register/handler.js')) as { handler: Handler }).handler;
}

async function loadBaseline(): Promise<RegisterRaw> {
  return (await import('./baseline.js')).registerRaw;
}

let requestCounter = 0;

async function viaHttpApi(handler: Handler, tenantId: string): Promise<void> {
  const event = httpApiEvent({
    method: 'POST',
    path: '/registrations',
    body: JSON.stringify({ tenantId, client: { client_name: tenantId } }),
  });
  const result = (await handler(event, { awsRequestId: `bench-${++requestCounter}` })) as { statusCode?: number; body?: string };
  if (result.statusCode !== 201) throw new Error(`HTTP ${result.statusCode}: ${result.body?.slice(0, 200)}`);
}

async function viaEventBridge(handler: Handler, tenantId: string): Promise<void> {
  const event = eventBridgeEvent('TenantOnboarded', { tenantId, client: { client_name: tenantId } });
  const result = (await handler(event, { awsRequestId: `bench-${++requestCounter}` })) as { status?: string; error?: string };
  if (result.status !== 'registered') throw new Error(`outcome ${result.status}: ${result.error ?? ''}`);
}

async function timed(work: () => Promise<unknown>, into: number[], failures: string[], cpu?: { ms: number }): Promise<void> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  try {
    await work();
    into.push(performance.now() - start);
  } catch (error) {
    failures.push(describe(error));
  } finally {
    if (cpu) {
      const used = process.cpuUsage(cpuStart);
      cpu.ms += (used.user + used.system) / 1000;
    }
  }
}

function describe(error: unknown): string {
  return String((error as Error).message ?? error).slice(0, 300);
}

/**
 * Lambda invokes EventBridge targets asynchronously and retries a thrown error twice; the function
 * relies on that for retryable failures. The bulk run does the same (with short delays).
 */
async function withAsyncRetries(work: () => Promise<unknown>, onFirstFailure: () => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await work();
      return;
    } catch (error) {
      if (attempt === 0) onFirstFailure();
      if (attempt === 2) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
    }
  }
}

/** One registration at a time, the kinds rotating each iteration so drift hits all alike. */
async function warm(job: Extract<WorkerJob, { mode: 'warm' }>): Promise<WarmReport> {
  const [handler, registerRaw] = await Promise.all([loadHandler(), loadBaseline()]);
  const report: WarmReport = {
    handlerMs: [],
    baselineMs: [],
    baselineWithEventMs: [],
    baselineTwoSecretsMs: [],
    handlerCpuMs: 0,
    baselineCpuMs: 0,
    failures: [],
  };
  const handlerCpu = { ms: 0 };
  const baselineCpu = { ms: 0 };
  const scratch: number[] = [];
  for (let i = 0; i < job.warmup; i++) {
    await timed(() => viaHttpApi(handler, `${job.tag}-wh${i}`), scratch, report.failures);
    await timed(() => registerRaw(`${job.tag}-wb${i}`), scratch, report.failures);
  }
  for (let i = 0; i < job.iterations; i++) {
    const kinds = [
      () => timed(() => viaHttpApi(handler, `${job.tag}-h${i}`), report.handlerMs, report.failures, handlerCpu),
      () => timed(() => registerRaw(`${job.tag}-b${i}`), report.baselineMs, report.failures, baselineCpu),
      ...(process.env.EVENT_BUS_NAME
        ? [() => timed(() => registerRaw(`${job.tag}-e${i}`, { outcomeEvent: true }), report.baselineWithEventMs, report.failures)]
        : []),
      ...(job.twoSecrets
        ? [() => timed(() => registerRaw(`${job.tag}-m${i}`, { managementSecret: true }), report.baselineTwoSecretsMs, report.failures)]
        : []),
    ];
    for (let k = 0; k < kinds.length; k++) await kinds[(i + k) % kinds.length]?.();
  }
  report.handlerCpuMs = handlerCpu.ms;
  report.baselineCpuMs = baselineCpu.ms;
  return report;
}

interface Batch {
  wallMs: number;
  registered: number;
  cpuMs: number;
  failures: string[];
  firstAttemptFailures: number;
}

/** `tenantIds` registered with `concurrency` in flight, each with Lambda's async retries. */
async function runBatch(
  register: (tenantId: string) => Promise<unknown>,
  tenantIds: readonly string[],
  concurrency: number,
): Promise<Batch> {
  const failures: string[] = [];
  const latencies: number[] = [];
  let firstAttemptFailures = 0;
  let next = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tenantIds.length) {
        const tenantId = tenantIds[next++] as string;
        await timed(
          () =>
            withAsyncRetries(
              () => register(tenantId),
              () => firstAttemptFailures++,
            ),
          latencies,
          failures,
        );
      }
    }),
  );
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs, registered: latencies.length, cpuMs: (cpu.user + cpu.system) / 1000, failures, firstAttemptFailures };
}

const ids = (tag: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${tag}-${from + i}`);

/** `tenants` registrations, `concurrency` in flight, in this one process (one container's worth of code). */
async function bulk(job: Extract<WorkerJob, { mode: 'bulk' }>): Promise<BulkReport> {
  const register: (tenantId: string) => Promise<unknown> =
    job.kind === 'handler' ? await loadHandler().then((h) => (id: string) => viaEventBridge(h, id)) : await loadBaseline();
  const batch = await runBatch(register, ids(job.tag, 0, job.tenants), job.concurrency);
  return {
    kind: job.kind,
    ...batch,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: process.memoryUsage().heapUsed,
  };
}

/**
 * `tenants` of each kind in `blocks` blocks per kind, alternating handler and baseline in ABBA order
 * (h b b h h b …) so that a machine getting slower or faster during the run favours neither. Tenants
 * are `${tag}h-N` and `${tag}b-N`.
 */
async function interleaved(job: Extract<WorkerJob, { mode: 'interleaved' }>): Promise<InterleavedReport> {
  const [handler, registerRaw] = await Promise.all([loadHandler(), loadBaseline()]);
  const registers = {
    handler: (id: string) => viaEventBridge(handler, id),
    baseline: (id: string) => registerRaw(id, { outcomeEvent: job.outcomeEvent }),
  };
  const report: InterleavedReport = {
    handler: { wallMs: 0, registered: 0, cpuMs: 0 },
    baseline: { wallMs: 0, registered: 0, cpuMs: 0 },
    pairRatios: [],
    failures: [],
    firstAttemptFailures: 0,
  };
  const perBlock = Math.ceil(job.tenants / job.blocks);
  for (let block = 0; block < job.blocks; block++) {
    const from = block * perBlock;
    const count = Math.min(perBlock, job.tenants - from);
    const order = block % 2 === 0 ? (['handler', 'baseline'] as const) : (['baseline', 'handler'] as const);
    const throughput: Record<string, number> = {};
    for (const kind of order) {
      const batch = await runBatch(registers[kind], ids(`${job.tag}${kind[0]}`, from, count), job.concurrency);
      report[kind].wallMs += batch.wallMs;
      report[kind].registered += batch.registered;
      report[kind].cpuMs += batch.cpuMs;
      report.failures.push(...batch.failures);
      if (kind === 'handler') report.firstAttemptFailures += batch.firstAttemptFailures;
      throughput[kind] = batch.registered / batch.wallMs;
    }
    report.pairRatios.push((throughput.handler ?? 0) / (throughput.baseline ?? 1));
  }
  return report;
}

const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob;
const result = job.mode === 'warm' ? await warm(job) : job.mode === 'bulk' ? await bulk(job) : await interleaved(job);
process.send?.(result, () => process.exit(0));
