import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// `cdk synth` runs infra/app.ts: a bad configuration must read as a list of problems, not a stack trace.
async function synth(context: Record<string, unknown>): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: '/tmp/dcr-synth-errors' },
      timeout: 120_000,
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

describe('cdk synth with a bad configuration', () => {
  it('exits 1 with one line per problem and no stack trace', async () => {
    // Act
    const result = await synth({
      'dcr:targets': { targets: { default: { profile: 'nope', registrationEndpoint: 'ftp://idp.example.com/register' } } },
    });

    // Assess
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^dcr-onboarding cannot be synthesized: /);
    expect(lines).toContain('  - targets.default.profile: expected one of "salesforce", "rfc7591"');
    expect(lines.some((line) => line.startsWith('  - targets.default.registrationEndpoint: must be an https: URL'))).toBe(true);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 130_000);
});
