import { appendFileSync } from 'node:fs';

export interface FunctionLogs {
  /** Writes the sandbox's own output to the terminal, past the routing. */
  print(text: string): void;
  restore(): void;
}

/**
 * The function logs JSON lines to stdout, as Lambda sends them to CloudWatch. In the sandbox those
 * lines go to a file (and to the terminal only with `echo`), so the terminal keeps the sandbox's own
 * short progress and access lines. Anything else written to stdout passes through unchanged.
 */
export function routeFunctionLogs(file: string, options: { echo?: boolean } = {}): FunctionLogs {
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.startsWith('{"level":')) return original(chunk as never, ...(rest as []));
    appendFileSync(file, text);
    if (options.echo) return original(chunk as never, ...(rest as []));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    print: (text) => void original(text),
    restore: () => {
      process.stdout.write = original;
    },
  };
}
