import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, everythingOn, logicalIdStartingWith, onlyLogicalId, templateOf } from './infraApp.js';

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Every identity-policy statement: AWS::IAM::Policy, managed policies and roles' inline policies. */
function identityStatements(template: Template): { owner: string; statement: Statement }[] {
  const found: { owner: string; statement: Statement }[] = [];
  for (const [id, resource] of Object.entries(template.toJSON().Resources as Record<string, any>)) {
    const documents =
      resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy'
        ? [resource.Properties.PolicyDocument]
        : resource.Type === 'AWS::IAM::Role'
          ? list(resource.Properties.Policies).map((policy: any) => policy.PolicyDocument)
          : [];
    for (const document of documents) {
      for (const statement of list<Statement>(document.Statement)) found.push({ owner: id, statement });
    }
  }
  return found;
}

/** Secrets Manager and KMS grants that reach every resource: `*`, or an action wildcard on the service. */
function unscopedSecretOrKeyGrants(statements: { owner: string; statement: Statement }[]): string[] {
  const findings: string[] = [];
  for (const { owner, statement } of statements) {
    if (statement.Effect !== 'Allow') continue;
    // ListSecrets has no resource-level form (names and tags only, no values): the sweeps need it on "*".
    const actions = list(statement.Action).filter(
      (action) => /^(secretsmanager|kms):|^\*$/.test(action) && action !== 'secretsmanager:ListSecrets',
    );
    if (actions.length === 0) continue;
    for (const action of actions) if (action.includes('*')) findings.push(`${owner}: action ${action}`);
    for (const resource of list(statement.Resource)) {
      if (resource === '*' || cfnText(resource).endsWith(':*')) findings.push(`${owner}: ${actions.join(',')} on ${cfnText(resource)}`);
    }
  }
  return findings;
}

function roleStatements(template: Template, rolePrefix: string): Statement[] {
  return identityStatements(template)
    .filter(({ owner }) => owner.startsWith(rolePrefix))
    .map(({ statement }) => statement);
}

