import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMotoServer } from '../../sandbox/motoServer.js';

const launcher = new URL('../../bench/moto_indexed_secrets.py', import.meta.url).pathname;

/** The same calls on a server; each answer reduced to what must not depend on the server (no random ids). */
async function script(client: SecretsManagerClient): Promise<string[]> {
  const answers: string[] = [];
  // Any Secrets Manager command (their generic types do not unify).
  const call = async (label: string, command: any) => {
    try {
      const out = (await client.send(command)) as { Name?: string; SecretString?: string };
      answers.push(`${label}: ok ${out.Name ?? ''} ${out.SecretString ?? ''}`);
    } catch (error) {
      answers.push(`${label}: ${(error as Error).name}`);
    }
  };
  for (let i = 0; i < 5; i++) await call(`create a/${i}`, new CreateSecretCommand({ Name: `a/${i}`, SecretString: `v${i}` }));
  const arn = (await client.send(new DescribeSecretCommand({ SecretId: 'a/3' }))).ARN ?? '';
  await call('get by name', new GetSecretValueCommand({ SecretId: 'a/3' }));
  await call('get by ARN', new GetSecretValueCommand({ SecretId: arn }));
  await call('get by partial ARN', new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));
  await call('get absent', new GetSecretValueCommand({ SecretId: 'absent' }));
  await call('create taken', new CreateSecretCommand({ Name: 'a/3', SecretString: 'x' }));
  const token = 'c'.repeat(36);
  await call('create with token', new CreateSecretCommand({ Name: 'b', SecretString: 'p', ClientRequestToken: token }));
  await call('same token, same value', new CreateSecretCommand({ Name: 'b', SecretString: 'p', ClientRequestToken: token }));
  await call('same token, other value', new CreateSecretCommand({ Name: 'b', SecretString: 'q', ClientRequestToken: token }));
  const putToken = 'p'.repeat(36);
  await call('put with token', new PutSecretValueCommand({ SecretId: 'b', SecretString: 'r', ClientRequestToken: putToken }));
  await call('put same token, other value', new PutSecretValueCommand({ SecretId: 'b', SecretString: 's', ClientRequestToken: putToken }));
  await call('get after put', new GetSecretValueCommand({ SecretId: 'b' }));
  await call('put by ARN', new PutSecretValueCommand({ SecretId: arn, SecretString: 'z' }));
  await call('get after put by ARN', new GetSecretValueCommand({ SecretId: 'a/3' }));
  await call('schedule deletion', new DeleteSecretCommand({ SecretId: 'a/1', RecoveryWindowInDays: 7 }));
  await call('get scheduled', new GetSecretValueCommand({ SecretId: 'a/1' }));
  await call('create scheduled', new CreateSecretCommand({ Name: 'a/1', SecretString: 'again' }));
  await call('restore', new RestoreSecretCommand({ SecretId: 'a/1' }));
  await call('get restored', new GetSecretValueCommand({ SecretId: 'a/1' }));
  await call('force delete', new DeleteSecretCommand({ SecretId: 'a/2', ForceDeleteWithoutRecovery: true }));
  await call('get deleted', new GetSecretValueCommand({ SecretId: 'a/2' }));
  await call('create deleted name', new CreateSecretCommand({ Name: 'a/2', SecretString: 'new' }));
  return answers;
}

// The benchmark runs moto with an O(1) secret lookup (bench/moto_indexed_secrets.py); it must answer
// every call the function makes exactly as moto does, or the benchmark measures something else.
describe('moto with indexed secret lookup (benchmark peer)', () => {
  let stock: MotoServer;
  let indexed: MotoServer;
  const clientOf = (moto: MotoServer) =>
    new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });

  beforeAll(async () => {
    [stock, indexed] = await Promise.all([startMotoServer(), startMotoServer({ launcher })]);
  });
  afterAll(async () => {
    await Promise.all([stock?.stop(), indexed?.stop()]);
  });

  it('answers the function’s calls exactly as moto_server does', async () => {
    // Prepare
    const [stockClient, indexedClient] = [clientOf(stock), clientOf(indexed)];

    // Act
    const [expected, actual] = await Promise.all([script(stockClient), script(indexedClient)]);
    stockClient.destroy();
    indexedClient.destroy();

    // Assess
    expect(actual).toEqual(expected);
    expect(expected).toContain('same token, other value: ResourceExistsException');
    expect(expected).toContain('get scheduled: InvalidRequestException');
  });
});
