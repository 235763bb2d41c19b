import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { DcrError, TemporarilyUnavailableError } from '../functions/core/errors.js';
import { scrubSecrets } from '../functions/core/redaction.js';
import type { Command, CommandContext, OptionSpec, OptionValues } from './command.js';
import { COMMANDS } from './commands.js';
import { createCliContext } from './cliContext.js';
import { EXIT_CODES, exitCodeFor } from './exitCodes.js';
import { GLOBAL_OPTIONS, type GlobalValues } from './globalOptions.js';
import { indent, table } from './output.js';
import { UsageError } from './usageError.js';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Tests inject ports here; by default they are built from options and env. */
  context?: (globals: GlobalValues) => CommandContext & { close?(): void };
}

type ParseArgsOptions = Record<string, Omit<OptionSpec, 'description' | 'value'>>;

function parseArgsOptions(specs: Record<string, OptionSpec>): ParseArgsOptions {
  return Object.fromEntries(
    Object.entries(specs).map(([name, { type, multiple, short }]) => [
      name,
      { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) },
    ]),
  );
}

const ALL_OPTIONS = parseArgsOptions(Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options)));

/** The command the words name (`config validate`), or the group they start (`config`), found by a lenient first pass. */
function locate(argv: string[]): { command?: Command; group: string[]; words: string[] } {
  const { positionals } = parseArgs({ args: argv, options: ALL_OPTIONS, strict: false, allowPositionals: true });
  const command = COMMANDS.find((c) => c.path.every((word, i) => positionals[i] === word));
  if (command) return { command, group: [...command.path], words: positionals };
  const group = positionals.slice(0, 1).filter((word) => COMMANDS.some((c) => c.path.length > 1 && c.path[0] === word));
  return { group, words: positionals };
}

function optionLines(specs: Record<string, OptionSpec>): string {
  return table(
    ['option', 'description'],
    Object.entries(specs).map(([name, spec]) => [
      `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}${spec.multiple ? ' …' : ''}`,
      spec.description,
    ]),
  )
    .split('\n')
    .slice(1)
    .join('\n');
}

function commandLine(command: Command): string {
  return ['dcr', ...command.path, ...(command.args ?? []), '[options]'].join(' ');
}

export function mainHelp(group: string[] = []): string {
  const commands = COMMANDS.filter((c) => group.every((word, i) => c.path[i] === word));
  return [
    `Usage: dcr ${group.length ? `${group.join(' ')} ` : ''}<command> [options]`,
    '',
    'Registers and inspects OAuth clients by Dynamic Client Registration with the same core as the',
    'function, against AWS (default credential chain) or the sandbox (--endpoint-url).',
    '',
    'Commands:',
    indent(
      table(
        ['', ''],
        commands.map((c) => [c.path.join(' '), c.summary]),
      )
        .split('\n')
        .slice(1)
        .join('\n'),
    ),
    '',
    'Global options:',
    indent(optionLines(GLOBAL_OPTIONS)),
    '',
    'Exit codes: 0 ok, 1 unexpected failure, 2 bad input, 3 not found, 4 refused by the identity provider,',
    '5 configuration or permissions, 75 temporary failure (retry later).',
    '',
    `Run "dcr <command> --help" for a command's options.`,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  return [
    `Usage: ${commandLine(command)}`,
    '',
    `${command.summary.charAt(0).toUpperCase() + command.summary.slice(1)}.`,
    ...(command.details ? ['', command.details] : []),
    ...(Object.keys(command.options).length ? ['', 'Options:', indent(optionLines(command.options))] : []),
    '',
    'Global options:',
    indent(optionLines(GLOBAL_OPTIONS)),
  ].join('\n');
}

function describeFailure(error: unknown): { code: string; message: string; retryAfterSeconds?: number } {
  if (error instanceof DcrError) {
    return {
      code: error.code,
      message: error.message,
      ...(error instanceof TemporarilyUnavailableError ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  return { code: 'unexpected_error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

/** Runs one command line; resolves to the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  // Every line goes through the same scrub as the logs: remembered values and credential patterns.
  const print = (stream: Writable, text: string) => stream.write(`${scrubSecrets(text)}\n`);
  let json = argv.includes('--json');
  let context: (CommandContext & { close?(): void }) | undefined;
  let command: Command | undefined;
  try {
    const located = locate(argv);
    command = located.command;
    if (!command) {
      const wantsHelp = argv.includes('--help') || argv.includes('-h') || located.words[0] === 'help';
      const unknown = located.words.slice(located.group.length)[0];
      if (wantsHelp && (unknown === undefined || unknown === 'help')) {
        print(io.stdout, mainHelp(located.group));
        return EXIT_CODES.ok;
      }
      if (unknown === undefined) {
        print(io.stderr, mainHelp(located.group));
        return EXIT_CODES.badInput;
      }
      throw new UsageError(`unknown command "${[...located.group, unknown].join(' ')}"`);
    }

    const specs = { ...GLOBAL_OPTIONS, ...command.options };
    let values: OptionValues;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({ args: argv, options: parseArgsOptions(specs), strict: true, allowPositionals: true }));
    } catch (error) {
      throw new UsageError(((error as Error).message.split('\n')[0] ?? 'invalid arguments').replace(/\. To specify a positional.*$/, ''));
    }
    const globals = values as GlobalValues;
    json = globals.json === true;
    if (globals.help) {
      print(io.stdout, commandHelp(command));
      return EXIT_CODES.ok;
    }
    const args = positionals.slice(command.path.length);
    const expected = command.args ?? [];
    if (args.length !== expected.length) {
      throw new UsageError(
        args.length < expected.length
          ? `missing ${expected.slice(args.length).join(' ')}`
          : `unexpected argument "${args[expected.length]}"`,
      );
    }

    context = io.context ? io.context(globals) : createCliContext(globals, io.env, io.stderr);
    const output = await command.run(context, values, args);
    const rendered = json ? JSON.stringify(output.json, null, 2) : output.human;
    // `--reveal` asks for secret values: the one output printed as is. Everything else is scrubbed.
    if (command.options.reveal && values.reveal === true) io.stdout.write(`${rendered}\n`);
    else print(io.stdout, rendered);
    return output.exitCode ?? EXIT_CODES.ok;
  } catch (error) {
    const exitCode = error instanceof UsageError ? EXIT_CODES.badInput : exitCodeFor(error);
    const failure = describeFailure(error);
    if (json) {
      print(io.stderr, JSON.stringify({ error: failure.code, error_description: failure.message, exitCode, ...failure }));
    } else {
      const retry = failure.retryAfterSeconds ? ` — temporary, retry in ${failure.retryAfterSeconds} s` : '';
      print(io.stderr, `dcr: ${failure.message} (${failure.code})${retry}`);
      if (error instanceof UsageError) {
        print(io.stderr, `Run "dcr ${command ? `${command.path.join(' ')} ` : ''}--help" for usage.`);
      }
    }
    return exitCode;
  } finally {
    context?.close?.();
  }
}
