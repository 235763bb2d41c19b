import { describe, expect, it } from 'vitest';
import { cachedConfig } from '../../functions/core/config/cachedConfig.js';
import { Logger } from '../../functions/core/logger.js';
import type { ConfigSource } from '../../functions/core/ports/ConfigSource.js';
import { loadSettings } from '../../functions/core/settings.js';

const configWith = (endpoint: string) =>
  JSON.stringify({
    secretNamePrefix: 'dcr/clients/',
    targets: { default: { profile: 'rfc7591', registrationEndpoint: endpoint, initialAccessTokenSecretId: 'dcr/iat' } },
  });
const FIRST = configWith('https://idp.example.com/register');
const SECOND = configWith('https://idp2.example.com/register');
/** Valid JSON the schema refuses; it names a value that must never be logged. */
const INVALID = JSON.stringify({
  secretNamePrefix: 'dcr/clients/',
  targets: { default: { profile: 'rfc7591', registrationEndpoint: 'http://insecure.example.com/marker-xyzzy' } },
});

/** A source whose value the test sets, counting reads; a read may be held open to test sharing. */
function scriptedSource(initial: string) {
  let value: string | Error = initial;
  let reads = 0;
  let gate: Promise<void> | undefined;
  const source: ConfigSource = {
    description: 'SSM parameter /test/config',
    read: async () => {
      reads++;
      if (gate) await gate;
      if (value instanceof Error) throw value;
      return value;
    },
  };
  return {
    source,
    set: (next: string | Error) => {
      value = next;
    },
    reads: () => reads,
    hold: () => {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
  };
}

function capture() {
  const lines: string[] = [];
  const logger = new Logger({ sink: (line) => lines.push(line) });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, logger, entries };
}

const endpointOf = (config: { targets: Record<string, unknown> }) =>
  (config.targets.default as { registrationEndpoint: string }).registrationEndpoint;

