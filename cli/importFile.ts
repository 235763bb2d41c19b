import { TARGET_NAME, TENANT_ID } from '../functions/core/config/targetConfig.js';
import { InvalidRequestError } from '../functions/core/errors.js';

/** One tenant to onboard, with the line of the file it came from. */
export interface ImportLine {
  line: number;
  tenantId: string;
  /** The target named on the line, or the one `resolveTarget` chose for it. */
  target?: string;
}

export interface ParseImportOptions {
  /** Maps a line's target (undefined: the default) to a configured target name, or undefined when unknown. */
  resolveTarget?: (requested: string | undefined) => string | undefined;
}

/** Errors listed in full before "… and N more". */
const LISTED_ERRORS = 20;
const JSON_FIELDS = new Set(['tenantId', 'target']);
const CSV_HEADER = /^\s*"?tenant_?id"?\s*(,\s*"?target"?\s*)?$/i;

/**
 * Reads an import file: JSON Lines (`{"tenantId":"acme","target":"okta"}`) or CSV (`tenantId[,target]`,
 * an optional header), told apart by the first non-blank line. Every line is checked before anything is
 * sent: one bad line and the whole file is refused, each problem named by its line number.
 * Blank lines are ignored; a tenant listed twice (same target) is a mistake too.
 */
export function parseImportFile(text: string, options: ParseImportOptions = {}): ImportLine[] {
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = rows.find((row) => row.trim() !== '') ?? '';
  const json = first.trimStart().startsWith('{');
  const errors: string[] = [];
  const lines: ImportLine[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, index) => {
    const line = index + 1;
    if (row.trim() === '') return;
    if (!json && row === first && CSV_HEADER.test(row)) return;
    const parsed = json ? fromJson(row) : fromCsv(row);
    if (typeof parsed === 'string') return void errors.push(`line ${line}: ${parsed}`);
    const target = options.resolveTarget ? options.resolveTarget(parsed.target) : parsed.target;
    if (options.resolveTarget && target === undefined) {
      return void errors.push(`line ${line}: unknown target ${JSON.stringify(parsed.target ?? '(default)')}`);
    }
    const key = `${target ?? ''}/${parsed.tenantId}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) return void errors.push(`line ${line}: tenant ${parsed.tenantId} repeats line ${earlier}`);
    seen.set(key, line);
    lines.push({ line, tenantId: parsed.tenantId, ...(target !== undefined ? { target } : {}) });
  });
  if (errors.length) throw new ImportFileError(errors);
  if (!lines.length) throw new ImportFileError(['the file lists no tenant']);
  return lines;
}

/** A file with bad lines: the message names the first 20 (line numbers); nothing was sent. */
export class ImportFileError extends InvalidRequestError {
  override readonly name: string = 'ImportFileError';
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    const listed = problems.slice(0, LISTED_ERRORS);
    const more = problems.length > LISTED_ERRORS ? [`… and ${problems.length - LISTED_ERRORS} more`] : [];
    super(`${problems.length} bad line${problems.length === 1 ? '' : 's'}, nothing sent:\n  ${[...listed, ...more].join('\n  ')}`);
    this.problems = problems;
  }
}

type Parsed = { tenantId: string; target?: string } | string;

function fromJson(row: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(row);
  } catch {
    return 'not JSON (JSON Lines: one {"tenantId":…,"target":…} object per line)';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !JSON_FIELDS.has(key));
  if (unknown.length) return `unknown field ${JSON.stringify(unknown[0]?.slice(0, 32))} (only tenantId and target)`;
  if (fields.target !== undefined && typeof fields.target !== 'string') return 'target must be a string';
  return check(fields.tenantId, fields.target as string | undefined);
}

function fromCsv(row: string): Parsed {
  const cells = row.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
  if (cells.length > 2) return `expected tenantId[,target], found ${cells.length} columns`;
  return check(cells[0], cells[1] === '' ? undefined : cells[1]);
}

function check(tenantId: unknown, target: string | undefined): Parsed {
  if (typeof tenantId !== 'string' || tenantId === '') return 'tenantId is missing';
  if (!TENANT_ID.test(tenantId)) return `tenantId ${JSON.stringify(tenantId.slice(0, 70))} must match ${TENANT_ID.source}`;
  if (target !== undefined && !TARGET_NAME.test(target))
    return `target ${JSON.stringify(target.slice(0, 40))} must match ${TARGET_NAME.source}`;
  return { tenantId, ...(target !== undefined ? { target } : {}) };
}
