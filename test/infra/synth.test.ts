import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SYNTH_TIMEOUT_MS = 240_000;

/** No account, no credentials, no endpoint: what `npm run synth` sees on a machine without AWS. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('CDK_')));
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' };
}

describe('npx cdk synth, offline', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'dcr-synth-'));
  let result: { exitCode: number; stderr: string; durationMs: number };

  beforeAll(async () => {
    const started = performance.now();
    try {
      const out = await run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir], {
        env: offlineEnv(),
        timeout: SYNTH_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      });
      result = { exitCode: 0, stderr: out.stderr, durationMs: performance.now() - started };
    } catch (error) {
      const failed = error as { code?: number; stderr?: string };
      result = { exitCode: failed.code ?? -1, stderr: failed.stderr ?? String(error), durationMs: performance.now() - started };
    }
  }, SYNTH_TIMEOUT_MS + 10_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('succeeds and writes the template, with cdk-nag reporting nothing', () => {
    // Prepare, Act: the synth above
    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'DcrOnboarding.template.json'), 'utf8')) as { Resources: object };
    expect(Object.keys(template.Resources).length).toBeGreaterThan(30);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });

  it('bundles the handler as one ESM file with its source map that Node loads without require()', async () => {
    // Prepare
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const bundle = join(outdir, assets[0] as string, 'index.mjs');
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const badRequest = {
      version: '2.0',
      rawPath: '/registrations',
      body: 'not json',
      requestContext: { http: { method: 'POST', path: '/registrations' } },
    };

    // Act: import it in a clean Node process (module scope builds the SDK clients, no call leaves the
    // host) and send it a request that fails before any call
    const script = `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler); console.log(JSON.stringify(await m.handler(${JSON.stringify(badRequest)}, { awsRequestId: 'synth' })));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: offlineEnv(), timeout: 30_000 });

    // Assess
    const [kind, ...rest] = stdout.trim().split('\n');
    expect(kind).toBe('function');
    expect(JSON.parse(rest.at(-1) ?? '{}')).toMatchObject({ statusCode: 400 });
    // Minified without keepNames: the error's name in the log line is the one its class states.
    const logLine = rest.map((line) => JSON.parse(line) as { error?: { name?: string } }).find((entry) => entry.error);
    expect(logLine?.error?.name).toBe('InvalidRequestError');
    expect(readFileSync(bundle, 'utf8')).not.toMatch(/Dynamic require of/);
  });
});
