import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../cli/cliContext.js';
import type { CommandContext } from '../../cli/command.js';
import { COMMANDS } from '../../cli/commands.js';
import { EXIT_CODES, exitCodeFor } from '../../cli/exitCodes.js';
import { runCli } from '../../cli/runCli.js';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import {
  ConfigurationError,
  InitialAccessTokenRejectedError,
  InvalidClientMetadataError,
  InvalidRequestError,
  NotFoundError,
  NotSupportedError,
  TemporarilyUnavailableError,
  UpstreamError,
} from '../../functions/core/errors.js';
import type { SecretStore, StoredSecret } from '../../functions/core/ports/SecretStore.js';
import type { SecretCatalog } from '../../functions/core/ports/SecretCatalog.js';

const dir = mkdtempSync(join(tmpdir(), 'dcr-cli-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = {
  secretNamePrefix: 'dcr/clients/',
  targets: {
    default: {
      profile: 'salesforce',
      registrationEndpoint: 'https://login.example.com/services/oauth2/register',
      initialAccessTokenSecretId: 'dcr/iat/default',
    },
  },
};

const RECORD = {
  dcr_status: 'registered',
  client_id: 'client-acme',
  client_secret: 'very-secret-value-1',
  registration_access_token: 'very-secret-rat-1',
  token_endpoint_auth_method: 'client_secret_post',
  tenant_id: 'acme',
  target: 'default',
  profile: 'salesforce',
  registration_endpoint: CONFIG.targets.default.registrationEndpoint,
  registered_at: '2026-11-23T14:46:15.000Z',
  client_metadata: { grant_types: ['client_credentials'] },
};

/** An in-memory SecretStore and SecretCatalog; `failWith` makes every call throw. */
function memoryStore(secrets: Record<string, string>, failWith?: Error): SecretStore & SecretCatalog {
  const found = (id: string): StoredSecret | undefined =>
    id in secrets ? { arn: `arn:aws:secretsmanager:us-east-1:1:secret:${id}-abc`, name: id, value: secrets[id] ?? '' } : undefined;
  const guard = () => {
    if (failWith) throw failWith;
  };
  // Returned through a variable, not as a literal, so `restore` (being added to the port) type-checks either way.
  const store = {
    async get(id: string) {
      guard();
      return found(id) ?? found(id.replace(/^arn:.*:secret:(.*)-abc$/, '$1'));
    },
    async create() {
      guard();
      return { arn: '' };
    },
    async put() {
      guard();
      return { arn: '' };
    },
    async delete() {
      guard();
    },
    async restore() {
      guard();
      return false;
    },
    async list(prefix: string) {
      guard();
      return Object.keys(secrets)
        .filter((name) => name.startsWith(prefix))
        .map((name) => ({ arn: found(name)?.arn ?? '', name, tags: {} }));
    },
  };
  return store;
}

function fakeContext(store: SecretStore & SecretCatalog): CommandContext {
  return {
    config: async () => parseServiceConfig(JSON.stringify(CONFIG), 'test'),
    secrets: () => store,
    catalog: () => store,
    dependencies: () => Promise.reject(new Error('not used in unit tests')),
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
  };
}

async function cli(argv: string[], store: SecretStore & SecretCatalog = memoryStore({})) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await runCli(argv, {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    env: {},
    context: () => fakeContext(store),
  });
  return { code, stdout, stderr };
}

describe('exitCodeFor', () => {
  it.each([
    [new InvalidRequestError('x'), EXIT_CODES.badInput],
    [new InvalidClientMetadataError('invalid_redirect_uri', 'x'), EXIT_CODES.badInput],
    [new NotFoundError('x'), EXIT_CODES.notFound],
    [new NotSupportedError('x'), EXIT_CODES.upstreamRefused],
    [new UpstreamError('x', 500), EXIT_CODES.upstreamRefused],
    [new InitialAccessTokenRejectedError('x', 401), EXIT_CODES.upstreamRefused],
    [new ConfigurationError('x'), EXIT_CODES.configuration],
    [new TemporarilyUnavailableError('x'), EXIT_CODES.retryable],
    [new Error('bug'), EXIT_CODES.failure],
  ])('maps %o to its exit code', (error, expected) => {
    // Act
    const code = exitCodeFor(error);

    // Assess
    expect(code).toBe(expected);
  });
});

