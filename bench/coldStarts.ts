import { pathToFileURL } from 'node:url';
import type { Builds } from './build.js';
import { runChild } from './children.js';
import type { ColdReport } from './coldProbe.js';
import type { PairedFigure } from './rows.js';
import { median } from './stats.js';

export type ColdKindName = 'handler' | 'baseline' | 'handlerExternal' | 'baselineExternal' | 'handlerZodClassic';

interface ColdKind {
  name: ColdKindName;
  bundle: string;
  /** `handler` / `baseline`: init, then the first invocation; `init`: init only. */
  kind: 'handler' | 'baseline' | 'init';
  /** Informational kinds run every fourth round, to stay inside the time bound. */
  everyRound: boolean;
}

/** One sample of every kind per round, in fresh processes; the order rotates each round so machine noise hits all alike. */
export type ColdRounds = Partial<Record<ColdKindName, ColdReport>>[];

export async function coldStarts(builds: Builds, env: Record<string, string>, coldRounds: number): Promise<ColdRounds> {
  const kinds: ColdKind[] = [
    { name: 'handler', bundle: builds.handler.bundled, kind: 'handler', everyRound: true },
    { name: 'baseline', bundle: builds.baseline.bundled, kind: 'baseline', everyRound: true },
    { name: 'handlerExternal', bundle: builds.handler.external, kind: 'init', everyRound: false },
    { name: 'baselineExternal', bundle: builds.baseline.external, kind: 'init', everyRound: false },
    { name: 'handlerZodClassic', bundle: builds.handler.zodClassic, kind: 'init', everyRound: false },
  ];
  const rounds: ColdRounds = [];
  // Round -1 is untimed: the OS page cache, not our code, would otherwise pay for round 0.
  for (let round = -1; round < coldRounds; round++) {
    const samples: ColdRounds[number] = {};
    const active = kinds.filter((k) => k.everyRound || round < 0 || round % 4 === 0);
    for (let i = 0; i < active.length; i++) {
      const kind = active[(i + Math.max(round, 0)) % active.length] as ColdKind;
      const tenantId = `cold-${kind.name}-${round + 1}`;
      samples[kind.name] = await runChild<ColdReport>(
        builds.coldProbe,
        [pathToFileURL(kind.bundle).href, kind.kind, tenantId],
        env,
        30_000,
      );
    }
    if (round >= 0) rounds.push(samples);
  }
  return rounds;
}

/** Median of one kind's samples and the median of its per-round ratios to another kind (pairs cancel drift). */
export function coldFigure(rounds: ColdRounds, kind: ColdKindName, versus: ColdKindName, pick: (r: ColdReport) => number): PairedFigure {
  const pairs = rounds.flatMap((round) => {
    const [a, b] = [round[kind], round[versus]];
    return a && b ? [[pick(a), pick(b)] as const] : [];
  });
  return {
    value: median(pairs.map(([a]) => a)),
    baseline: median(pairs.map(([, b]) => b)),
    ratio: median(pairs.map(([a, b]) => a / b)),
    samples: pairs.length,
  };
}
