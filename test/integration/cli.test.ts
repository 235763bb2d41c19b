import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../sandbox/freePort.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { localTarget, putConfigParameter, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { type CliResult, runCli } from '../helpers/cliProcess.js';
import { leakedSecrets } from '../helpers/logCapture.js';

let idp: LocalIdentityProvider;
let secretsClient: SecretsManagerClient;
let ssmClient: SSMClient;
let run: string;
let prefix: string;
let configParameterName: string;
let config: Record<string, any>;
let workDir: string;
let iat: string;
/** Everything the CLI printed without --reveal, for the leak scan. */
const unrevealedOutput: string[] = [];

function dcr(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { configParameterName, env, unrevealed: unrevealedOutput });
}

async function storedRecord(name: string): Promise<Record<string, any>> {
  const value = await secretsClient.send(new GetSecretValueCommand({ SecretId: name }));
  return JSON.parse(value.SecretString ?? '{}');
}

const registrationPosts = () => idp.requests.get('POST /services/oauth2/register') ?? 0;

beforeAll(async () => {
  run = randomUUID().slice(0, 8);
  prefix = `dcr-cli/${run}/clients/`;
  configParameterName = `/dcr-cli/${run}/config`;
  idp = await startLocalIdentityProvider({ profile: 'salesforce' });
  secretsClient = new SecretsManagerClient({});
  ssmClient = new SSMClient({});
  iat = await idp.issueInitialAccessToken();
  await seedInitialAccessToken(secretsClient, `dcr-cli/${run}/iat`, iat);
  await seedInitialAccessToken(secretsClient, `dcr-cli/${run}/iat-wrong`, 'not-the-initial-access-token');
  const closedPort = await freePort();
  config = {
    secretNamePrefix: prefix,
    targets: {
      // This target opens redirect_uris to callers, on one origin (the metadata policy).
      default: {
        ...localTarget(idp, `dcr-cli/${run}/iat`),
        callerMetadata: ['client_name', 'contacts', 'redirect_uris'],
        allowedRedirectOrigins: ['https://a.example'],
      },
      'wrong-iat': localTarget(idp, `dcr-cli/${run}/iat-wrong`),
      down: { ...localTarget(idp, `dcr-cli/${run}/iat`), registrationEndpoint: `http://127.0.0.1:${closedPort}/register` },
    },
  };
  await putConfigParameter(ssmClient, configParameterName, config);
  workDir = mkdtempSync(join(tmpdir(), 'dcr-cli-test-'));
});

afterAll(async () => {
  const stored = await Promise.all(['acme', 'globex'].map((tenant) => storedRecord(`${prefix}default/${tenant}`).catch(() => ({}))));
  const secrets = [
    iat,
    'not-the-initial-access-token',
    ...idp.issuedSecrets,
    ...stored.flatMap((r: Record<string, any>) => [r.client_secret, r.registration_access_token]),
  ].filter(Boolean);
  expect(secrets.length).toBeGreaterThan(4);
  expect(leakedSecrets(unrevealedOutput, secrets)).toEqual([]);
  await idp.close();
  secretsClient.destroy();
  ssmClient.destroy();
  rmSync(workDir, { recursive: true, force: true });
});

