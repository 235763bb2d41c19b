/** Plain-text rendering for humans; `--json` output bypasses this. */

type Cell = string | number | boolean | undefined | null;

function text(cell: Cell): string {
  return cell === undefined || cell === null || cell === '' ? '-' : String(cell);
}

/** Aligned columns under an upper-case header. */
export function table(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [columns.map((c) => c.toUpperCase()), ...rows.map((row) => columns.map((_, i) => text(row[i])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/** Two aligned columns: label, value. */
export function keyValues(pairs: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(0, ...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${key.padEnd(width)}  ${text(value)}`).join('\n');
}

/** Indents every non-empty line. */
export function indent(lines: string, by = 2): string {
  return lines
    .split('\n')
    .map((line) => (line ? `${' '.repeat(by)}${line}` : line))
    .join('\n');
}