describe('cachedConfig with a TTL', () => {
  it('reuses the loaded configuration within the TTL and reads the changed one after it', async () => {
    // Prepare
    let clock = 1_000_000;
    const parameter = scriptedSource(FIRST);
    const config = cachedConfig(parameter.source, { ttlMs: 60_000, now: () => clock });

    // Act
    const first = await config();
    parameter.set(SECOND);
    clock += 59_999;
    const withinTtl = await config();
    clock += 1;
    const afterTtl = await config();

    // Assess
    expect(endpointOf(first)).toBe('https://idp.example.com/register');
    expect(withinTtl).toBe(first);
    expect(endpointOf(afterTtl)).toBe('https://idp2.example.com/register');
    expect(parameter.reads()).toBe(2);
  });

  it('keeps the same object when the parameter is unchanged', async () => {
    // Prepare
    let clock = 0;
    const parameter = scriptedSource(FIRST);
    const config = cachedConfig(parameter.source, { ttlMs: 1_000, now: () => clock });

    // Act
    const first = await config();
    clock += 5_000;
    const again = await config();

    // Assess
    expect(again).toBe(first);
    expect(parameter.reads()).toBe(2);
  });

  it('reads on every call with a TTL of 0', async () => {
    // Prepare
    const parameter = scriptedSource(FIRST);
    const config = cachedConfig(parameter.source, { ttlMs: 0, now: () => 42 });

    // Act
    await config();
    await config();
    await config();

    // Assess
    expect(parameter.reads()).toBe(3);
  });

  it('keeps the last good configuration when the new one is invalid: a WARN naming the problem, no value, ConfigReloadFailed', async () => {
    // Prepare
    let clock = 0;
    const parameter = scriptedSource(FIRST);
    const config = cachedConfig(parameter.source, { ttlMs: 1_000, now: () => clock });
    const { lines, logger, entries } = capture();
    const good = await config(logger);

    // Act
    parameter.set(INVALID);
    clock += 1_000;
    const kept = await config(logger);

    // Assess
    expect(kept).toBe(good);
    const warning = entries().find((entry) => entry.level === 'WARN');
    expect(warning).toMatchObject({
      message: 'configuration reload failed; keeping the last good configuration',
      source: 'SSM parameter /test/config',
      problem: expect.stringMatching(/targets\.default\.registrationEndpoint/),
    });
    expect(lines.join('\n')).not.toContain('marker-xyzzy');
    expect(entries().find((entry) => entry.ConfigReloadFailed === 1)?._aws).toMatchObject({
      CloudWatchMetrics: [{ Namespace: 'DcrOnboarding', Dimensions: [[]], Metrics: [{ Name: 'ConfigReloadFailed', Unit: 'Count' }] }],
    });
  });

  it('keeps the last good one when the parameter cannot be read or is not JSON, tries again only after another TTL, and takes a fixed one', async () => {
    // Prepare
    let clock = 0;
    const parameter = scriptedSource(FIRST);
    const config = cachedConfig(parameter.source, { ttlMs: 1_000, now: () => clock });
    const { logger, entries } = capture();
    const good = await config(logger);

    // Act
    parameter.set(new Error('AccessDeniedException'));
    clock += 1_000;
    const afterReadFailure = await config(logger);
    parameter.set('{not json');
    clock += 999;
    const withinRetryTtl = await config(logger);
    clock += 1;
    const afterBadJson = await config(logger);
    parameter.set(SECOND);
    clock += 1_000;
    const fixed = await config(logger);

    // Assess
    expect([afterReadFailure, withinRetryTtl, afterBadJson]).toEqual([good, good, good]);
    expect(endpointOf(fixed)).toBe('https://idp2.example.com/register');
    expect(parameter.reads()).toBe(4);
    expect(entries().filter((entry) => entry.ConfigReloadFailed === 1)).toHaveLength(2);
    expect(
      entries()
        .filter((entry) => entry.level === 'WARN')
        .map((entry) => entry.problem),
    ).toEqual(['AccessDeniedException', 'configuration in SSM parameter /test/config is not valid JSON']);
  });

  it('fails a first load that is invalid, and loads once it is fixed', async () => {
    // Prepare
    const parameter = scriptedSource(INVALID);
    const config = cachedConfig(parameter.source, { ttlMs: 60_000, now: () => 0 });
    const { entries, logger } = capture();

    // Act
    const first = config(logger);
    await expect(first).rejects.toThrow(/is invalid: targets\.default\.registrationEndpoint/);
    parameter.set(FIRST);
    const second = await config(logger);

    // Assess
    expect(endpointOf(second)).toBe('https://idp.example.com/register');
    expect(entries().filter((entry) => entry.ConfigReloadFailed === 1)).toEqual([]);
  });

  it('shares one read among calls that find it stale at the same time', async () => {
    // Prepare
    let clock = 0;
    const parameter = scriptedSource(FIRST);
    const config = cachedConfig(parameter.source, { ttlMs: 1_000, now: () => clock });
    await config();
    parameter.set(SECOND);
    clock += 1_000;
    const release = parameter.hold();

    // Act
    const calls = [config(), config(), config()];
    release();
    const results = await Promise.all(calls);

    // Assess
    expect(parameter.reads()).toBe(2);
    expect(new Set(results).size).toBe(1);
    expect(endpointOf(results[0] as never)).toBe('https://idp2.example.com/register');
  });

  it('reads once for the life of the loader without a TTL (the CLI)', async () => {
    // Prepare
    let clock = 0;
    const parameter = scriptedSource(FIRST);
    const config = cachedConfig(parameter.source, { now: () => clock });

    // Act
    await config();
    clock += 365 * 24 * 3600 * 1000;
    await config();

    // Assess
    expect(parameter.reads()).toBe(1);
  });
});

describe('CONFIG_CACHE_TTL_SECONDS', () => {
  it('defaults to 60 s, takes 0, refuses a negative or fractional value', () => {
    // Prepare
    const base = { CONFIG_PARAMETER_NAME: '/dcr/config' };

    // Act, Assess
    expect(loadSettings(base).configCacheTtlMs).toBe(60_000);
    expect(loadSettings({ ...base, CONFIG_CACHE_TTL_SECONDS: '0' }).configCacheTtlMs).toBe(0);
    expect(loadSettings({ ...base, CONFIG_CACHE_TTL_SECONDS: '5' }).configCacheTtlMs).toBe(5_000);
    expect(() => loadSettings({ ...base, CONFIG_CACHE_TTL_SECONDS: '-1' })).toThrow(
      /CONFIG_CACHE_TTL_SECONDS: must be 0 or a positive integer/,
    );
    expect(() => loadSettings({ ...base, CONFIG_CACHE_TTL_SECONDS: '1.5' })).toThrow(/CONFIG_CACHE_TTL_SECONDS/);
  });
});