describe('IAM scoping', () => {
  let template: Template;
  let everything: Template;

  beforeAll(() => {
    template = templateOf();
    everything = templateOf(everythingOn);
  }, SYNTH_TEST_TIMEOUT_MS);

  it('the wildcard check itself catches a secrets or KMS grant on "*"', () => {
    // Prepare
    const statements = [
      { owner: 'Bad', statement: { Effect: 'Allow' as const, Action: 'secretsmanager:GetSecretValue', Resource: '*' } },
      { owner: 'Bad', statement: { Effect: 'Allow' as const, Action: ['kms:*'], Resource: 'arn:aws:kms:r:a:key/k' } },
      { owner: 'Fine', statement: { Effect: 'Allow' as const, Action: 'xray:PutTraceSegments', Resource: '*' } },
    ];

    // Act
    const findings = unscopedSecretOrKeyGrants(statements);

    // Assess
    expect(findings).toEqual(['Bad: secretsmanager:GetSecretValue on *', 'Bad: action kms:*']);
  });

  it.each([
    ['the default stack', () => template],
    ['the stack with every option on', () => everything],
  ])('no secretsmanager or kms action reaches "*" in %s', (_name, current) => {
    // Prepare
    const statements = identityStatements(current());

    // Act
    const findings = unscopedSecretOrKeyGrants(statements);

    // Assess
    expect(statements.length).toBeGreaterThan(0);
    expect(findings).toEqual([]);
  });

  it('gives the function exactly its calls, each on its own resources', () => {
    // Prepare
    const parameterId = onlyLogicalId(template, 'AWS::SSM::Parameter');
    const secretId = onlyLogicalId(template, 'AWS::SecretsManager::Secret');
    const keyId = logicalIdStartingWith(template, 'AWS::KMS::Key', 'ClientSecretsKey');
    const serviceKeyId = logicalIdStartingWith(template, 'AWS::KMS::Key', 'ServiceKey');

    // Act
    const bySid = Object.fromEntries(
      roleStatements(template, 'RegisterRole')
        .filter((statement) => statement.Sid)
        .map((statement) => [
          statement.Sid,
          { actions: list(statement.Action).sort(), resources: list(statement.Resource).map(cfnText), condition: statement.Condition },
        ]),
    );

    // Assess
    expect(bySid).toEqual({
      ReadConfig: {
        actions: ['ssm:GetParameter'],
        // The name starts with "/" (/DcrOnboarding/config), so CDK joins it without one.
        resources: [`arn:\${Ref:AWS::Partition}:ssm:\${Ref:AWS::Region}:\${Ref:AWS::AccountId}:parameter\${Ref:${parameterId}}`],
        condition: undefined,
      },
      ReadInitialAccessTokens: { actions: ['secretsmanager:GetSecretValue'], resources: [`\${Ref:${secretId}}`], condition: undefined },
      ManageClientSecrets: {
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          // each new tenant secret gets its resource policy (functions/core/tenantSecretPolicy.ts)
          'secretsmanager:PutResourcePolicy',
          'secretsmanager:PutSecretValue',
          'secretsmanager:RestoreSecret',
          'secretsmanager:TagResource',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: ['arn:${Ref:AWS::Partition}:secretsmanager:${Ref:AWS::Region}:${Ref:AWS::AccountId}:secret:dcr/clients/*'],
        condition: undefined,
      },
      // RFC 7592 credentials: their own prefix, so no consumer grant on dcr/clients/* reaches them (docs/secret-contract.md).
      ManageManagementSecrets: {
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutResourcePolicy',
          'secretsmanager:PutSecretValue',
          'secretsmanager:RestoreSecret',
          'secretsmanager:TagResource',
        ],
        resources: ['arn:${Ref:AWS::Partition}:secretsmanager:${Ref:AWS::Region}:${Ref:AWS::AccountId}:secret:dcr/management/*'],
        condition: undefined,
      },
      UseClientSecretsKeyViaSecretsManager: {
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [`\${${keyId}.Arn}`],
        condition: {
          StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        },
      },
      // The scheduled renew and reconcile list the tenant secrets (names and tags).
      ListTenantSecrets: { actions: ['secretsmanager:ListSecrets'], resources: ['*'], condition: undefined },
      // Readiness checks: delayed messages on the function's own lane queue, encrypted with the service key.
      SendReadinessChecks: {
        actions: ['sqs:SendMessage'],
        resources: [expect.stringMatching(/^\$\{LaneQueue\w+\.Arn\}$/)],
        condition: undefined,
      },
      EncryptReadinessChecks: {
        actions: ['kms:GenerateDataKey'],
        resources: [`\${${serviceKeyId}.Arn}`],
        condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
      },
      // Lambda sends failure records to the encrypted queue with the function's role.
      EncryptFailureRecords: {
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [`\${${serviceKeyId}.Arn}`],
        condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
      },
    });
  });

  it('lets the function write its own log group, failure queue and outcome bus, consume the onboarding lane, and nothing else without a Sid', () => {
    // Prepare, Act
    const rest = roleStatements(template, 'RegisterRole')
      .filter((statement) => !statement.Sid)
      .map((statement) => ({ actions: list(statement.Action).sort(), resources: list(statement.Resource).map(cfnText) }));

    // Assess
    expect(rest).toHaveLength(5);
    expect(rest).toContainEqual({
      actions: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      resources: [expect.stringMatching(/^\$\{LaneQueue\w+\.Arn\}$/)],
    });
    expect(rest).toContainEqual({ actions: ['kms:Decrypt'], resources: [expect.stringMatching(/^\$\{ServiceKey\w+\.Arn\}$/)] });
    expect(rest).toContainEqual({
      actions: ['events:PutEvents'],
      resources: [expect.stringMatching(/^\$\{TenantEventsBus\w+\.Arn\}$/)],
    });
    expect(rest).toContainEqual({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [expect.stringMatching(/^\$\{RegisterLogs\w+\.Arn\}$/)],
    });
    expect(rest).toContainEqual({
      actions: ['sqs:SendMessage'],
      resources: [expect.stringMatching(/^\$\{RegisterFailedInvocations\w+\.Arn\}$/)],
    });
  });

  it('attaches no managed policy to any role', () => {
    // Prepare, Act
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as { Properties: { ManagedPolicyArns?: unknown } }[];

    // Assess
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.every((role) => role.Properties.ManagedPolicyArns === undefined)).toBe(true);
  });

  it('reads an imported IAT secret by its name-suffix ARN only', () => {
    // Prepare, Act
    const read = roleStatements(everything, 'RegisterRole').find((statement) => statement.Sid === 'ReadInitialAccessTokens');

    // Assess
    expect(list(read?.Resource).map(cfnText).sort()).toEqual(
      [
        'arn:${Ref:AWS::Partition}:secretsmanager:${Ref:AWS::Region}:${Ref:AWS::AccountId}:secret:partner/iat-??????',
        `\${Ref:${onlyLogicalId(everything, 'AWS::SecretsManager::Secret')}}`,
      ].sort(),
    );
  });

  it('lets the Scheduler, from this account only, invoke only the function and write its encrypted DLQ', () => {
    // Prepare
    const functionId = onlyLogicalId(template, 'AWS::Lambda::Function');
    const serviceKeyId = logicalIdStartingWith(template, 'AWS::KMS::Key', 'ServiceKey');

    // Act
    const statements = roleStatements(template, 'CanaryInvokeRole');

    // Assess
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
    });
    const invoke = statements.find((statement) => list(statement.Action).includes('lambda:InvokeFunction'));
    expect(list(invoke?.Resource).map(cfnText)).toEqual([`\${${functionId}.Arn}`, `\${${functionId}.Arn}:*`]);
    const send = statements.find((statement) => list(statement.Action).includes('sqs:SendMessage'));
    expect(list(send?.Resource).map(cfnText)).toEqual([expect.stringMatching(/^\$\{CanaryDeadLetters\w+\.Arn\}$/)]);
    const encrypt = statements.find((statement) => statement.Sid === 'EncryptDeadLetters');
    expect({ actions: list(encrypt?.Action).sort(), resources: list(encrypt?.Resource).map(cfnText) }).toEqual({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [`\${${serviceKeyId}.Arn}`],
    });
  });
});
