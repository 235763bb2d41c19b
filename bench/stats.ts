/** Small statistics and formatting helpers for the benchmark. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function p95(values: readonly number[]): number {
  return quantile(values, 0.95);
}

/** Nearest-rank quantile; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Decimal kilobytes, the unit for bundle sizes (the stricter reading of "60 KB"). */
export function kb(bytes: number): number {
  return round(bytes / 1000, 1);
}

export function mib(bytes: number): number {
  return round(bytes / (1024 * 1024), 1);
}

export interface Row {
  figure: string;
  value: number | string;
  baseline?: number | string;
  ratio?: number;
  target?: string;
  /** undefined = informational, no target */
  pass?: boolean;
}

/** Renders rows as a fixed-width text table. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'result'];
  const cells = rows.map((row) => [
    row.figure,
    String(row.value),
    row.baseline === undefined ? '—' : String(row.baseline),
    row.ratio === undefined || Number.isNaN(row.ratio) ? '—' : row.ratio.toFixed(2),
    row.target ?? '—',
    row.pass === undefined ? 'info' : row.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
