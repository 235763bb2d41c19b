import { describe, expect, it } from 'vitest';
import { managementPrefixOf, serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import { ConfigurationError, TemporarilyUnavailableError } from '../../functions/core/errors.js';
import {
  loadManagementCredentials,
  storeManagementCredentials,
  withoutManagementCredentials,
} from '../../functions/core/managementCredentials.js';
import type { RegisteredRecord } from '../../functions/core/secretRecord.js';
import { registerTenant } from '../../functions/core/useCases/registerTenant.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';
import { ScriptedIdentityProvider } from '../helpers/scriptedIdentityProvider.js';
import { unitDependencies } from '../helpers/unitDependencies.js';

const PREFIX = 'dcr/clients/';
const MANAGEMENT = 'dcr/management/';
const IAT_SECRET = 'dcr/iat';
const TENANT_SECRET = `${PREFIX}managed/acme`;
const MANAGEMENT_SECRET = `${MANAGEMENT}managed/acme`;

const target = (host: string) => ({
  profile: 'rfc7591',
  registrationEndpoint: `https://${host}/register`,
  tokenEndpoint: `https://${host}/token`,
  initialAccessTokenSecretId: IAT_SECRET,
});

async function setup() {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: IAT_SECRET, value: 'initial-access-token-value' });
  const idp = new ScriptedIdentityProvider((t) => !t.registrationEndpoint.includes('unmanaged'));
  const lines: string[] = [];
  let clock = Date.parse('2026-12-03T10:00:00Z');
  const deps = unitDependencies({
    config: serviceConfigSchema().parse({
      secretNamePrefix: PREFIX,
      defaultTarget: 'managed',
      targets: { managed: target('managed.example.com'), unmanaged: target('unmanaged.example.com') },
    }),
    secrets,
    idp,
    lines,
    now: () => new Date(clock),
  });
  const json = async (name: string) => {
    const stored = await secrets.get(name);
    return stored ? (JSON.parse(stored.value) as Record<string, unknown>) : undefined;
  };
  return { secrets, idp, deps, lines, json, advance: (ms: number) => (clock += ms) };
}

