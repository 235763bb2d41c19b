import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTenantToken } from '../../examples/consumer/getTenantToken.js';
import { readTenantCredentials } from '../../examples/consumer/tenantCredentials.js';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { localTarget, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

// Issue 18: a consumer gets an access token from the tenant secret alone, with Powertools Parameters
// (getSecret) and openid-client (client credentials grant): no issuer, endpoint or configuration
// from anywhere else. The peers are moto's Secrets Manager and oidc-provider on loopback.

let env: RegistrationEnvironment;
let plain: LocalIdentityProvider;
const run = randomUUID().slice(0, 8);
const secrets = new SecretsManagerClient({});
const loopback = { allowInsecureRequests: true };

const register = async (tenantId: string, target: string): Promise<string> => {
  const response = await env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target }) }));
  expect(response.statusCode).toBe(201);
  return JSON.parse(response.body).secretName;
};

beforeAll(async () => {
  plain = await startLocalIdentityProvider({ profile: 'rfc7591' });
  const iat = `dcr-test/${run}/iat/plain`;
  await seedInitialAccessToken(secrets, iat, await plain.issueInitialAccessToken());
  env = await startRegistrationEnvironment((config) => {
    // The issuer is configured; the token endpoint is not: the service discovers it for the contract.
    const { tokenEndpoint: _discovered, ...target } = localTarget(plain, iat);
    config.targets.plain = { ...target, issuer: plain.issuer };
  });
});

afterAll(async () => {
  const known = [...(await env.secretValues()), ...plain.issuedSecrets];
  expect(leakedSecrets([...env.logs, ...env.responses], known)).toEqual([]);
  await env.close();
  await plain.close();
  secrets.destroy();
});

describe('examples/consumer', () => {
  it('imports nothing of the service: what it knows comes from the tenant secret', () => {
    const sources = readdirSync(new URL('../../examples/consumer/', import.meta.url)).filter((name) => name.endsWith('.ts'));
    const imports = sources.flatMap((name) =>
      [...readFileSync(new URL(`../../examples/consumer/${name}`, import.meta.url), 'utf8').matchAll(/from '([^']+)'/g)].map(
        (match) => match[1],
      ),
    );
    expect(new Set(imports)).toEqual(new Set(['openid-client', '@aws-lambda-powertools/parameters/secrets', './tenantCredentials.js']));
  });

  it('rfc7591 (client_secret_basic, token endpoint discovered by the service): obtains an access token', async () => {
    // Prepare
    const secretName = await register('consumer-basic', 'plain');

    // Act
    const token = await getTenantToken(secretName, loopback);

    // Assess
    expect(token.access_token).toEqual(expect.any(String));
    expect(token.token_type?.toLowerCase()).toBe('bearer');
    const credentials = await readTenantCredentials(secretName);
    expect(credentials).toMatchObject({
      issuer: plain.issuer,
      token_endpoint: plain.tokenEndpoint,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(credentials).not.toHaveProperty('registration_access_token');
  });

  it('salesforce profile (client_secret_post): obtains an access token', async () => {
    // Prepare
    const secretName = await register('consumer-post', 'default');

    // Act
    const token = await getTenantToken(secretName, loopback);

    // Assess
    expect(token.access_token).toEqual(expect.any(String));
    expect((await readTenantCredentials(secretName)).token_endpoint_auth_method).toBe('client_secret_post');
  });

  it('after a rotation the cached secret is refused; it reads the secret again and obtains a token', async () => {
    // Prepare: a token with the cached credentials, then a rotation that replaces the client secret.
    const secretName = await register('consumer-rotated', 'plain');
    const before = await readTenantCredentials(secretName);
    await getTenantToken(secretName, loopback);
    const rotated = await env.invoke(httpApiEvent({ method: 'POST', path: '/registrations/plain/consumer-rotated/rotate' }));
    expect(rotated.statusCode).toBe(200);

    // Act
    const token = await getTenantToken(secretName, loopback);

    // Assess
    expect(token.access_token).toEqual(expect.any(String));
    expect((await readTenantCredentials(secretName, { forceFetch: true })).client_secret).not.toBe(before.client_secret);
  });

  it('refuses a secret that holds no credentials yet, and a contract version it does not know', async () => {
    // Prepare
    const pending = `dcr-test/${run}/consumer/pending`;
    const future = `dcr-test/${run}/consumer/future`;
    await secrets.send(new CreateSecretCommand({ Name: pending, SecretString: JSON.stringify({ dcr_status: 'pending' }) }));
    const later = { schema_version: 2, dcr_status: 'registered', issuer: 'https://x', token_endpoint: 'https://x/t' };
    await secrets.send(new CreateSecretCommand({ Name: future, SecretString: JSON.stringify(later) }));

    // Act + Assess
    await expect(readTenantCredentials(pending)).rejects.toThrow(/holds no credentials/);
    await expect(readTenantCredentials(future)).rejects.toThrow(/schema_version 2/);
  });
});
