import { type ChildProcess, fork } from 'node:child_process';

/** Every child this benchmark started and has not yet seen exit: killed on the way out, even on failure. */
export const liveChildren = new Set<ChildProcess>();

export function killLiveChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
  liveChildren.clear();
}

/**
 * Runs a built .mjs in a fresh `node` (no tsx, no inherited flags) and resolves with the first IPC
 * message it sends. The child's stdout (the function's log lines) is discarded, as Lambda would ship it.
 */
export function runChild<T>(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  execArgv: string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { execArgv, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    liveChildren.add(child);
    let stderr = '';
    let message: { value: T } | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-3000);
    });
    child.on('message', (value) => {
      message ??= { value: value as T };
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      liveChildren.delete(child);
      if (message) resolve(message.value);
      else
        reject(
          new Error(
            `${script} ${args[0] ?? ''} exited (${signal ?? code}) without a report${signal === 'SIGKILL' ? ' (timed out?)' : ''}: ${stderr}`,
          ),
        );
    });
  });
}

/** The child's environment: only what it needs, so the figures do not depend on the caller's shell. */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const env: Record<string, string> = {};
  for (const key of keep) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}
