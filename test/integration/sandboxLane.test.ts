import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runLaneDemo } from '../../sandbox/laneDemo.js';
import { captureStdout } from '../helpers/logCapture.js';

const dir = mkdtempSync(join(tmpdir(), 'dcr-lane-demo-'));
const secrets = new SecretsManagerClient({});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  secrets.destroy();
});

async function storedClientIds(prefix: string): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100, NextToken }));
    for (const entry of page.SecretList ?? []) {
      const record = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: entry.ARN }))).SecretString ?? '{}');
      if (record.dcr_status === 'registered') ids.push(record.client_id);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

describe('the sandbox lane demo (npm start -- --lane N), small', () => {
  it('imports 40 tenants through the lane against a provider allowing 20/s: all registered once, none orphaned, none dead', async () => {
    // Prepare
    const stderr: string[] = [];
    const printed: string[] = [];
    const capture = captureStdout();

    // Act
    let report;
    try {
      report = await runLaneDemo({
        aws: { endpoint: inject('motoEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
        dir,
        tenants: 40,
        perSecond: 20,
        stderr: new Writable({ write: (chunk, _e, done) => (stderr.push(String(chunk)), done()) }),
        print: (line) => printed.push(line),
        limitMs: 60_000,
      });
    } finally {
      capture.restore();
    }

    // Assess
    expect(report.drained).toBe(true);
    const stored = await storedClientIds(report.secretNamePrefix);
    expect(stored).toHaveLength(40); // 0 lost
    expect(new Set(stored).size).toBe(40); // 0 duplicate
    expect(new Set(report.providerClientIds)).toEqual(new Set(stored)); // 0 orphan
    expect(report.deadLetters).toBe(0);
    expect(stderr.join('')).toContain('sent: 40/40');
    expect(stderr.join('')).toContain('registered: 40/40');
    expect(printed.at(-1)).toMatch(/40\/40 registered in .* dead letters 0/);
  }, 90_000);
});