describe('runCli: parsing and help', () => {
  it('prints help for --help at every level and exits 0', async () => {
    // Act
    const [top, group, command] = await Promise.all([cli(['--help']), cli(['config', '--help']), cli(['show', '-h'])]);

    // Assess
    expect([top.code, group.code, command.code]).toEqual([0, 0, 0]);
    for (const c of COMMANDS) expect(top.stdout).toContain(c.path.join(' '));
    expect(top.stdout).toContain('75 temporary failure');
    expect(group.stdout).toContain('config validate');
    expect(group.stdout).not.toContain('register');
    expect(command.stdout).toContain('Usage: dcr show [options]');
    expect(command.stdout).toContain('--reveal');
  });

  it('exits 2 for no command, an unknown command, an unknown option or a missing argument', async () => {
    // Act
    const results = await Promise.all([cli([]), cli(['destroy', '--tenant', 'a']), cli(['list', '--bogus']), cli(['config', 'validate'])]);

    // Assess
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(results[0]?.stderr).toContain('Usage: dcr <command>');
    expect(results[1]?.stderr).toContain('unknown command "destroy"');
    expect(results[2]?.stderr).toContain("Unknown option '--bogus'");
    expect(results[2]?.stderr).toContain('Run "dcr list --help" for usage.');
    expect(results[3]?.stderr).toContain('missing FILE');
  });

  it('accepts global options before the command words', async () => {
    // Prepare
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(CONFIG));

    // Act
    const result = await cli(['--json', 'config', 'validate', file]);

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, config: { defaultTarget: 'default' } });
  });

  it('gives every option one type across commands, so the first pass can find the command', () => {
    // Prepare
    const seen = new Map<string, string>();

    // Act
    const conflicts = COMMANDS.flatMap((c) =>
      Object.entries(c.options).flatMap(([name, spec]) => {
        const type = `${spec.type}${spec.multiple ? '[]' : ''}`;
        const previous = seen.get(name);
        seen.set(name, type);
        return previous && previous !== type ? [name] : [];
      }),
    );

    // Assess
    expect(conflicts).toEqual([]);
  });
});

describe('runCli: secret values', () => {
  const store = memoryStore({ 'dcr/clients/default/acme': JSON.stringify(RECORD), 'dcr/clients/default/other': 'not ours' });

  it('show hides the client secret and registration access token unless --reveal', async () => {
    // Act
    const [table, json, revealed] = await Promise.all([
      cli(['show', '--tenant', 'acme'], store),
      cli(['show', '--tenant', 'acme', '--json'], store),
      cli(['show', '--tenant', 'acme', '--reveal'], store),
    ]);

    // Assess
    for (const hidden of [table, json]) {
      expect(hidden.code).toBe(0);
      expect(hidden.stdout).not.toContain('very-secret');
    }
    expect(table.stdout).toMatch(/^registration_access_token\s+\(hidden; --reveal shows it\)$/m);
    expect(JSON.parse(json.stdout).record).not.toHaveProperty('registration_access_token');
    expect(revealed.stdout).toContain('very-secret-value-1');
  });

  it('list marks a secret that is not one of ours as unknown and reveals only with --reveal', async () => {
    // Act
    const [plain, revealed] = await Promise.all([cli(['list', '--json'], store), cli(['list', '--json', '--reveal'], store)]);

    // Assess
    expect(JSON.parse(plain.stdout)).toEqual([
      expect.objectContaining({ tenantId: 'acme', status: 'registered', clientId: 'client-acme' }),
      expect.objectContaining({ secretName: 'dcr/clients/default/other', status: 'unknown' }),
    ]);
    expect(plain.stdout).not.toContain('very-secret');
    expect(JSON.parse(revealed.stdout)[0]).toMatchObject({ client_secret: 'very-secret-value-1' });
  });

  it('exits 75 with a retry hint when the secret store is throttled', async () => {
    // Prepare
    const throttled = memoryStore({}, new TemporarilyUnavailableError('listing secrets failed (ThrottlingException)', 2));

    // Act
    const result = await cli(['list'], throttled);

    // Assess
    expect(result.code).toBe(75);
    expect(result.stderr).toBe('dcr: listing secrets failed (ThrottlingException) (temporarily_unavailable) — temporary, retry in 2 s\n');
  });
});

describe('awsClientConfig', () => {
  it('uses stand-in credentials and us-east-1 only for a loopback endpoint without credentials', () => {
    // Act
    const local = awsClientConfig({ 'endpoint-url': 'http://127.0.0.1:5000' }, {});
    const localWithProfile = awsClientConfig({}, { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_PROFILE: 'dev' });
    const remote = awsClientConfig({ 'endpoint-url': 'https://secretsmanager.eu-west-1.amazonaws.com' }, {});
    const aws = awsClientConfig({}, { AWS_REGION: 'eu-west-1' });

    // Assess
    expect(local).toEqual({
      endpoint: 'http://127.0.0.1:5000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    expect(localWithProfile).toEqual({ endpoint: 'http://localhost:4566', region: 'us-east-1' });
    expect(remote).toEqual({ endpoint: 'https://secretsmanager.eu-west-1.amazonaws.com' });
    expect(aws).toEqual({ region: 'eu-west-1' });
  });

  it('refuses --config together with --config-parameter as bad input', async () => {
    // Act
    const code = await runCli(['config', 'show', '--config', 'a.json', '--config-parameter', '/b'], {
      stdout: new Writable({ write: (_c, _e, done) => done() }),
      stderr: new Writable({ write: (_c, _e, done) => done() }),
      env: {},
    });

    // Assess
    expect(code).toBe(EXIT_CODES.badInput);
  });
});
