import { randomUUID } from 'node:crypto';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { localTarget, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

let env: RegistrationEnvironment;
/** Salesforce's usual case: registration without RFC 7592 (no registration access token, no client URI). */
let unmanaged: LocalIdentityProvider;
const run = randomUUID().slice(0, 8);
const secrets = new SecretsManagerClient({});

const canary = (target: string) => env.invoke({ action: 'canary', target });

async function secretNames(target: string): Promise<string[]> {
  const prefix = `${env.prefix}${target}/`;
  const listed = await secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100 }));
  return (listed.SecretList ?? []).map((s) => s.Name ?? '').filter((name) => name.startsWith(prefix));
}

const metricLines = (from: number) =>
  env.logs
    .slice(from)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry._aws);

beforeAll(async () => {
  unmanaged = await startLocalIdentityProvider({ profile: 'salesforce', registrationManagement: false });
  const iat = `dcr-test/${run}/iat/unmanaged`;
  await seedInitialAccessToken(secrets, iat, await unmanaged.issueInitialAccessToken());
  env = await startRegistrationEnvironment((config) => {
    config.targets.unmanaged = localTarget(unmanaged, iat);
    config.targets['unmanaged-race'] = localTarget(unmanaged, iat);
  });
});

afterAll(async () => {
  await env?.close();
  await unmanaged?.close();
  secrets.destroy();
});

describe('canary on real peers (oidc-provider, moto)', () => {
  it('3 runs on a target without RFC 7592 leave exactly 1 client at the provider and 1 secret', async () => {
    // Prepare
    const clientsBefore = unmanaged.clientIds().length;
    const linesBefore = env.logs.length;

    // Act
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await canary('unmanaged'));

    // Assess
    expect(results.map((r) => [r.mode, r.registered, r.tokenObtained])).toEqual([
      ['kept', true, true],
      ['kept', false, true],
      ['kept', false, true],
    ]);
    expect(new Set(results.map((r) => r.clientId)).size).toBe(1);
    expect(unmanaged.clientIds().length - clientsBefore).toBe(1);
    expect(unmanaged.clientIds()).toContain(results[0].clientId);
    expect(unmanaged.requests.get('POST /services/oauth2/register')).toBe(1);
    expect(await secretNames('unmanaged')).toEqual([`${env.prefix}unmanaged/_canary`]);
    const lines = metricLines(linesBefore);
    // One heartbeat per run (the CanaryHeartbeat alarm), then the run's result.
    expect(lines.filter((m) => m.CanaryRun === 1)).toHaveLength(3);
    expect(lines.filter((m) => 'CanarySuccess' in m).map((m) => [m.Target, m.CanarySuccess, m.ClientOrphaned])).toEqual([
      ['unmanaged', 1, 0],
      ['unmanaged', 1, 0],
      ['unmanaged', 1, 0],
    ]);
  });

  it('3 runs on a target with RFC 7592 leave 0 clients and 0 secrets', async () => {
    // Prepare
    const clientsBefore = env.rfc7591.clientIds().length;
    const registrationsBefore = env.rfc7591.requests.get('POST /reg') ?? 0;

    // Act
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await canary('rfc'));

    // Assess
    expect(results.map((r) => [r.mode, r.registered, r.tokenObtained])).toEqual(Array(3).fill(['throw-away', true, true]));
    expect((env.rfc7591.requests.get('POST /reg') ?? 0) - registrationsBefore).toBe(3);
    expect(env.rfc7591.clientIds().length).toBe(clientsBefore);
    for (const r of results) expect(env.rfc7591.clientIds()).not.toContain(r.clientId);
    expect(await secretNames('rfc')).toEqual([]);
  });

  it('2 runs at once on a target without RFC 7592 create 1 kept client', async () => {
    // Prepare
    const clientsBefore = unmanaged.clientIds().length;

    // Act
    const results = await Promise.all([canary('unmanaged-race'), canary('unmanaged-race')]);

    // Assess
    expect(results[0].clientId).toBe(results[1].clientId);
    expect(results.filter((r) => r.registered)).toHaveLength(1);
    expect(unmanaged.clientIds().length - clientsBefore).toBe(1);
    expect(await secretNames('unmanaged-race')).toEqual([`${env.prefix}unmanaged-race/_canary`]);
  });

  it('fails on an unknown target with CanarySuccess 0 and CanaryMisconfigured 1, registering nothing', async () => {
    // Prepare
    const linesBefore = env.logs.length;
    const clientsBefore = unmanaged.clientIds().length + env.salesforce.clientIds().length + env.rfc7591.clientIds().length;

    // Act
    const result = canary('nowhere');

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'ConfigurationError' });
    expect(metricLines(linesBefore)).toEqual([
      expect.objectContaining({ Target: 'nowhere', CanaryRun: 1 }),
      expect.objectContaining({ Target: 'nowhere', CanarySuccess: 0, CanaryMisconfigured: 1 }),
      expect.objectContaining({ Target: 'nowhere', CanaryFailure: 1 }),
    ]);
    expect(env.logs.slice(linesBefore).some((line) => JSON.parse(line).message === 'canary failed')).toBe(true);
    expect(unmanaged.clientIds().length + env.salesforce.clientIds().length + env.rfc7591.clientIds().length).toBe(clientsBefore);
  });

  it('prints no secret value in its logs or answers', async () => {
    // Prepare
    const values = [...(await env.secretValues()), ...unmanaged.issuedSecrets];

    // Assess
    expect(values.length).toBeGreaterThanOrEqual(10);
    expect(leakedSecrets([...env.logs, ...env.responses], values)).toEqual([]);
  });
});
