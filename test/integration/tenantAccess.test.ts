import { DescribeSecretCommand, GetResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHttpApi, startLocalHttpApi } from '../../sandbox/localHttpApi.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

const FUNCTION_ROLE = 'arn:aws:iam::123456789012:role/dcr-onboarding-register';
const READERS = 'arn:aws:iam::123456789012:role/dcr-readers/*';
const ACME_APP = 'arn:aws:iam::123456789012:role/acme-app';

let env: RegistrationEnvironment;
let api: LocalHttpApi;
const answers: string[] = [];

interface PolicyStatement {
  Sid: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string;
  Condition: Record<string, Record<string, string | string[]>>;
}

async function put(path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${api.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  answers.push(text);
  return { status: response.status, body: JSON.parse(text) };
}

async function resourcePolicyOf(secretName: string): Promise<{ Statement: PolicyStatement[] }> {
  const out = await env.secretsClient.send(new GetResourcePolicyCommand({ SecretId: secretName }));
  return JSON.parse(out.ResourcePolicy ?? '{"Statement":[]}');
}

beforeAll(async () => {
  env = await startRegistrationEnvironment((config) => {
    // What the stack writes (DcrOnboarding): the function's role, readers for all targets and for one.
    config.tenantSecretAccess = { functionRoleArn: FUNCTION_ROLE, readerArns: [READERS], targetReaderArns: { default: [ACME_APP] } };
  });
  api = await startLocalHttpApi({ invoke: env.invoke });
});

afterAll(async () => {
  const secrets = await env.secretValues();
  expect(secrets.length).toBeGreaterThan(2);
  expect(leakedSecrets([...env.logs, ...env.responses, ...answers], secrets)).toEqual([]);
  await api?.close();
  await env?.close();
});

describe('PUT /registrations/{target}/{tenantId} through the local HTTP API', () => {
  it('registers the tenant named by the path (201), then answers 200 exists', async () => {
    // Act
    const created = await put('/registrations/default/acme');
    const again = await put('/registrations/default/acme', { tenantId: 'acme' });

    // Assess
    expect(created).toMatchObject({
      status: 201,
      body: { tenantId: 'acme', target: 'default', status: 'registered', secretName: `${env.prefix}default/acme` },
    });
    expect(env.salesforce.clientIds()).toContain(created.body.clientId);
    expect(again).toMatchObject({ status: 200, body: { status: 'exists', clientId: created.body.clientId } });
  });

  it('refuses a body naming another tenant with 400 and creates no secret for either', async () => {
    // Act
    const answer = await put('/registrations/default/initech', { tenantId: 'globex' });

    // Assess
    expect(answer.status).toBe(400);
    const names = (await env.storedRecords()).map((record) => record.tenant_id);
    expect(names).not.toContain('initech');
    expect(names).not.toContain('globex');
  });
});

describe('the resource policy of a new tenant secret', () => {
  it('denies tag changes to all but the function, and reads to all but the function and the readers', async () => {
    // Prepare
    const created = await put('/registrations/default/policy-check');

    // Act
    const policy = await resourcePolicyOf(created.body.secretName);

    // Assess
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyTagChangesExceptTheService',
        Effect: 'Deny',
        Principal: '*',
        Action: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': FUNCTION_ROLE } },
      },
      {
        Sid: 'DenyReadsExceptTheServiceAndReaders',
        Effect: 'Deny',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [FUNCTION_ROLE, READERS, ACME_APP] } },
      },
    ]);
    // Nothing in it allows anything: IAM still decides; the tag it protects is on the secret.
    expect(policy.Statement.every((statement) => statement.Effect === 'Deny')).toBe(true);
    const described = await env.secretsClient.send(new DescribeSecretCommand({ SecretId: created.body.secretName }));
    expect(described.Tags).toEqual(expect.arrayContaining([{ Key: 'dcr:tenant', Value: 'policy-check' }]));
  });

  it("lists a target's own readers only on that target's secrets", async () => {
    // Prepare
    const created = await put('/registrations/rfc/policy-check');

    // Act
    const policy = await resourcePolicyOf(created.body.secretName);

    // Assess
    expect(created.status).toBe(201);
    const reads = policy.Statement.find((statement) => statement.Sid === 'DenyReadsExceptTheServiceAndReaders');
    expect(reads?.Condition.ArnNotLike?.['aws:PrincipalArn']).toEqual([FUNCTION_ROLE, READERS]);
  });
});
