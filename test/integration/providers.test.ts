import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationFront, startRegistrationFront } from '../helpers/registrationCredentialPeer.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

/**
 * docs/providers.md: every example target parses with the service's schema, and each one a local peer
 * can imitate registers through it with the example's own profile, credential type and metadata (only
 * URLs and secret ids are pointed at the peers).
 */

const PROVIDERS_DOC = new URL('../../docs/providers.md', import.meta.url);
const examples = Object.fromEntries(
  [...readFileSync(PROVIDERS_DOC, 'utf8').matchAll(/<!-- example-target: ([a-z0-9-]+) -->\n```json\n([\s\S]*?)\n```/g)].map(
    ([, name, json]) => [name as string, JSON.parse(json as string) as Record<string, any>],
  ),
);

const run = randomUUID().slice(0, 8);
const secretId = (name: string) => `dcr-test/${run}/providers/${name}`;
const value = (label: string) => `${label}-${randomBytes(18).toString('base64url')}`;
const registrarSecret = value('registrar-secret');
const oktaApiToken = value('okta-api-token');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const registrarJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'okta-registrar' };

let env: RegistrationEnvironment;
let keycloak: LocalIdentityProvider;
let behind: LocalIdentityProvider;
let open: LocalIdentityProvider;
let fronts: { curity: RegistrationFront; okta: RegistrationFront; oktaOauth: RegistrationFront };
const iats: string[] = [];

const call = (method: string, path: string, body?: unknown) =>
  env.invoke(httpApiEvent({ method, path, body: body === undefined ? undefined : JSON.stringify(body) }));

/** The example with its URLs and secret ids pointed at a peer; everything else as documented. */
function imitated(
  name: string,
  at: { registrationEndpoint: string; tokenEndpoint: string; credentialTokenEndpoint?: string; allowedManagementOrigins?: string[] },
) {
  const example = structuredClone(examples[name]) as Record<string, any>;
  const credential = example.registrationCredential as Record<string, unknown>;
  return {
    ...example,
    registrationEndpoint: at.registrationEndpoint,
    tokenEndpoint: at.tokenEndpoint,
    registrationCredential: {
      ...credential,
      ...('secretId' in credential ? { secretId: secretId(name) } : {}),
      ...(credential.type === 'clientCredentials' ? { tokenEndpoint: at.credentialTokenEndpoint } : {}),
    },
    ...(at.allowedManagementOrigins ? { allowedManagementOrigins: at.allowedManagementOrigins } : {}),
  };
}

beforeAll(async () => {
  keycloak = await startLocalIdentityProvider({ profile: 'rfc7591', rotateRegistrationAccessToken: true });
  behind = await startLocalIdentityProvider({ profile: 'rfc7591' });
  open = await startLocalIdentityProvider({ profile: 'rfc7591', openRegistration: true });
  const behindIat = await behind.issueInitialAccessToken();
  const registrar = { clientId: 'registrar', clientSecret: registrarSecret, publicJwk: publicKey.export({ format: 'jwk' }) };
  fronts = {
    curity: await startRegistrationFront(behind, behindIat, { kind: 'clientCredentials', ...registrar, lifetimeSeconds: 300 }),
    okta: await startRegistrationFront(behind, behindIat, { kind: 'apiKey', key: oktaApiToken, scheme: 'SSWS' }),
    oktaOauth: await startRegistrationFront(behind, behindIat, { kind: 'clientCredentials', ...registrar, lifetimeSeconds: 3600 }),
  };
  const keycloakIat = await keycloak.issueInitialAccessToken();
  iats.push(behindIat, keycloakIat);

  env = await startRegistrationEnvironment((config) => {
    config.targets.salesforce = imitated('salesforce', {
      registrationEndpoint: env?.salesforce.registrationEndpoint ?? config.targets.default.registrationEndpoint,
      tokenEndpoint: config.targets.default.tokenEndpoint,
    });
    config.targets.keycloak = imitated('keycloak', {
      registrationEndpoint: keycloak.registrationEndpoint,
      tokenEndpoint: keycloak.tokenEndpoint,
    });
    const viaFront = (front: RegistrationFront) => ({
      registrationEndpoint: front.registrationEndpoint,
      tokenEndpoint: behind.tokenEndpoint,
      credentialTokenEndpoint: front.tokenEndpoint,
      allowedManagementOrigins: [behind.issuer],
    });
    config.targets.okta = imitated('okta', viaFront(fronts.okta));
    config.targets['okta-oauth'] = imitated('okta-oauth', viaFront(fronts.oktaOauth));
    config.targets.curity = imitated('curity', viaFront(fronts.curity));
    config.targets.auth0 = imitated('auth0', { registrationEndpoint: open.registrationEndpoint, tokenEndpoint: open.tokenEndpoint });
  });

  const secrets = new SecretsManagerClient({});
  const salesforceIat = await env.salesforce.issueInitialAccessToken();
  iats.push(salesforceIat);
  for (const [name, secret] of [
    ['salesforce', salesforceIat],
    ['keycloak', JSON.stringify({ initialAccessToken: keycloakIat })],
    ['okta', oktaApiToken],
    ['okta-oauth', JSON.stringify({ client_id: 'registrar', private_key_jwk: registrarJwk })],
    ['curity', JSON.stringify({ client_id: 'registrar', client_secret: registrarSecret })],
  ] as const) {
    await secrets.send(new CreateSecretCommand({ Name: secretId(name), SecretString: secret }));
  }
  secrets.destroy();
});

