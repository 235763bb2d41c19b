import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { CLIENT_CREDENTIALS_CLIENT } from '../../sandbox/seedLocalAws.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationFront, startRegistrationFront } from '../helpers/registrationCredentialPeer.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

/**
 * Issue 15, "registration credential per target", end to end: the real handler on moto and loopback
 * peers registers a tenant with each credential type — a token minted by client credentials (basic,
 * post, private_key_jwt) from a token endpoint whose tokens live 2 s, an `SSWS` API key, and open
 * registration — and no credential reaches a log line or an answer.
 */

const secret = (label: string) => `${label}-${randomBytes(18).toString('base64url')}`;
const run = randomUUID().slice(0, 8);
const ids = {
  clientSecret: `dcr-test/${run}/reg/client-secret`,
  clientKey: `dcr-test/${run}/reg/client-key`,
  apiKey: `dcr-test/${run}/reg/api-key`,
  wrongApiKey: `dcr-test/${run}/reg/wrong-api-key`,
};
const clientSecret = secret('registrar-secret');
const apiKey = secret('okta-api-key');
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'registrar-key' };

let env: RegistrationEnvironment;
let inner: LocalIdentityProvider;
let innerIat: string;
let open: LocalIdentityProvider;
let shortLived: RegistrationFront;
let longLived: RegistrationFront;
let sswsFront: RegistrationFront;
const openAuthorizations: (string | undefined)[] = [];

const post = (tenantId: string, target: string) =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target }) }));

beforeAll(async () => {
  inner = await startLocalIdentityProvider({ profile: 'rfc7591' });
  innerIat = await inner.issueInitialAccessToken();
  const registrar = { clientId: 'registrar', clientSecret, publicJwk: publicKey.export({ format: 'jwk' }) };
  shortLived = await startRegistrationFront(inner, innerIat, { kind: 'clientCredentials', ...registrar, lifetimeSeconds: 2 });
  longLived = await startRegistrationFront(inner, innerIat, { kind: 'clientCredentials', ...registrar, lifetimeSeconds: 3600 });
  sswsFront = await startRegistrationFront(inner, innerIat, { kind: 'apiKey', key: apiKey, scheme: 'SSWS' });
  open = await startLocalIdentityProvider({
    profile: 'rfc7591',
    openRegistration: true,
    gate: (req) => {
      if (req.method === 'POST' && req.url === '/reg') openAuthorizations.push(req.headers.authorization);
      return false;
    },
  });

  const secrets = new SecretsManagerClient({});
  for (const [name, value] of [
    [ids.clientSecret, JSON.stringify({ client_id: 'registrar', client_secret: clientSecret })],
    [ids.clientKey, JSON.stringify({ client_id: 'registrar', private_key_jwk: privateJwk })],
    [ids.apiKey, apiKey],
    [ids.wrongApiKey, JSON.stringify({ apiKey: secret('not-the-key') })],
  ] as const) {
    await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  }
  secrets.destroy();

  const behind = (front: RegistrationFront, registrationCredential: Record<string, unknown>) => ({
    profile: 'rfc7591',
    registrationEndpoint: front.registrationEndpoint,
    registrationCredential,
    tokenEndpoint: inner.tokenEndpoint,
    clientMetadata: CLIENT_CREDENTIALS_CLIENT,
    // RFC 7592 calls go to the provider behind the front.
    allowedManagementOrigins: [inner.issuer],
  });
  const minting = (front: RegistrationFront, secretId: string, extra: Record<string, unknown> = {}) =>
    behind(front, { type: 'clientCredentials', tokenEndpoint: front.tokenEndpoint, secretId, scope: 'dcr', ...extra });
  env = await startRegistrationEnvironment((config) => {
    config.targets['minted-basic'] = minting(shortLived, ids.clientSecret);
    config.targets['minted-jwt'] = minting(shortLived, ids.clientKey, { authMethod: 'private_key_jwt' });
    config.targets['minted-post'] = minting(longLived, ids.clientSecret, { authMethod: 'client_secret_post' });
    config.targets.ssws = behind(sswsFront, { type: 'apiKey', secretId: ids.apiKey });
    config.targets['ssws-wrong'] = behind(sswsFront, { type: 'apiKey', secretId: ids.wrongApiKey });
    config.targets.open = {
      profile: 'rfc7591',
      registrationEndpoint: open.registrationEndpoint,
      registrationCredential: { type: 'none' },
      tokenEndpoint: open.tokenEndpoint,
      clientMetadata: CLIENT_CREDENTIALS_CLIENT,
    };
  });
});

