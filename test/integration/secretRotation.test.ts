import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { clientCredentialsToken } from '../../sandbox/tokenRequest.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

let env: RegistrationEnvironment;

const step = (SecretId: string, ClientRequestToken: string, Step: string) => env.invoke({ SecretId, ClientRequestToken, Step });
async function version(secretId: string, selector: { VersionStage?: string; VersionId?: string }) {
  const value = await env.secretsClient.send(new GetSecretValueCommand({ SecretId: secretId, ...selector }));
  return JSON.parse(value.SecretString ?? '{}');
}
const puts = (clientId: string) => env.rfc7591.requests.get(`PUT /reg/${clientId}`) ?? 0;

beforeAll(async () => {
  env = await startRegistrationEnvironment();
});

afterAll(async () => {
  expect(leakedSecrets([...env.logs, ...env.responses], await env.secretValues())).toEqual([]);
  await env.close();
});

describe('the Secrets Manager rotation-function contract', () => {
  it('rotates through createSecret, setSecret, testSecret and finishSecret; each step is idempotent', async () => {
    // Prepare
    const created = JSON.parse(
      (await env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: '{"tenantId":"rotated-by-sm","target":"rfc"}' })))
        .body,
    );
    const old = await version(created.secretArn, { VersionStage: 'AWSCURRENT' });
    const token = randomUUID();

    // Act
    const create = await step(created.secretArn, token, 'createSecret');
    const createAgain = await step(created.secretArn, token, 'createSecret');
    const pending = await version(created.secretArn, { VersionId: token, VersionStage: 'AWSPENDING' });
    const stillCurrent = await version(created.secretArn, { VersionStage: 'AWSCURRENT' });
    const set = await step(created.secretArn, token, 'setSecret');
    const test = await step(created.secretArn, token, 'testSecret');
    const finish = await step(created.secretArn, token, 'finishSecret');
    const finishAgain = await step(created.secretArn, token, 'finishSecret');

    // Assess
    expect([create, createAgain, set, test, finish, finishAgain].map((o) => o.status)).toEqual([
      'done',
      'already done',
      'nothing to do',
      'done',
      'done',
      'already done',
    ]);
    expect(puts(created.clientId)).toBe(1);
    expect(pending.client_secret).not.toBe(old.client_secret);
    expect(stillCurrent.client_secret).toBe(old.client_secret);
    const current = await version(created.secretArn, { VersionStage: 'AWSCURRENT' });
    expect(current.client_secret).toBe(pending.client_secret);
    expect((await version(created.secretArn, { VersionStage: 'AWSPREVIOUS' })).client_secret).toBe(old.client_secret);
    expect((await clientCredentialsToken(current.token_endpoint, current)).status).toBe(200);
    expect((await clientCredentialsToken(old.token_endpoint, old)).status).toBe(401);
  });

  it('holds the tenant lease from createSecret to finishSecret: an HTTP rotation in between gets 409, after it rotates', async () => {
    // Prepare
    const created = JSON.parse(
      (await env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: '{"tenantId":"rotation-overlap","target":"rfc"}' })))
        .body,
    );
    const token = randomUUID();
    const rotateByHttp = () => env.invoke(httpApiEvent({ method: 'POST', path: '/registrations/rfc/rotation-overlap/rotate' }));

    // Act
    await step(created.secretArn, token, 'createSecret');
    const during = await rotateByHttp();
    await step(created.secretArn, token, 'testSecret');
    await step(created.secretArn, token, 'finishSecret');
    const after = await rotateByHttp();

    // Assess
    expect(during.statusCode).toBe(409);
    expect(JSON.parse(during.body).error).toBe('operation_in_progress');
    expect(after.statusCode).toBe(200);
    expect(puts(created.clientId)).toBe(2);
    const current = await version(created.secretArn, { VersionStage: 'AWSCURRENT' });
    expect((await clientCredentialsToken(current.token_endpoint, current)).status).toBe(200);
  });

  it('refuses to rotate a secret that is not a registered client secret, such as the IAT', async () => {
    await expect(step(env.iatSecretIds.rfc7591, randomUUID(), 'createSecret')).rejects.toMatchObject({ code: 'server_error' });
  });

  it('fails testSecret when createSecret has not run for the token', async () => {
    const created = JSON.parse(
      (await env.invoke(httpApiEvent({ method: 'POST', path: '/registrations', body: '{"tenantId":"untested","target":"rfc"}' }))).body,
    );
    await expect(step(created.secretArn, randomUUID(), 'testSecret')).rejects.toMatchObject({ code: 'upstream_error' });
  });

  it('drops a malformed rotation event with a log line', async () => {
    const outcome = await step('some-secret', 'short', 'createSecret');
    expect(outcome).toEqual({ status: 'dropped', error: 'invalid_request' });
  });
});