afterAll(async () => {
  const minted = [...fronts.curity.minted, ...fronts.oktaOauth.minted];
  const secrets = [
    registrarSecret,
    oktaApiToken,
    String(registrarJwk.d),
    ...iats,
    ...minted,
    ...keycloak.issuedSecrets,
    ...behind.issuedSecrets,
  ];
  expect(leakedSecrets([...env.logs, ...env.responses], [...secrets, ...(await env.secretValues())])).toEqual([]);
  await env.close();
  await Promise.all([keycloak.close(), behind.close(), open.close(), ...Object.values(fronts).map((front) => front.close())]);
});

describe('docs/providers.md', () => {
  it('gives an example target for each provider that has DCR, and none for Entra ID', () => {
    expect(Object.keys(examples).sort()).toEqual(['auth0', 'curity', 'keycloak', 'okta', 'okta-oauth', 'salesforce']);
  });

  it('every example target is valid for the service schema', () => {
    // Act
    const config = parseServiceConfig(JSON.stringify({ defaultTarget: 'salesforce', targets: examples }), 'docs/providers.md');

    // Assess
    expect(Object.fromEntries(Object.entries(config.targets).map(([name, target]) => [name, target.registrationCredential.type]))).toEqual({
      salesforce: 'initialAccessToken',
      keycloak: 'initialAccessToken',
      okta: 'apiKey',
      'okta-oauth': 'clientCredentials',
      auth0: 'none',
      curity: 'clientCredentials',
    });
  });

  it.each(['salesforce', 'keycloak', 'okta', 'okta-oauth', 'curity', 'auth0'])(
    'the %s example registers through a peer that imitates it',
    async (name) => {
      // Act
      const response = await call('POST', '/registrations', { tenantId: `acme-${name}`, target: name });

      // Assess
      expect(response.statusCode).toBe(201);
      expect(JSON.parse(response.body)).toMatchObject({ target: name, status: 'registered' });
    },
  );

  it('keycloak: the registration access token it replaces on every call is kept current (rotate, then offboard)', async () => {
    // Prepare
    const created = await call('POST', '/registrations', { tenantId: 'kc-rotating', target: 'keycloak' });
    expect(created.statusCode).toBe(201);

    // Act
    const rotated = await call('POST', '/registrations/keycloak/kc-rotating/rotate');
    const offboarded = await call('DELETE', '/registrations/keycloak/kc-rotating');

    // Assess
    expect(rotated.statusCode).toBe(200);
    // The DELETE carries the token the rotation's answer brought: the first one no longer works.
    expect(offboarded.statusCode).toBe(204);
    expect(keycloak.clientIds()).not.toContain(JSON.parse(created.body).clientId);
  });

  it('okta: the API token travels as Authorization: SSWS; okta-oauth mints by private_key_jwt', () => {
    expect(fronts.okta.accepted).toBe(1);
    expect(fronts.oktaOauth.mintedBy).toEqual(['private_key_jwt']);
    expect(fronts.curity.mintedBy).toEqual(['client_secret_basic']);
  });
});