describe('dcr register', () => {
  it('registers a client, prints a table without secrets and exits 0', async () => {
    // Act
    const result = await dcr(['register', '--tenant', 'acme', '--redirect-uri', 'https://a.example/cb']);

    // Assess
    expect(result.code).toBe(0);
    const record = await storedRecord(`${prefix}default/acme`);
    expect(result.stdout).toMatch(/^status\s+registered$/m);
    expect(result.stdout).toMatch(new RegExp(`^client_id\\s+${record.client_id}$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^secret\\s+${prefix}default/acme$`, 'm'));
    expect(record.client_metadata.redirect_uris).toEqual(['https://a.example/cb']);
  });

  it('answers "exists" for a registered tenant without calling the provider (--json)', async () => {
    // Prepare
    const postsBefore = registrationPosts();

    // Act
    const result = await dcr(['--json', 'register', '--tenant', 'acme']);

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ tenantId: 'acme', target: 'default', status: 'exists' });
    expect(registrationPosts()).toBe(postsBefore);
  });

  it('exits 2 for bad input and names the problem', async () => {
    // Act
    const [missing, malformed, unknownTarget] = await Promise.all([
      dcr(['register']),
      dcr(['register', '--tenant', 'not valid!']),
      dcr(['register', '--tenant', 'acme', '--target', 'nowhere']),
    ]);

    // Assess
    expect([missing.code, malformed.code, unknownTarget.code]).toEqual([2, 2, 2]);
    expect(missing.stderr).toContain('--tenant is required');
    expect(malformed.stderr).toContain('tenantId: must match');
    expect(unknownTarget.stderr).toContain('unknown target "nowhere"');
  });

  it('exits 4 when the identity provider refuses the initial access token', async () => {
    // Act
    const result = await dcr(['register', '--tenant', 'acme', '--target', 'wrong-iat']);

    // Assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('(upstream_error)');
  });

  it('exits 75 when the identity provider cannot be reached, with a retry hint', async () => {
    // Act
    const result = await dcr(['register', '--tenant', 'acme', '--target', 'down', '--json']);

    // Assess
    expect(result.code).toBe(75);
    expect(JSON.parse(result.stderr)).toMatchObject({
      error: 'temporarily_unavailable',
      exitCode: 75,
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('exits 5 when the configuration parameter does not exist', async () => {
    // Act
    const result = await dcr(['register', '--tenant', 'acme', '--config-parameter', `/dcr-cli/${run}/missing`]);

    // Assess
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`SSM parameter /dcr-cli/${run}/missing does not exist`);
  });
});

describe('dcr show and dcr list', () => {
  it('show hides secret values; --reveal prints them', async () => {
    // Prepare
    const record = await storedRecord(`${prefix}default/acme`);

    // Act
    const [hidden, hiddenJson, revealed] = await Promise.all([
      dcr(['show', '--tenant', 'acme']),
      dcr(['show', '--tenant', 'acme', '--json']),
      dcr(['show', '--tenant', 'acme', '--reveal']),
    ]);

    // Assess
    expect([hidden.code, hiddenJson.code, revealed.code]).toEqual([0, 0, 0]);
    expect(hidden.stdout).toMatch(/^client_secret\s+\(hidden; --reveal shows it\)$/m);
    expect(hidden.stdout).toMatch(/^auth method\s+client_secret_post$/m);
    expect(JSON.parse(hiddenJson.stdout).record).not.toHaveProperty('client_secret');
    expect(JSON.parse(hiddenJson.stdout).record).toMatchObject({ client_id: record.client_id, tenant_id: 'acme' });
    expect(revealed.stdout).toContain(record.client_secret);
  });

  it('show exits 3 for a tenant without a client', async () => {
    // Act
    const result = await dcr(['show', '--tenant', 'nobody']);

    // Assess
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no registration for tenant nobody at target default (not_found)');
  });

  it('list shows every client under the prefix; only --reveal adds the secrets', async () => {
    // Prepare
    expect((await dcr(['register', '--tenant', 'globex'])).code).toBe(0);
    const globex = await storedRecord(`${prefix}default/globex`);

    // Act
    const [table, json, revealed] = await Promise.all([dcr(['list']), dcr(['list', '--json']), dcr(['list', '--json', '--reveal'])]);

    // Assess
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TENANT\s+TARGET\s+STATUS\s+CLIENT_ID\s+SECRET$/);
    expect(table.stdout).toMatch(new RegExp(`^globex\\s+default\\s+registered\\s+${globex.client_id}\\s+${prefix}default/globex$`, 'm'));
    const listed = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(listed.map((c) => c.tenantId)).toEqual(['acme', 'globex']);
    expect(listed.every((c) => !('client_secret' in c))).toBe(true);
    expect(JSON.parse(revealed.stdout)[1]).toMatchObject({ tenantId: 'globex', client_secret: globex.client_secret });
  });
});

