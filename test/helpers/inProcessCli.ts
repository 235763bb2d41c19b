import { Writable } from 'node:stream';
import { runCli } from '../../cli/runCli.js';

/** Runs `dcr` in this process against the test's environment (moto through AWS_ENDPOINT_URL); what it printed. */
export async function inProcessCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk, _encoding, done) {
        into.push(String(chunk));
        done();
      },
    });
  const code = await runCli(argv, { stdout: sink(out), stderr: sink(err), env: { ...process.env } });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