afterAll(async () => {
  const minted = [...shortLived.minted, ...longLived.minted];
  const secrets = [clientSecret, apiKey, innerIat, String(privateJwk.d), ...minted, ...inner.issuedSecrets, ...open.issuedSecrets];
  expect(minted.length).toBeGreaterThan(3);
  expect(leakedSecrets([...env.logs, ...env.responses], [...secrets, ...(await env.secretValues())])).toEqual([]);
  await env.close();
  await Promise.all([inner.close(), open.close(), shortLived.close(), longLived.close(), sswsFront.close()]);
});

describe('registration credentials end to end', () => {
  it.each([
    ['minted-basic', 'client_secret_basic'],
    ['minted-jwt', 'private_key_jwt'],
  ])('%s: registers with a token minted by %s', async (target, method) => {
    // Prepare
    const before = shortLived.accepted;

    // Act
    const response = await post(`tenant-${target}`, target);

    // Assess
    expect(response.statusCode).toBe(201);
    expect(inner.clientIds()).toContain(JSON.parse(response.body).clientId);
    expect(shortLived.accepted).toBe(before + 1);
    expect(shortLived.mintedBy.at(-1)).toBe(method);
    expect(shortLived.refused).toBe(0);
  });

  it('replaces a minted token before it expires: no registration is refused for an expired token', async () => {
    // Prepare: a token minted for minted-basic, then its 2 s lifetime over.
    expect((await post('before-expiry', 'minted-basic')).statusCode).toBe(201);
    const mints = shortLived.minted.length;
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    // Act
    const response = await post('after-expiry', 'minted-basic');

    // Assess
    expect(response.statusCode).toBe(201);
    expect(shortLived.minted.length).toBe(mints + 1);
    expect(shortLived.refused).toBe(0);
  });

  it('client_secret_post: reuses one token, and mints once more when the registration endpoint refuses it', async () => {
    // Prepare
    expect((await post('post-1', 'minted-post')).statusCode).toBe(201);
    expect((await post('post-2', 'minted-post')).statusCode).toBe(201);
    expect(longLived.minted).toHaveLength(1);
    expect(longLived.mintedBy).toEqual(['client_secret_post']);
    longLived.revokeTokens();

    // Act
    const response = await post('post-3', 'minted-post');

    // Assess
    expect(response.statusCode).toBe(201);
    expect(longLived.refused).toBe(1);
    expect(longLived.minted).toHaveLength(2);
  });

  it('apiKey: registers with Authorization: SSWS <key>; a wrong key is refused, and not sent again when a re-read finds the same key', async () => {
    // Act
    const good = await post('okta-tenant', 'ssws');
    const wrong = await post('okta-wrong', 'ssws-wrong');

    // Assess
    expect(good.statusCode).toBe(201);
    expect(wrong.statusCode).toBe(502);
    expect(sswsFront.accepted).toBe(1);
    expect(sswsFront.refused).toBe(1);
  });

  it('none: registers at an open endpoint without any Authorization header', async () => {
    // Act
    const response = await post('open-tenant', 'open');

    // Assess
    expect(response.statusCode).toBe(201);
    expect(open.clientIds()).toContain(JSON.parse(response.body).clientId);
    expect(openAuthorizations).toEqual([undefined]);
  });
});
