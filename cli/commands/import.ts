import { readFile, stat } from 'node:fs/promises';
import { resolveTarget, secretNameFor, type ServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { InvalidRequestError, NotFoundError } from '../../functions/core/errors.js';
import type { SecretStore } from '../../functions/core/ports/SecretStore.js';
import { parseSecretRecord } from '../../functions/core/secretRecord.js';
import type { Command, CommandContext } from '../command.js';
import { type ImportLine, parseImportFile } from '../importFile.js';
import { LANE_QUEUE_OPTION, laneQueueUrl, sendToLane } from '../laneQueue.js';
import { keyValues } from '../output.js';
import { progress } from '../progress.js';
import { mapBounded } from './list.js';

/** 64 MiB: a million tenants fit several times over. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const READ_CONCURRENCY = 8;

export const importCommand: Command = {
  path: ['import'],
  summary: 'onboard the tenants listed in a file through the onboarding lane (SQS)',
  args: ['FILE'],
  options: {
    ...LANE_QUEUE_OPTION,
    'skip-existing': { type: 'boolean', description: 'skip tenants that already have a registered client (reads each secret)' },
    'dry-run': { type: 'boolean', description: 'check the file (and with --skip-existing, count) but send nothing' },
  },
  details: [
    'FILE is JSON Lines ({"tenantId":"acme","target":"okta"} per line) or CSV (tenantId[,target], an',
    'optional header); a line without a target uses the default target. Every line is checked first:',
    'one bad line (named by its number) and nothing is sent.',
    'Each tenant becomes one {"action":"register",…} message on the lane, sent 10 per SendMessageBatch;',
    'the function registers them as fast as the provider allows (docs/scaling.md).',
    'Safe to run again after an interruption: registration is idempotent (a tenant that already has a',
    'client answers "exists"); --skip-existing saves the messages for those.',
    'Progress goes to stderr; the summary to stdout.',
  ].join('\n'),
  async run(context, values, [file = '']) {
    const config = await context.config();
    const text = await readImportFile(file);
    const lines = parseImportFile(text, { resolveTarget: (requested) => resolveTarget(config, requested)?.name });
    const queueUrl = laneQueueUrl(values, context.env);
    const existing = values['skip-existing'] ? await registered(context, config, lines) : new Set<ImportLine>();
    const toSend = lines.filter((line) => !existing.has(line));
    let sent = 0;
    if (!values['dry-run'] && toSend.length) {
      if (!context.sqs) throw new InvalidRequestError('this context has no SQS client');
      const bar = progress(context.stderr, 'sent', toSend.length);
      bar.update(0);
      const bodies = toSend.map((line) => JSON.stringify({ action: 'register', tenantId: line.tenantId, target: line.target }));
      try {
        sent = await sendToLane(context.sqs(), queueUrl, bodies, { onProgress: (done) => bar.update(done) });
      } finally {
        bar.finish();
      }
    }
    const summary = { file, tenants: lines.length, skipped: existing.size, sent, dryRun: values['dry-run'] === true, queueUrl };
    return {
      json: summary,
      human: keyValues([
        ['file', file],
        ['tenants', lines.length],
        ['already registered', values['skip-existing'] ? `${existing.size} (skipped)` : 'not checked (--skip-existing)'],
        [values['dry-run'] ? 'would send' : 'sent', values['dry-run'] ? toSend.length : sent],
        ['lane', queueUrl],
      ]),
    };
  },
};

async function readImportFile(file: string): Promise<string> {
  try {
    const { size } = await stat(file);
    if (size > MAX_FILE_BYTES) throw new InvalidRequestError(`${file} is larger than ${MAX_FILE_BYTES} bytes; split it`);
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no file ${file}`);
    throw error;
  }
}

/** The lines whose tenant already has a registered client at its target (a pending or offboarded one is sent again). */
async function registered(context: CommandContext, config: ServiceConfig, lines: ImportLine[]): Promise<Set<ImportLine>> {
  const store: SecretStore = context.secrets();
  const bar = progress(context.stderr, 'checked', lines.length);
  let checked = 0;
  try {
    const found = await mapBounded(lines, READ_CONCURRENCY, async (line) => {
      const stored = await store.get(secretNameFor(config, line.target ?? config.defaultTarget, line.tenantId));
      bar.update(++checked);
      return stored !== undefined && parseSecretRecord(stored.value)?.dcr_status === 'registered';
    });
    return new Set(lines.filter((_, index) => found[index]));
  } finally {
    bar.finish();
  }
}