describe('management secret: where RFC 7592 credentials live', () => {
  it('registerTenant writes them to the management secret only; the tenant secret has none', async () => {
    // Prepare
    const { deps, json, idp } = await setup();

    // Act
    const outcome = await registerTenant({ tenantId: 'acme', target: 'managed' }, deps);

    // Assess
    const tenant = await json(TENANT_SECRET);
    const management = await json(MANAGEMENT_SECRET);
    expect(tenant).not.toHaveProperty('registration_access_token');
    expect(tenant).not.toHaveProperty('registration_client_uri');
    expect(management).toMatchObject({
      dcr_role: 'management',
      tenant_id: 'acme',
      target: 'managed',
      client_id: outcome.clientId,
      registration_client_uri: `https://managed.example.com/register/${outcome.clientId}`,
      registration_access_token: idp.clients.get(outcome.clientId as string)?.registrationAccessToken,
    });
  });

  it('writes no management secret when the provider issued no RFC 7592 credentials', async () => {
    // Prepare
    const { deps, secrets } = await setup();

    // Act
    await registerTenant({ tenantId: 'acme', target: 'unmanaged' }, deps);

    // Assess
    expect(secrets.names().filter((name) => name.startsWith(MANAGEMENT))).toEqual([]);
  });

  it('deletes the new client and the management secret when the tenant record cannot be written', async () => {
    // Prepare
    const { deps, secrets, idp } = await setup();
    secrets.failWith(
      'put',
      (name) => name === TENANT_SECRET,
      new ConfigurationError('writing a secret was refused by AWS (ValidationException)'),
    );

    // Act
    const run = registerTenant({ tenantId: 'acme', target: 'managed' }, deps);

    // Assess
    await expect(run).rejects.toThrow();
    expect(idp.deleted).toEqual(idp.registered);
    expect(secrets.names()).toEqual([IAT_SECRET]);
  });

  it('undoes at once when the management secret cannot be written: client deleted, claim released, no read-back', async () => {
    // Prepare: the management write fails, and so would any read of the tenant secret (a read-back would
    // then keep the claim pending until stale and the client alive).
    const { deps, secrets, idp } = await setup();
    const failure = new TemporarilyUnavailableError('creating a secret failed (TimeoutError)');
    secrets.failWith('create', (name) => name === MANAGEMENT_SECRET, failure);
    secrets.failWith('get', (name) => name === TENANT_SECRET, failure);

    // Act
    const run = registerTenant({ tenantId: 'acme', target: 'managed' }, deps);

    // Assess
    await expect(run).rejects.toBe(failure);
    expect(idp.deleted).toEqual(idp.registered);
    expect(secrets.names()).toEqual([IAT_SECRET]);
  });

  it('keeps the management secret when the unstored client cannot be deleted yet, so the retry removes it: one client in the end', async () => {
    // Prepare: the tenant write fails for sure (read-back shows no record), and so does every delete attempt.
    const { deps, secrets, idp, json, lines } = await setup();
    let failing = true;
    secrets.failWith(
      'put',
      (name) => failing && name === TENANT_SECRET,
      new TemporarilyUnavailableError('writing a secret failed (TimeoutError)'),
    );
    const unavailable = () => new TemporarilyUnavailableError('identity provider unavailable (503)');
    idp.failNext('deleteClient', ...Array.from({ length: deps.retry.maxAttempts }, unavailable));
    await expect(registerTenant({ tenantId: 'acme', target: 'managed' }, deps)).rejects.toThrow();
    const [first] = idp.registered;
    expect(idp.deleted).toEqual([]);
    expect((await json(MANAGEMENT_SECRET))?.client_id).toBe(first);
    // Not an orphan: a possible one (alarmed), which the next attempt removes.
    expect(lines.some((line) => line.includes('orphaned client'))).toBe(false);
    expect(lines.some((line) => line.includes('"PossibleOrphan":1'))).toBe(true);
    failing = false;

    // Act: the caller's retry
    const outcome = await registerTenant({ tenantId: 'acme', target: 'managed' }, deps);

    // Assess
    expect(outcome.status).toBe('registered');
    expect(idp.deleted).toEqual([first]);
    expect([...idp.clients.keys()]).toEqual([outcome.clientId]);
    expect((await json(TENANT_SECRET))?.client_id).toBe(outcome.clientId);
  });

  it('an invocation that ended between the management write and the tenant record: the next claimant deletes that client', async () => {
    // Prepare: the tenant write and its read-back fail, so nothing is undone (what a crash leaves).
    const { deps, secrets, idp, json, advance } = await setup();
    let crashed = true;
    const failure = new TemporarilyUnavailableError('writing a secret failed (TimeoutError)');
    secrets.failWith('put', (name) => crashed && name === TENANT_SECRET, failure);
    secrets.failWith('get', (name) => crashed && name === TENANT_SECRET, failure);
    await expect(registerTenant({ tenantId: 'acme', target: 'managed' }, deps)).rejects.toThrow();
    const [leftover] = idp.registered;
    expect((await json(MANAGEMENT_SECRET))?.client_id).toBe(leftover);
    crashed = false;
    advance(deps.claim.staleAfterMs + 1);

    // Act
    const outcome = await registerTenant({ tenantId: 'acme', target: 'managed' }, deps);

    // Assess
    expect(outcome.status).toBe('registered');
    expect(idp.deleted).toEqual([leftover]);
    expect([...idp.clients.keys()]).toEqual([outcome.clientId]);
    expect((await json(MANAGEMENT_SECRET))?.client_id).toBe(outcome.clientId);
    expect((await json(TENANT_SECRET))?.client_id).toBe(outcome.clientId);
  });
});

