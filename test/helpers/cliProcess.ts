import { execFile } from 'node:child_process';
import { inject } from 'vitest';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as a user runs it: `bin/dcr.js` in a child process, asynchronously so an in-process identity
 * provider keeps answering. AWS is the shared moto_server, reached through AWS_ENDPOINT_URL; nothing
 * else of the test's environment leaks in. Output without `--reveal` goes to `unrevealed`, for the
 * caller's leak scan.
 */
export function runCli(
  args: string[],
  options: { configParameterName: string; env?: Record<string, string>; unrevealed?: string[] },
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/dcr.js', ...args],
      {
        timeout: 30_000,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ENDPOINT_URL: inject('motoEndpoint'),
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
          CONFIG_PARAMETER_NAME: options.configParameterName,
          ...options.env,
        },
      },
      (error, stdout, stderr) => {
        if (!args.includes('--reveal')) options.unrevealed?.push(stdout, stderr);
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