describe('dcr canary and dcr config', () => {
  it('canary registers, reads back and removes a throw-away client', async () => {
    // Prepare
    const clientsBefore = idp.clientIds().length;

    // Act
    const result = await dcr(['canary', '--json']);

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, tenantId: expect.stringMatching(/^canary-/) });
    expect(idp.clientIds().length).toBe(clientsBefore);
  });

  it('config show prints the loaded configuration with defaults applied', async () => {
    // Act
    const [json, table] = await Promise.all([dcr(['config', 'show', '--json']), dcr(['config', 'show'])]);

    // Assess
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ secretNamePrefix: prefix, defaultTarget: 'default' });
    expect(table.stdout).toMatch(
      new RegExp(`^default\\s+salesforce\\s+${idp.registrationEndpoint}\\s+initialAccessToken dcr-cli/${run}/iat\\s`, 'm'),
    );
  });

  it('config validate accepts a good file, exits 2 naming the bad field, 3 for a missing file', async () => {
    // Prepare
    const good = join(workDir, 'good.json');
    const bad = join(workDir, 'bad.json');
    writeFileSync(good, JSON.stringify(config));
    writeFileSync(bad, JSON.stringify({ ...config, defaultTarget: 'elsewhere' }));

    // Act
    const [valid, invalid, missing] = await Promise.all([
      dcr(['config', 'validate', good]),
      dcr(['config', 'validate', bad]),
      dcr(['config', 'validate', join(workDir, 'missing.json')]),
    ]);

    // Assess
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain(`${good} is valid: 3 targets`);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('defaultTarget: must name one of the configured targets');
    expect(missing.code).toBe(3);
  });

  it('config validate --deploy accepts the example targets document, which plain validate refuses naming the field and its type', async () => {
    // Act
    const [deploy, plain] = await Promise.all([
      dcr(['config', 'validate', '--deploy', 'infra/targets.example.json']),
      dcr(['config', 'validate', 'infra/targets.example.json']),
    ]);

    // Assess
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toContain('infra/targets.example.json is valid: 1 target');
    expect(deploy.stdout).toContain('dcr/iat/default');
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain(
      'targets.default.registrationCredential: give exactly one of registrationCredential and initialAccessTokenSecretId',
    );
  });

  it('reads the configuration from --config FILE instead of SSM', async () => {
    // Prepare
    const file = join(workDir, 'local.json');
    writeFileSync(file, JSON.stringify(config));

    // Act
    const result = await dcr(['show', '--tenant', 'acme', '--config', file], { CONFIG_PARAMETER_NAME: '' });

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^status\s+registered$/m);
  });
});

describe('dcr rotate and dcr delete', () => {
  it('rotate replaces the stored client secret at the provider and in the secret, printing neither', async () => {
    // Prepare
    const before = await storedRecord(`${prefix}default/globex`);

    // Act
    const result = await dcr(['rotate', '--tenant', 'globex']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^status\s+rotated$/m);
    const after = await storedRecord(`${prefix}default/globex`);
    expect(after.client_id).toBe(before.client_id);
    expect(after.client_secret).not.toBe(before.client_secret);
  });

  it('delete needs --yes, offboards the tenant, and exits 3 once there is nothing left', async () => {
    // Act
    const unconfirmed = await dcr(['delete', '--tenant', 'globex']);
    const deleted = await dcr(['delete', '--tenant', 'globex', '--yes', '--json']);
    const [again, shown] = await Promise.all([dcr(['delete', '--tenant', 'globex', '--yes']), dcr(['show', '--tenant', 'globex'])]);

    // Assess
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('add --yes');
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ tenantId: 'globex', status: 'offboarded', clientDeletion: 'deleted' });
    expect([again.code, shown.code]).toEqual([3, 3]);
  });
});
