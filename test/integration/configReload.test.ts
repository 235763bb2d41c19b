import { randomUUID } from 'node:crypto';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Logger } from '../../functions/core/logger.js';
import { dispatch } from '../../functions/register/dispatch.js';
import { createAwsRuntime, type Runtime } from '../../functions/register/runtime.js';

const run = randomUUID().slice(0, 8);
const parameterName = `/dcr-test/${run}/config`;
const ssm = new SSMClient({});

const target = (host: string) => ({
  profile: 'rfc7591',
  registrationEndpoint: `https://${host}/register`,
  initialAccessTokenSecretId: `dcr-test/${run}/iat`,
});
/** Version 1 knows target `default`; version 2 adds `second`. */
const VERSION_1 = { secretNamePrefix: `dcr-test/${run}/clients/`, targets: { default: target('idp-a.example.com') } };
const VERSION_2 = { ...VERSION_1, targets: { ...VERSION_1.targets, second: target('idp-b.example.com') } };
/** Valid JSON that the schema refuses (plain http), with a marker that must never be logged. */
const BROKEN = { ...VERSION_1, targets: { default: { ...target('x'), registrationEndpoint: 'http://marker-plugh.example.com/register' } } };

async function putParameter(value: unknown): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: parameterName, Type: 'String', Value: JSON.stringify(value), Overwrite: true }));
}

/** `GET /registrations/{target}/acme`: 400 `invalid_request` names an unknown target; a known one answers 404 (no such tenant). */
function lookUp(runtime: Runtime, targetName: string): Promise<{ statusCode: number; body: string }> {
  return dispatch(
    {
      version: '2.0',
      rawPath: `/registrations/${targetName}/acme`,
      requestContext: { http: { method: 'GET', path: `/registrations/${targetName}/acme` } },
      headers: {},
      isBase64Encoded: false,
    },
    runtime,
  ) as Promise<{ statusCode: number; body: string }>;
}

describe('configuration reload on the real SSM API (moto): CONFIG_CACHE_TTL_SECONDS=1', () => {
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const lines: string[] = [];
  const logger = new Logger({ sink: (line) => lines.push(line) });
  let runtime: Runtime;

  beforeAll(async () => {
    // Only Date is faked: the cache's clock, stepped by the test; timers and sockets stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock);
    await putParameter(VERSION_1);
    runtime = createAwsRuntime({ ...process.env, CONFIG_PARAMETER_NAME: parameterName, CONFIG_CACHE_TTL_SECONDS: '1' });
  });

  afterEach(() => {
    vi.setSystemTime(clock);
  });

  afterAll(async () => {
    vi.useRealTimers();
    await ssm.send(new DeleteParameterCommand({ Name: parameterName })).catch(() => undefined);
    ssm.destroy();
  });

  const advance = (ms: number) => {
    clock += ms;
    vi.setSystemTime(clock);
  };

  it('uses the loaded configuration until the TTL, and the changed parameter at the first invocation after it', async () => {
    // Prepare
    const before = await lookUp(runtime, 'second');
    await putParameter(VERSION_2);

    // Act
    advance(999);
    const withinTtl = await lookUp(runtime, 'second');
    advance(1);
    const afterTtl = await lookUp(runtime, 'second');

    // Assess
    expect(before.statusCode).toBe(400);
    expect(before.body).toContain('unknown target');
    expect(withinTtl.statusCode).toBe(400);
    expect(afterTtl.statusCode).toBe(404);
    expect((await runtime.dependencies(logger)).config.targets.second?.registrationEndpoint).toBe('https://idp-b.example.com/register');
  });

  it('keeps the last good configuration when the parameter is broken, says so once per TTL and counts ConfigReloadFailed', async () => {
    // Prepare
    lines.length = 0;
    await putParameter(BROKEN);

    // Act
    advance(1_000);
    const first = await runtime.dependencies(logger);
    const again = await runtime.dependencies(logger);
    const answer = await lookUp(runtime, 'second');

    // Assess
    expect(first.config.targets.default?.registrationEndpoint).toBe('https://idp-a.example.com/register');
    expect(again.config).toBe(first.config);
    expect(answer.statusCode).toBe(404);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.filter((entry) => entry.level === 'WARN')).toEqual([
      expect.objectContaining({
        message: 'configuration reload failed; keeping the last good configuration',
        problem: expect.stringContaining('targets.default.registrationEndpoint'),
        source: `SSM parameter ${parameterName}`,
      }),
    ]);
    expect(entries.filter((entry) => entry.ConfigReloadFailed === 1)).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('marker-plugh');
  });

  it('takes the parameter once it is fixed', async () => {
    // Prepare
    await putParameter(VERSION_1);

    // Act
    advance(1_000);
    const answer = await lookUp(runtime, 'second');

    // Assess: VERSION_1 has no target `second` any more
    expect(answer.statusCode).toBe(400);
  });

  it('fails the invocations of a new container whose first load finds a broken parameter, until it is fixed', async () => {
    // Prepare
    await putParameter(BROKEN);
    const fresh = createAwsRuntime({ ...process.env, CONFIG_PARAMETER_NAME: parameterName, CONFIG_CACHE_TTL_SECONDS: '1' });

    // Act
    const broken = fresh.dependencies(logger);
    await expect(broken).rejects.toThrow(/configuration in SSM parameter .* is invalid: targets\.default\.registrationEndpoint/);
    await putParameter(VERSION_2);
    const fixed = await fresh.dependencies(logger);

    // Assess
    expect(Object.keys(fixed.config.targets).sort()).toEqual(['default', 'second']);
  });
});