describe('loadManagementCredentials / storeManagementCredentials', () => {
  const legacy = (clientId: string): RegisteredRecord => ({
    dcr_status: 'registered',
    client_id: clientId,
    client_secret: 'legacy-client-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    registration_client_uri: `https://managed.example.com/register/${clientId}`,
    registration_access_token: 'legacy-registration-access-token',
    tenant_id: 'acme',
    target: 'managed',
    profile: 'rfc7591',
    registration_endpoint: 'https://managed.example.com/register',
    registered_at: '2026-01-01T00:00:00.000Z',
    client_metadata: {},
  });

  it('reads a record written before the management secret existed from the record itself', async () => {
    // Prepare
    const { deps } = await setup();

    // Act
    const client = await loadManagementCredentials(deps, TENANT_SECRET, legacy('c1'));

    // Assess
    expect(client).toEqual({
      registration_client_uri: 'https://managed.example.com/register/c1',
      registration_access_token: 'legacy-registration-access-token',
    });
  });

  it('moves a legacy record’s credentials to the management secret, keeping what the answer left out', async () => {
    // Prepare
    const { deps, json } = await setup();
    const record = legacy('c1');

    // Act
    await storeManagementCredentials(deps, TENANT_SECRET, record, { registration_access_token: 'rotated-token-value' });

    // Assess
    expect(await json(MANAGEMENT_SECRET)).toMatchObject({
      client_id: 'c1',
      registration_client_uri: 'https://managed.example.com/register/c1',
      registration_access_token: 'rotated-token-value',
    });
    const stripped = withoutManagementCredentials(record);
    expect(await loadManagementCredentials(deps, TENANT_SECRET, stripped)).toEqual({
      registration_client_uri: 'https://managed.example.com/register/c1',
      registration_access_token: 'rotated-token-value',
    });
  });

  it('ignores a management secret that belongs to another client of the tenant', async () => {
    // Prepare
    const { deps } = await setup();
    await storeManagementCredentials(deps, TENANT_SECRET, legacy('old-client'), {});

    // Act
    const client = await loadManagementCredentials(deps, TENANT_SECRET, withoutManagementCredentials(legacy('new-client')));

    // Assess
    expect(client).toEqual({});
  });

  it('writes nothing when the credentials did not change', async () => {
    // Prepare
    const { deps, secrets } = await setup();
    await storeManagementCredentials(deps, TENANT_SECRET, legacy('c1'), {});
    const writes = secrets.calls.length;

    // Act
    await storeManagementCredentials(deps, TENANT_SECRET, withoutManagementCredentials(legacy('c1')), {});

    // Assess
    expect(secrets.calls.slice(writes).filter((call) => !call.startsWith('get'))).toEqual([]);
  });
});

describe('managementSecretNamePrefix', () => {
  const base = { targets: { default: target('idp.example.com') } };

  it.each([
    ['dcr/clients/', undefined, 'dcr/management/'],
    ['tenants/oauth/', undefined, 'tenants/oauth.management/'],
    ['dcr/clients/', 'ops/rfc7592/', 'ops/rfc7592/'],
  ])('client prefix %s, configured %s: management secrets under %s', (secretNamePrefix, managementSecretNamePrefix, expected) => {
    // Act
    const config = serviceConfigSchema().parse({ ...base, secretNamePrefix, managementSecretNamePrefix });

    // Assess
    expect(managementPrefixOf(config)).toBe(expected);
  });

  it.each([
    ['dcr/', 'dcr/management/'],
    ['dcr/clients/', 'dcr/clients/management/'],
    ['dcr/clients/', 'dcr/'],
    ['dcr', undefined],
  ])('refuses overlapping prefixes: clients %s, management %s', (secretNamePrefix, managementSecretNamePrefix) => {
    // Act
    const parsed = serviceConfigSchema().safeParse({ ...base, secretNamePrefix, managementSecretNamePrefix });

    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain('managementSecretNamePrefix');
  });
});
