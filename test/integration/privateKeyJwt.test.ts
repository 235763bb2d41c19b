import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signClientAssertion } from '../../functions/core/idp/clientAssertion.js';
import type { ClientCredentials } from '../../functions/core/ports/IdentityProvider.js';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { CLIENT_CREDENTIALS_CLIENT, localTarget, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { clientCredentialsToken } from '../../sandbox/tokenRequest.js';
import { type CliResult, runCli } from '../helpers/cliProcess.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { createOutcomeQueue, type OutcomeQueue } from '../helpers/outcomeQueue.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

/**
 * private_key_jwt clients end to end (issue 15), on oidc-provider and moto: the real handler registers
 * the generated public key, the tenant secret alone obtains a token with a signed client assertion, the
 * canary proves such a target (throw-away and kept client), rotation replaces the key (the old key is
 * refused), and no private key member appears in any log line, answer, outcome event or CLI output.
 */

const KEYED_CLIENT = { ...CLIENT_CREDENTIALS_CLIENT, token_endpoint_auth_method: 'private_key_jwt' };
const run = randomUUID().slice(0, 8);
let env: RegistrationEnvironment;
/** A provider without RFC 7592: the canary keeps its client there. */
let unmanaged: LocalIdentityProvider;
const cliOutput: string[] = [];
let outcomes: OutcomeQueue;
/** Every private key the test saw stored (current and rotated-away), for the leak scan. */
const privateKeys = new Map<string, Record<string, string>>();

const post = (tenantId: string, target: string) =>
  env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, target }) }));

async function current(secretName: string): Promise<Record<string, any>> {
  const value = await env.secretsClient.send(new GetSecretValueCommand({ SecretId: secretName }));
  const record = JSON.parse(value.SecretString ?? '{}');
  if (record.private_key_jwk) privateKeys.set(record.private_key_jwk.kid, record.private_key_jwk);
  return record;
}

/** A token request built from nothing but the stored record: client_id, token_endpoint and private_key_jwk. */
function tokenFromRecordAlone(record: Record<string, any>): Promise<Response> {
  const assertion = signClientAssertion({
    clientId: record.client_id,
    audience: record.token_endpoint,
    privateJwk: record.private_key_jwk,
    now: new Date(),
  });
  return fetch(record.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString(),
  });
}

function dcr(args: string[]): Promise<CliResult> {
  return runCli(args, { configParameterName: String(process.env.CONFIG_PARAMETER_NAME), unrevealed: cliOutput });
}

beforeAll(async () => {
  unmanaged = await startLocalIdentityProvider({ profile: 'rfc7591', registrationManagement: false });
  const iat = `dcr-test/${run}/iat/keyed-unmanaged`;
  const secrets = new SecretsManagerClient({});
  await seedInitialAccessToken(secrets, iat, await unmanaged.issueInitialAccessToken());
  secrets.destroy();
  outcomes = await createOutcomeQueue(`keys-${run}`);
  process.env.EVENT_BUS_NAME = outcomes.busName;
  env = await startRegistrationEnvironment((config) => {
    config.targets.keyed = { ...config.targets.rfc, clientMetadata: KEYED_CLIENT };
    config.targets['keyed-rsa'] = { ...config.targets.rfc, clientMetadata: KEYED_CLIENT, clientKeyAlgorithm: 'RS256' };
    config.targets['keyed-unmanaged'] = localTarget(unmanaged, iat, KEYED_CLIENT);
  });
});

afterAll(async () => {
  const secretValues = [...privateKeys.values()].flatMap((jwk) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((member) => jwk[member]));
  const known = secretValues.filter((value): value is string => typeof value === 'string');
  expect(known.length).toBeGreaterThanOrEqual(8);
  const events = await outcomes.drain();
  expect(events.map((event) => event['detail-type'])).toEqual(expect.arrayContaining(['ClientRegistered', 'ClientSecretRotated']));
  const texts = [...env.logs, ...env.responses, ...cliOutput, ...events.map((event) => JSON.stringify(event))];
  expect(leakedSecrets(texts, [...known, ...(await env.secretValues())])).toEqual([]);
  delete process.env.EVENT_BUS_NAME;
  await env?.close();
  await unmanaged?.close();
});

