import { runChild } from './children.js';
import type { BenchPeers } from './peers.js';
import { processCpuMs } from './processCpu.js';
import { countPhase, type StoreCount } from './verify.js';
import type { BulkReport, InterleavedReport, WorkerJob } from './worker.js';

export interface BulkSettings {
  tenants: number;
  concurrency: number;
  /** Blocks per kind in the interleaved throughput run (ABBA order: keep it even). */
  blocks: number;
  /** Lambda memory size whose V8 heap limits the worker gets. */
  lambdaMemoryMb: number;
}

/** V8 limits as Lambda's Node.js bootstrap sets them for a memory size (semi-space memory/20, old space memory × 0.9). */
function lambdaFlags(memoryMb: number): string[] {
  return [`--max-semi-space-size=${Math.floor(memoryMb / 20)}`, `--max-old-space-size=${memoryMb - Math.floor(memoryMb / 10)}`];
}

export interface BulkPhase {
  report: BulkReport;
  count: StoreCount;
  /** CPU moto_server spent during the phase: the peer shares the machine's cores with the worker. */
  motoCpuMs: number;
}

/** One kind alone, `tenants` at `concurrency`, in a fresh worker on freshly seeded AWS state: peak RSS, failures, duplicates. */
export async function bulkAlone(
  worker: string,
  peers: BenchPeers,
  kind: 'handler' | 'baseline',
  tag: string,
  env: Record<string, string>,
  settings: BulkSettings,
): Promise<BulkPhase> {
  await peers.resetAws();
  const before = new Set(peers.idp.clientIds());
  const job: WorkerJob = { mode: 'bulk', kind, tenants: settings.tenants, concurrency: settings.concurrency, tag };
  const motoBefore = await processCpuMs(peers.moto.pid);
  const report = await runChild<BulkReport>(worker, [JSON.stringify(job)], env, 120_000, lambdaFlags(settings.lambdaMemoryMb));
  const motoCpuMs = (await processCpuMs(peers.moto.pid)) - motoBefore;
  const prefix = kind === 'handler' ? `${peers.prefixes.svc}default/${tag}-` : `${peers.prefixes.raw}${tag}-`;
  const count = await countPhase(peers.secrets, prefix, before, peers.idp.clientIds(), kind === 'handler');
  return { report, count, motoCpuMs };
}

export interface InterleavedPhase {
  report: InterleavedReport;
  /** The function's tenants, counted in moto and at the provider. */
  count: StoreCount;
}

/**
 * The throughput comparison: both kinds in one worker, `tenants` each, in alternating blocks, so a
 * shared machine's drift (seen here: ±25 % between consecutive runs of the same code) cancels out.
 */
export async function bulkInterleaved(
  worker: string,
  peers: BenchPeers,
  tag: string,
  env: Record<string, string>,
  settings: BulkSettings,
  outcomeEvent: boolean,
): Promise<InterleavedPhase> {
  await peers.resetAws();
  const before = new Set(peers.idp.clientIds());
  const job: WorkerJob = {
    mode: 'interleaved',
    tenants: settings.tenants,
    concurrency: settings.concurrency,
    blocks: settings.blocks,
    tag,
    outcomeEvent,
  };
  const report = await runChild<InterleavedReport>(worker, [JSON.stringify(job)], env, 180_000, lambdaFlags(settings.lambdaMemoryMb));
  // The baseline's clients land in the same provider during the run: the function's are told apart by
  // their name (the tenant id, `${tag}h-N`).
  const handlerClients = peers.idp
    .clients()
    .filter((client) => !before.has(client.clientId) && client.clientName?.startsWith(`${tag}h-`))
    .map((client) => client.clientId);
  const count = await countPhase(peers.secrets, `${peers.prefixes.svc}default/${tag}h-`, new Set(), handlerClients, true);
  return { report, count };
}
