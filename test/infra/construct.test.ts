import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DcrOnboarding, type DcrOnboardingProps } from '../../infra/DcrOnboarding.js';
import type { TargetsDocument } from '../../functions/core/config/targetsDocument.js';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, logicalIdStartingWith, templateOf } from './infraApp.js';

const TARGETS: TargetsDocument = {
  defaultTarget: 'default',
  targets: {
    default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example/register' },
    partner: { profile: 'rfc7591', registrationEndpoint: 'https://idp.partner.example/register' },
  },
};

/** A stack of our own (not the app), bundling skipped: the construct as another team would use it. */
function hostStack(): { app: App; stack: Stack } {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dcr-construct-')), context: { 'aws:cdk:bundling-stacks': [] } });
  return { app, stack: new Stack(app, 'Host', { env: { account: '123456789012', region: 'eu-west-1' } }) };
}

/** Every physical name CloudFormation would be told to use, by property, across all resources. */
function physicalNames(template: Template): Record<string, string[]> {
  const nameProperties: Record<string, string> = {
    'AWS::SecretsManager::Secret': 'Name',
    'AWS::SSM::Parameter': 'Name',
    'AWS::KMS::Alias': 'AliasName',
    'AWS::Logs::LogGroup': 'LogGroupName',
    'AWS::Events::EventBus': 'Name',
    'AWS::CloudWatch::Alarm': 'AlarmName',
    'AWS::CloudWatch::Dashboard': 'DashboardName',
    'AWS::Logs::QueryDefinition': 'Name',
    'AWS::Scheduler::Schedule': 'Name',
    'AWS::SNS::Topic': 'TopicName',
    'AWS::SQS::Queue': 'QueueName',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::IAM::Role': 'RoleName',
  };
  const names: Record<string, string[]> = {};
  for (const resource of Object.values(
    template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>,
  )) {
    const property = nameProperties[resource.Type];
    const value = property ? resource.Properties?.[property] : undefined;
    if (value === undefined) continue;
    names[resource.Type] = [...(names[resource.Type] ?? []), cfnText(value)];
  }
  return names;
}

/**
 * Warnings left in the report. The plugin must be added before the first synth (Template.fromStack
 * synthesizes the app); its errors already fail that synth.
 */
function nagFindings(app: App): string[] {
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) => violation.violatingConstructs.map((at) => `${violation.ruleName} at ${at.constructPath}`)),
  );
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of the policies attached to one role (its default policy). */
function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleLogicalId }] } });
  return Object.values(policies).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

function configOf(template: Template, parameterName: string): Record<string, unknown> {
  const [parameter] = Object.values(template.findResources('AWS::SSM::Parameter', { Properties: { Name: parameterName } }));
  return JSON.parse(cfnText((parameter as { Properties: { Value: unknown } }).Properties.Value)) as Record<string, unknown>;
}