describe('registering a private_key_jwt client', () => {
  it.each([
    ['keyed', 'ES256', 'EC'],
    ['keyed-rsa', 'RS256', 'RSA'],
  ])(
    '%s: the provider holds the public key alone, the tenant secret the private key (%s) and no client_secret',
    async (target, alg, kty) => {
      // Act
      const response = await post(`acme-${target}`, target);

      // Assess
      expect(response.statusCode).toBe(201);
      const record = await current(JSON.parse(response.body).secretName);
      expect(record.token_endpoint_auth_method).toBe('private_key_jwt');
      expect(record.client_secret).toBeUndefined();
      expect(record.private_key_jwk).toMatchObject({ kty, alg, kid: expect.any(String), d: expect.any(String) });
      const registered = record.client_metadata.jwks.keys;
      expect(registered).toEqual([expect.objectContaining({ kid: record.private_key_jwk.kid, alg, use: 'sig' })]);
      expect(registered[0].d).toBeUndefined();
      expect(response.body).not.toContain(record.private_key_jwk.d);
    },
  );

  it('the tenant secret alone obtains a token with a signed client assertion; a key the provider does not hold is refused', async () => {
    // Prepare
    const record = await current(`${env.prefix}keyed/acme-keyed`);
    const other = await current(`${env.prefix}keyed-rsa/acme-keyed-rsa`);

    // Act
    const token = await tokenFromRecordAlone(record);
    const viaSandbox = await clientCredentialsToken(record.token_endpoint, record as ClientCredentials);
    const wrongKey = await tokenFromRecordAlone({ ...record, private_key_jwk: other.private_key_jwk });

    // Assess
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer' });
    expect(viaSandbox.status).toBe(200);
    expect(wrongKey.status).toBe(401);
  });
  it('refuses a caller-sent jwks or jwks_uri with 400 before anything is registered', async () => {
    // Prepare
    const registrationsBefore = env.rfc7591.requests.get('POST /reg') ?? 0;
    const attackerKey = {
      keys: [
        { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' },
      ],
    };

    // Act
    const answers = await Promise.all(
      [{ jwks: attackerKey }, { jwks_uri: 'https://attacker.example/jwks' }].map((client) =>
        env.invoke(
          httpApiEvent({
            method: 'POST',
            path: '/registrations',
            body: JSON.stringify({ tenantId: 'caller-key', target: 'keyed', client }),
          }),
        ),
      ),
    );

    // Assess
    expect(answers.map((answer) => [answer.statusCode, JSON.parse(answer.body).error])).toEqual([
      [400, 'invalid_client_metadata'],
      [400, 'invalid_client_metadata'],
    ]);
    expect(env.rfc7591.requests.get('POST /reg') ?? 0).toBe(registrationsBefore);
  });
});

describe('canary for a private_key_jwt target', () => {
  it('throw-away client (RFC 7592): registered, proved with an assertion, deleted', async () => {
    // Prepare
    const clientsBefore = env.rfc7591.clientIds().length;

    // Act
    const result = await env.invoke({ action: 'canary', target: 'keyed' });

    // Assess
    expect(result).toMatchObject({ ok: true, proof: 'token', tokenObtained: true });
    expect(result.mode).toBe('throw-away');
    expect(env.rfc7591.clientIds().length).toBe(clientsBefore);
  });

  it('kept client (no RFC 7592): proved from the kept secret on the next run too, and by `dcr canary`', async () => {
    // Act
    const first = await env.invoke({ action: 'canary', target: 'keyed-unmanaged' });
    const second = await env.invoke({ action: 'canary', target: 'keyed-unmanaged' });
    const cli = await dcr(['--json', 'canary', '--target', 'keyed-unmanaged']);

    // Assess
    expect([first, second].map((r) => [r.mode, r.registered, r.proof])).toEqual([
      ['kept', true, 'token'],
      ['kept', false, 'token'],
    ]);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, mode: 'kept', registered: false, proof: 'token' });
    const kept = await current(`${env.prefix}keyed-unmanaged/_canary`);
    expect(kept.private_key_jwk.kid).toEqual(expect.any(String));
    expect(unmanaged.clientIds()).toEqual([kept.client_id]);
  });
});

describe('rotating a private_key_jwt client', () => {
  it('by HTTP: a new key pair registered by RFC 7592 PUT; the old key is refused, the new one accepted', async () => {
    // Prepare
    const created = JSON.parse((await post('rotating', 'keyed')).body);
    const old = await current(created.secretName);
    expect((await tokenFromRecordAlone(old)).status).toBe(200);

    // Act
    const response = await env.invoke(httpApiEvent({ method: 'POST', path: '/registrations/keyed/rotating/rotate' }));

    // Assess
    expect(response.statusCode).toBe(200);
    const rotated = await current(created.secretName);
    expect(rotated.client_id).toBe(old.client_id);
    expect(rotated.client_secret).toBeUndefined();
    expect(rotated.private_key_jwk.kid).not.toBe(old.private_key_jwk.kid);
    expect(rotated.client_metadata.jwks.keys.map((key: { kid: string }) => key.kid)).toEqual([rotated.private_key_jwk.kid]);
    expect(env.rfc7591.requests.get(`PUT /reg/${old.client_id}`)).toBe(1);
    expect((await tokenFromRecordAlone(rotated)).status).toBe(200);
    expect((await tokenFromRecordAlone(old)).status).toBe(401);
  });

  it('by the Secrets Manager rotation steps: testSecret proves the new key with an assertion before it becomes current', async () => {
    // Prepare
    const created = JSON.parse((await post('rotated-by-sm', 'keyed')).body);
    const old = await current(created.secretName);
    const token = randomUUID();
    const step = (Step: string) => env.invoke({ SecretId: created.secretArn, ClientRequestToken: token, Step });

    // Act
    const steps = [];
    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) steps.push((await step(name)).status);

    // Assess
    expect(steps).toEqual(['done', 'nothing to do', 'done', 'done']);
    const rotated = await current(created.secretName);
    expect(rotated.private_key_jwk.kid).not.toBe(old.private_key_jwk.kid);
    expect((await tokenFromRecordAlone(rotated)).status).toBe(200);
    expect((await tokenFromRecordAlone(old)).status).toBe(401);
  });
});

describe('dcr show', () => {
  it('hides the private key unless --reveal', async () => {
    // Prepare
    const record = await current(`${env.prefix}keyed/acme-keyed`);

    // Act
    const human = await dcr(['show', '--tenant', 'acme-keyed', '--target', 'keyed']);
    const json = await dcr(['--json', 'show', '--tenant', 'acme-keyed', '--target', 'keyed']);
    const revealed = await dcr(['show', '--tenant', 'acme-keyed', '--target', 'keyed', '--reveal']);

    // Assess
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^private_key_jwk\s+\(hidden; --reveal shows it\)$/m);
    expect(human.stdout).toMatch(/^auth method\s+private_key_jwt$/m);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).record.private_key_jwk).toBeUndefined();
    expect(JSON.parse(json.stdout).record.client_metadata.jwks.keys[0].kid).toBe(record.private_key_jwk.kid);
    expect(revealed.stdout).toContain(record.private_key_jwk.d);
  });
});
