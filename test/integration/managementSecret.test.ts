import { randomUUID } from 'node:crypto';
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { localTarget, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { clientCredentialsToken } from '../../sandbox/tokenRequest.js';
import { type CliResult, runCli } from '../helpers/cliProcess.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

// Issue 18: the RFC 7592 credentials live in a management secret of their own; the tenant secret
// (what a consumer may read) holds none, while rotation (HTTP, CLI) and offboarding still reach the
// client. The provider here rotates the registration access token on every RFC 7592 call, as Keycloak
// does, so a second rotation works only if the first one stored the new token where the next reads it.

let env: RegistrationEnvironment;
let keycloakLike: LocalIdentityProvider;
const run = randomUUID().slice(0, 8);
const secrets = new SecretsManagerClient({});
const cliOutput: string[] = [];

const tenantSecret = (tenant: string) => `${env.prefix}rotating/${tenant}`;
const managementSecret = (tenant: string) => `${env.prefix.replace(/clients\/$/, 'management/')}rotating/${tenant}`;
const post = (tenantId: string) =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target: 'rotating' }) }));
const call = (method: string, path: string) => env.invoke(httpApiEvent({ method, path }));
const body = (response: { body: string }) => JSON.parse(response.body);

async function read(name: string): Promise<Record<string, any> | undefined> {
  try {
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: name }));
    return JSON.parse(value.SecretString ?? '{}');
  } catch {
    return undefined;
  }
}

function dcr(args: string[]): Promise<CliResult> {
  return runCli(args, { configParameterName: process.env.CONFIG_PARAMETER_NAME ?? '', unrevealed: cliOutput });
}

async function obtainsToken(record: Record<string, any>): Promise<boolean> {
  const response = await clientCredentialsToken(keycloakLike.tokenEndpoint, record as never);
  return response.status === 200;
}

beforeAll(async () => {
  keycloakLike = await startLocalIdentityProvider({ profile: 'rfc7591', rotateRegistrationAccessToken: true });
  const iat = `dcr-test/${run}/iat/rotating`;
  await seedInitialAccessToken(secrets, iat, await keycloakLike.issueInitialAccessToken());
  env = await startRegistrationEnvironment((config) => {
    config.offboardingRecoveryWindowDays = 7;
    config.targets.rotating = { ...localTarget(keycloakLike, iat), issuer: keycloakLike.issuer };
  });
});

afterAll(async () => {
  const known = [...(await env.secretValues()), ...keycloakLike.issuedSecrets];
  expect(leakedSecrets([...env.logs, ...env.responses, ...cliOutput], known)).toEqual([]);
  await env.close();
  await keycloakLike.close();
  secrets.destroy();
});