describe('DcrOnboarding: two instances in one stack', () => {
  let app: App;
  let template: Template;

  beforeAll(() => {
    const host = hostStack();
    app = host.app;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new DcrOnboarding(host.stack, 'Default', { targets: TARGETS });
    new DcrOnboarding(host.stack, 'Partners', { targets: TARGETS, canary: { schedule: ScheduleExpression.rate(Duration.hours(6)) } });
    template = Template.fromStack(host.stack);
  }, SYNTH_TEST_TIMEOUT_MS);

  it('gives every fixed physical name once: secrets, parameters, aliases, log groups, buses, alarms', () => {
    // Prepare, Act: one synthesized stack
    const names = physicalNames(template);

    // Assess
    for (const [type, list] of Object.entries(names)) expect(new Set(list).size, `${type}: ${list.join(', ')}`).toBe(list.length);
    expect(names['AWS::SSM::Parameter']?.sort()).toEqual(['/Host-Partners/config', '/Host/config']);
    expect(names['AWS::Events::EventBus']?.sort()).toEqual(['dcr-onboarding', 'dcr-onboarding-Host-Partners']);
    expect(names['AWS::SecretsManager::Secret']?.sort()).toEqual([
      'dcr/Host-Partners/iat/default',
      'dcr/Host-Partners/iat/partner',
      'dcr/iat/default',
      'dcr/iat/partner',
    ]);
    expect(names['AWS::KMS::Alias']).toEqual(expect.arrayContaining(['alias/Host-Partners/client-secrets', 'alias/Host/client-secrets']));
    expect(names['AWS::Logs::LogGroup']).toEqual(
      expect.arrayContaining(['/dcr-onboarding/Host-Partners/register', '/dcr-onboarding/Host/register']),
    );
  });

  it("writes each instance's own client prefix into its config, so their grants never reach each other", () => {
    // Prepare, Act
    const first = configOf(template, '/Host/config');
    const second = configOf(template, '/Host-Partners/config');

    // Assess
    expect(first.secretNamePrefix).toBe('dcr/clients/');
    expect(second.secretNamePrefix).toBe('dcr/Host-Partners/clients/');
  });

  it(
    'is cdk-nag clean side by side',
    () => {
      // Prepare: the stack above, nag added before its synth
      // Act
      const findings = nagFindings(app);

      // Assess
      expect(findings).toEqual([]);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});

describe('DcrOnboarding refuses names another instance holds', () => {
  it.each([
    [
      'the same client prefix',
      { secretNamePrefix: 'dcr/shared/' },
      { secretNamePrefix: 'dcr/shared/' },
      /secretNamePrefix dcr\/shared\/ collides/,
    ],
    [
      'a client prefix inside the other',
      { secretNamePrefix: 'team/' },
      { secretNamePrefix: 'team/b/clients/' },
      /team\/b\/clients\/ collides with secretNamePrefix team\//,
    ],
    [
      'an IAT prefix under the other client prefix',
      {},
      { initialAccessTokenSecretPrefix: 'dcr/clients/iat-' },
      /initialAccessTokenSecretPrefix dcr\/clients\/iat- collides with secretNamePrefix dcr\/clients\//,
    ],
  ] as [string, Partial<DcrOnboardingProps>, Partial<DcrOnboardingProps>, RegExp][])(
    'refuses %s at synth',
    (_name, first, second, message) => {
      // Prepare
      const { stack } = hostStack();
      new DcrOnboarding(stack, 'Default', { targets: TARGETS, ...first });

      // Act
      const add = () => new DcrOnboarding(stack, 'Second', { targets: TARGETS, ...second });

      // Assess
      expect(add).toThrow(message);
    },
  );
});

describe('DcrOnboarding typed props and grants', () => {
  let template: Template;
  let service: DcrOnboarding;
  const ids: Record<string, string> = {};

  beforeAll(() => {
    const { stack } = hostStack();
    const key = new Key(stack, 'TeamKey', { enableKeyRotation: true });
    const bus = new EventBus(stack, 'TeamBus', { eventBusName: 'team-tenants' });
    const topic = Topic.fromTopicArn(stack, 'TeamTopic', 'arn:aws:sns:eu-west-1:123456789012:team-alarms');
    service = new DcrOnboarding(stack, 'Onboarding', {
      targets: TARGETS,
      encryptionKey: key,
      eventBus: bus,
      alarmTopic: topic,
      canary: false,
      reservedConcurrency: 7,
      tenantSecretReaders: ['arn:aws:iam::123456789012:role/dcr-readers/*'],
    });
    const reader = new Role(stack, 'Reader', { assumedBy: new AccountRootPrincipal() });
    const caller = new Role(stack, 'Caller', { assumedBy: new AccountRootPrincipal() });
    service.grantReadTenantSecret(reader, 'partner', 'acme');
    for (const action of ['register', 'get', 'rotate', 'offboard'] as const)
      service.grantInvoke(caller, action, { target: 'partner', tenantId: 'acme' });
    template = Template.fromStack(stack);
    ids.key = logicalIdStartingWith(template, 'AWS::KMS::Key', 'TeamKey');
    ids.reader = logicalIdStartingWith(template, 'AWS::IAM::Role', 'Reader');
    ids.caller = logicalIdStartingWith(template, 'AWS::IAM::Role', 'Caller');
    ids.api = logicalIdStartingWith(template, 'AWS::ApiGatewayV2::Api', 'Onboarding');
    ids.functionRole = logicalIdStartingWith(template, 'AWS::IAM::Role', 'OnboardingRegisterRole');
  }, SYNTH_TEST_TIMEOUT_MS);

  it('uses the given key, bus and topic instead of creating its own, and no canary when told so', () => {
    // Prepare, Act: one synthesized stack
    // Assess
    template.resourceCountIs('AWS::KMS::Key', 2); // the team's key and the service key: no client-secrets key of its own
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalIdStartingWith(template, 'AWS::Events::EventBus', 'TeamBus') },
    });
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((schedule) => JSON.stringify(schedule));
    expect(schedules.filter((schedule) => schedule.includes('canary'))).toEqual([]);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:team-alarms'] });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).filter((id) => id.includes('Canary'))).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 7 });
    const config = configOf(template, '/Host-Onboarding/config');
    expect(cfnText(config.kmsKeyId)).toBe(`\${${ids.key}.Arn}`);
  });

  it('grantReadTenantSecret: exactly GetSecretValue/DescribeSecret on the tenant ARN and Decrypt bound to that secret', () => {
    // Prepare, Act: the grant above
    const statements = statementsOf(template, ids.reader as string);

    // Assess
    const secretArn = 'arn:${AWS::Partition}:secretsmanager:eu-west-1:123456789012:secret:dcr/Host-Onboarding/clients/partner/acme-??????';
    expect(statements).toHaveLength(2);
    expect(statements[0]).toEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      Resource: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':secretsmanager:eu-west-1:123456789012:secret:dcr/Host-Onboarding/clients/partner/acme-??????',
          ],
        ],
      },
    });
    expect(statements[1]).toMatchObject({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [ids.key, 'Arn'] } });
    expect(statements[1]?.Condition?.StringEquals).toEqual({ 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' });
    expect(
      cfnText(statements[1]?.Condition?.StringLike?.['kms:EncryptionContext:SecretARN']).replace(
        '${Ref:AWS::Partition}',
        '${AWS::Partition}',
      ),
    ).toBe(secretArn);
  });

  it('grantReadTenantSecret adds the reader to its target in the config the function builds resource policies from', () => {
    // Prepare, Act
    const access = configOf(template, '/Host-Onboarding/config').tenantSecretAccess as Record<string, unknown>;

    // Assess
    expect(cfnText(access.functionRoleArn)).toBe(`\${${ids.functionRole}.Arn}`);
    expect(access.readerArns).toEqual(['arn:aws:iam::123456789012:role/dcr-readers/*']);
    const byTarget = access.targetReaderArns as Record<string, unknown[]>;
    expect(byTarget.partner?.map(cfnText)).toEqual([`\${${ids.reader}.Arn}`]);
    expect(byTarget.default).toEqual([]);
  });

  it('grantInvoke: execute-api:Invoke on the one route of each action for that tenant', () => {
    // Prepare, Act: the grants above
    const statements = statementsOf(template, ids.caller as string);

    // Assess
    const resources = statements.flatMap((statement) => {
      expect(statement.Action).toBe('execute-api:Invoke');
      return (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(cfnText);
    });
    const prefix = `arn:\${Ref:AWS::Partition}:execute-api:eu-west-1:123456789012:\${Ref:${ids.api}}/*/`;
    expect(resources.sort()).toEqual(
      [
        `${prefix}DELETE/registrations/partner/acme`,
        `${prefix}GET/registrations/partner/acme`,
        `${prefix}POST/registrations/partner/acme/rotate`,
        `${prefix}PUT/registrations/partner/acme`,
      ].sort(),
    );
  });

  it.each([
    ['a wildcard tenant', 'partner', '*'],
    ['a tenant with a slash', 'partner', 'acme/other'],
    ['an unknown target', 'nowhere', 'acme'],
  ])('refuses to grant for %s', (_name, target, tenantId) => {
    // Prepare
    const role = new Role(Stack.of(service), `Bad${Math.abs(tenantId.length * 31 + target.length)}`, {
      assumedBy: new AccountRootPrincipal(),
    });

    // Act
    const read = () => service.grantReadTenantSecret(role, target, tenantId);
    const invoke = () => service.grantInvoke(role, 'get', { target, tenantId });

    // Assess
    expect(read).toThrow(/grant: (target|tenant id)/);
    expect(invoke).toThrow(/grant: (target|tenant id)/);
  });
});

describe('the app stack', () => {
  it(
    'outputs the client secrets key ARN, keeping the logical IDs of the outputs it had',
    () => {
      // Prepare, Act
      const template = templateOf();

      // Assess
      template.hasOutput('ClientSecretsKeyArn', {
        Value: { 'Fn::GetAtt': [logicalIdStartingWith(template, 'AWS::KMS::Key', 'ClientSecretsKey'), 'Arn'] },
      });
      for (const id of [
        'ApiUrl',
        'EventBusName',
        'ConfigParameterName',
        'FunctionName',
        'LaneQueueUrl',
        'InitialAccessTokenSecretdefault',
      ]) {
        template.hasOutput(id, Match.anyValue());
      }
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});
