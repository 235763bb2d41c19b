import os from 'node:os';
import type { BundleSize } from './build.js';
import type { ColdReport } from './coldProbe.js';
import { median, p95, type Row, round } from './stats.js';
import type { BulkPhase, InterleavedPhase } from './bulk.js';
import type { WarmReport } from './worker.js';

type ColdName = 'handler' | 'baseline' | 'handlerExternal' | 'baselineExternal' | 'handlerZodClassic';

export interface ResultsInput {
  run: string;
  settings: unknown;
  rows: Row[];
  warm: WarmReport;
  warmNoBus: WarmReport;
  cold: Partial<Record<ColdName, ColdReport>>[];
  sizes: Record<string, BundleSize | undefined>;
  interleaved: Record<'noBus' | 'eventBus', InterleavedPhase>;
  alone: Record<'handler' | 'handlerNoBus' | 'baseline', BulkPhase>;
  durationMs: number;
}

/** Everything one run measured, for bench/results.json. */
export function resultsDocument(input: ResultsInput) {
  return {
    run: input.run,
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, node: process.version, loadavg: os.loadavg() },
    settings: input.settings,
    rows: input.rows.map((row) => ({ ...row, ratio: row.ratio === undefined ? undefined : round(row.ratio, 3) })),
    warm: {
      handler: { medianMs: median(input.warm.handlerMs), p95Ms: p95(input.warm.handlerMs), samples: input.warm.handlerMs.length },
      baseline: { medianMs: median(input.warm.baselineMs), p95Ms: p95(input.warm.baselineMs), samples: input.warm.baselineMs.length },
      cpuMsPerRegistration: {
        handler: input.warm.handlerCpuMs / Math.max(1, input.warm.handlerMs.length),
        baseline: input.warm.baselineCpuMs / Math.max(1, input.warm.baselineMs.length),
      },
      baselineWithEvent: { medianMs: median(input.warm.baselineWithEventMs), p95Ms: p95(input.warm.baselineWithEventMs) },
      failures: input.warm.failures.slice(0, 20),
      withoutEventBus: {
        handler: { medianMs: median(input.warmNoBus.handlerMs), p95Ms: p95(input.warmNoBus.handlerMs) },
        baseline: { medianMs: median(input.warmNoBus.baselineMs), p95Ms: p95(input.warmNoBus.baselineMs) },
        failures: input.warmNoBus.failures.slice(0, 20),
      },
    },
    cold: Object.fromEntries(
      (['handler', 'baseline', 'handlerExternal', 'baselineExternal', 'handlerZodClassic'] as const).map((name) => {
        const reports = input.cold.flatMap((sample): ColdReport[] => (sample[name] ? [sample[name]] : []));
        return [
          name,
          {
            bootMs: median(reports.map((r) => r.bootMs)),
            initMs: median(reports.map((r) => r.initMs)),
            initP95Ms: p95(reports.map((r) => r.initMs)),
            firstInvocationMs: median(reports.map((r) => r.firstMs)),
            cpuMs: median(reports.map((r) => r.cpuMs)),
            rssBytes: median(reports.map((r) => r.rssBytes)),
            samples: reports.length,
          },
        ];
      }),
    ),
    sizes: input.sizes,
    bulk: {
      interleaved: Object.fromEntries(
        Object.entries(input.interleaved).map(([name, p]) => [
          name,
          { ...p.report, failures: p.report.failures.slice(0, 20), count: p.count },
        ]),
      ),
      alone: Object.fromEntries(
        Object.entries(input.alone).map(([name, p]) => [
          name,
          { ...p.report, failures: p.report.failures.slice(0, 20), count: p.count, motoCpuMs: p.motoCpuMs },
        ]),
      ),
    },
    durationMs: input.durationMs,
  };
}