describe('the management secret', () => {
  it('holds the RFC 7592 credentials, tagged dcr:role=management; the tenant secret holds none', async () => {
    // Act
    const created = body(await post('apart'));

    // Assess
    const tenant = await read(tenantSecret('apart'));
    const management = await read(managementSecret('apart'));
    expect(tenant).toMatchObject({ dcr_status: 'registered', client_id: created.clientId, client_secret: expect.any(String) });
    expect(tenant).not.toHaveProperty('registration_access_token');
    expect(tenant).not.toHaveProperty('registration_client_uri');
    expect(management).toMatchObject({
      dcr_role: 'management',
      client_id: created.clientId,
      registration_access_token: expect.any(String),
      registration_client_uri: expect.stringContaining(created.clientId),
    });
    const described = await secrets.send(new DescribeSecretCommand({ SecretId: managementSecret('apart') }));
    expect(described.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'dcr:tenant', Value: 'apart' },
        { Key: 'dcr:target', Value: 'rotating' },
        { Key: 'dcr:role', Value: 'management' },
      ]),
    );
    expect(await obtainsToken(tenant ?? {})).toBe(true);
  });

  it('rotate by HTTP, twice: each rotation reads the token the previous one stored (the provider rotates it)', async () => {
    // Prepare
    await post('rotated');
    const before = await read(tenantSecret('rotated'));
    const tokenBefore = (await read(managementSecret('rotated')))?.registration_access_token;

    // Act
    const first = await call('POST', '/registrations/rotating/rotated/rotate');
    const tokenBetween = (await read(managementSecret('rotated')))?.registration_access_token;
    const second = await call('POST', '/registrations/rotating/rotated/rotate');

    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(tokenBetween).not.toBe(tokenBefore);
    expect((await read(managementSecret('rotated')))?.registration_access_token).not.toBe(tokenBetween);
    const after = await read(tenantSecret('rotated'));
    expect(after?.client_secret).not.toBe(before?.client_secret);
    expect(after).not.toHaveProperty('registration_access_token');
    expect(await obtainsToken(after ?? {})).toBe(true);
  });

  it('rotate by the CLI reads the management secret too', async () => {
    // Prepare
    await post('cli-rotated');
    const before = await read(tenantSecret('cli-rotated'));

    // Act
    const result = await dcr(['rotate', '--target', 'rotating', '--tenant', 'cli-rotated']);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^status\s+rotated$/m);
    const after = await read(tenantSecret('cli-rotated'));
    expect(after?.client_secret).not.toBe(before?.client_secret);
    expect(after).not.toHaveProperty('registration_access_token');
  });

  it('offboarding deletes the client at the provider, then the management secret with the tenant secret', async () => {
    // Prepare
    const created = body(await post('leaving'));

    // Act
    const response = await call('DELETE', '/registrations/rotating/leaving');

    // Assess
    expect(response.statusCode).toBe(204);
    expect(keycloakLike.clientIds()).not.toContain(created.clientId);
    expect(await read(managementSecret('leaving'))).toBeUndefined();
    expect(await read(tenantSecret('leaving'))).toBeUndefined();
  });
});

describe('a record written before the management secret existed', () => {
  /** Puts the RFC 7592 credentials back into the tenant secret and removes the management secret. */
  async function makeLegacy(tenant: string): Promise<Record<string, any>> {
    const record = await read(tenantSecret(tenant));
    const management = await read(managementSecret(tenant));
    const legacy: Record<string, any> = {
      ...record,
      registration_client_uri: management?.registration_client_uri,
      registration_access_token: management?.registration_access_token,
    };
    delete legacy.schema_version;
    delete legacy.issuer;
    await secrets.send(new PutSecretValueCommand({ SecretId: tenantSecret(tenant), SecretString: JSON.stringify(legacy) }));
    await secrets.send(new DeleteSecretCommand({ SecretId: managementSecret(tenant), ForceDeleteWithoutRecovery: true }));
    return legacy;
  }

  it('keeps working, and migrates on its next write: the fields move to the management secret', async () => {
    // Prepare
    await post('legacy');
    const legacy = await makeLegacy('legacy');
    expect(await read(managementSecret('legacy'))).toBeUndefined();

    // Act
    const rotated = await call('POST', '/registrations/rotating/legacy/rotate');

    // Assess
    expect(rotated.statusCode).toBe(200);
    const after = await read(tenantSecret('legacy'));
    expect(after).not.toHaveProperty('registration_access_token');
    expect(after).not.toHaveProperty('registration_client_uri');
    expect(after).toMatchObject({ schema_version: 1, issuer: keycloakLike.issuer });
    const management = await read(managementSecret('legacy'));
    expect(management).toMatchObject({ client_id: legacy.client_id, registration_client_uri: legacy.registration_client_uri });
    // The provider rotated the token on the PUT: only the stored one works from now on.
    expect(management?.registration_access_token).not.toBe(legacy.registration_access_token);
    expect(await obtainsToken(after ?? {})).toBe(true);
  });

  it('is offboarded with the credentials still in the tenant secret: the client is gone at the provider', async () => {
    // Prepare
    const created = body(await post('legacy-leaving'));
    await makeLegacy('legacy-leaving');

    // Act
    const response = await call('DELETE', '/registrations/rotating/legacy-leaving');

    // Assess
    expect(response.statusCode).toBe(204);
    expect(keycloakLike.clientIds()).not.toContain(created.clientId);
  });
});
