import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, buildApp, cfnText, everythingOn, logicalIdStartingWith, templateOf } from './infraApp.js';

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

type Resources = Record<string, { Properties: Record<string, any> }>;

const PUBLISHER_ROLE = 'arn:aws:iam::222222222222:role/tenant-service';

/** Bus policy statements by Sid, with CloudFormation values rendered as text. */
function busPolicy(template: Template): Record<string, unknown> {
  const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy') as Resources);
  return Object.fromEntries(
    policies.map(({ Properties }) => {
      const statement = Properties.Statement as Statement;
      return [
        statement.Sid,
        JSON.parse(
          JSON.stringify({ bus: Properties.EventBusName, ...statement }, (_key, value) =>
            value?.Ref || value?.['Fn::Join'] || value?.['Fn::GetAtt'] ? cfnText(value) : value,
          ),
        ),
      ];
    }),
  );
}

function keyStatement(template: Template, keyPrefix: string, sid: string): Statement | undefined {
  const keyId = logicalIdStartingWith(template, 'AWS::KMS::Key', keyPrefix);
  const key = (template.findResources('AWS::KMS::Key') as Resources)[keyId];
  return (key?.Properties.KeyPolicy.Statement as Statement[] | undefined)?.find((statement) => statement.Sid === sid);
}

describe('stack hardening', () => {
  let defaults: Template;
  let configured: Template;
  let importedStack: Stack;
  let imported: Template;

  beforeAll(() => {
    defaults = templateOf();
    configured = templateOf({
      'dcr:eventPublishers': `111111111111, ${PUBLISHER_ROLE}, arn:aws:iam::333333333333:root`,
      'dcr:reservedConcurrency': '5',
      'dcr:secretNamePrefix': 'tenants/oauth/',
      'dcr:idpRetryBudgetMs': 5000,
      'dcr:functionTimeoutSeconds': '400',
    });
    importedStack = buildApp({ ...everythingOn, 'dcr:eventPublishers': '111111111111' }).stack;
    imported = Template.fromStack(importedStack);
  }, 3 * SYNTH_TEST_TIMEOUT_MS);

  describe('tenant event bus policy', () => {
    it('by default lets only this account put tenant events, and denies their source to any other', () => {
      // Prepare, Act
      const policy = busPolicy(defaults);

      // Assess
      expect(policy).toEqual({
        'cdk-AllowTenantEventPublishers': {
          bus: expect.stringMatching(/^\$\{Ref:TenantEventsBus\w+\}$/),
          Sid: 'cdk-AllowTenantEventPublishers',
          Effect: 'Allow',
          Principal: { AWS: 'arn:${Ref:AWS::Partition}:iam::${Ref:AWS::AccountId}:root' },
          Action: 'events:PutEvents',
          Resource: expect.stringMatching(/^\$\{TenantEventsBus\w+\.Arn\}$/),
          Condition: { StringEquals: { 'events:source': 'com.example.tenants' } },
        },
        'cdk-DenyOtherTenantEventPublishers': {
          bus: expect.stringMatching(/^\$\{Ref:TenantEventsBus\w+\}$/),
          Sid: 'cdk-DenyOtherTenantEventPublishers',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'events:PutEvents',
          Resource: expect.stringMatching(/^\$\{TenantEventsBus\w+\.Arn\}$/),
          Condition: {
            StringEquals: { 'events:source': 'com.example.tenants' },
            StringNotEquals: { 'aws:PrincipalAccount': ['${Ref:AWS::AccountId}'] },
          },
        },
      });
    });

    it('names exactly the configured publishers (a root ARN counts as its account), this account no more', () => {
      // Prepare, Act
      const policy = busPolicy(configured) as Record<string, Statement>;
      const allow = policy['cdk-AllowTenantEventPublishers'];
      const deny = policy['cdk-DenyOtherTenantEventPublishers'];

      // Assess
      expect(allow?.Principal).toEqual({
        AWS: ['arn:${Ref:AWS::Partition}:iam::111111111111:root', 'arn:${Ref:AWS::Partition}:iam::333333333333:root', PUBLISHER_ROLE],
      });
      expect(allow?.Condition).toEqual({ StringEquals: { 'events:source': 'com.example.tenants' } });
      expect(deny?.Effect).toBe('Deny');
      expect(deny?.Principal).toEqual({ AWS: '*' });
      expect(deny?.Condition).toEqual({
        StringEquals: { 'events:source': 'com.example.tenants' },
        StringNotEquals: { 'aws:PrincipalAccount': ['111111111111', '333333333333'] },
        ArnNotLike: { 'aws:PrincipalArn': [PUBLISHER_ROLE] },
      });
    });

    it('sets no policy on an imported bus and warns that its owner must', () => {
      // Prepare, Act
      const warnings = Annotations.fromStack(importedStack).findWarning(
        '*',
        Match.stringLikeRegexp('tenant event bus tenants is imported'),
      );

      // Assess
      imported.resourceCountIs('AWS::Events::EventBusPolicy', 0);
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]?.entry.data)).toMatch(/events:PutEvents with source com\.acme\.tenants to 111111111111 only/);
    });

    it.each([
      ['a name', 'tenant-service'],
      ['an 11-digit account', '11111111111'],
      ['a service principal', 'events.amazonaws.com'],
      ['an ARN of another service', 'arn:aws:events:eu-west-1:111111111111:event-bus/x'],
    ])(
      'refuses %s as a publisher',
      (_name, entry) => {
        // Prepare
        const context = { 'dcr:eventPublishers': `111111111111,${entry}` };

        // Act
        const build = () => templateOf(context);

        // Assess
        expect(build).toThrow(`eventPublishers: "${entry}" is neither a 12-digit account id nor an IAM role or user ARN`);
      },
      SYNTH_TEST_TIMEOUT_MS,
    );
  });

  describe('encryption with the service key', () => {
    it.each([
      ['the default stack', () => defaults],
      ['the configured stack', () => configured],
      ['the stack on an imported bus', () => imported],
    ])('encrypts every log group and every queue in %s with the service key', (_name, current) => {
      // Prepare
      const template = current();
      const serviceKey = { 'Fn::GetAtt': [logicalIdStartingWith(template, 'AWS::KMS::Key', 'ServiceKey'), 'Arn'] };

      // Act
      const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup') as Resources);
      const queues = Object.values(template.findResources('AWS::SQS::Queue') as Resources);

      // Assess
      expect(logGroups.length).toBe(2);
      // lane, lane DLQ, tenant-rule DLQ, canary DLQ, failed invocations, maintenance-schedule DLQ
      expect(queues.length).toBe(6);
      for (const { Properties } of logGroups) expect(Properties.KmsKeyId).toEqual(serviceKey);
      for (const { Properties } of queues) expect(Properties.KmsMasterKeyId).toEqual(serviceKey);
      // The key policy names the log groups by prefix: every group must lie under it.
      for (const { Properties } of logGroups) expect(Properties.LogGroupName).toMatch(/^\/dcr-onboarding\/DcrOnboarding\/[a-z-]+$/);
    });

    it("lets CloudWatch Logs of the region use the key for the stack's log groups only", () => {
      // Prepare, Act
      const statement = keyStatement(defaults, 'ServiceKey', 'CloudWatchLogsForTheStackLogGroups');

      // Assess
      expect(statement?.Effect).toBe('Allow');
      expect(cfnText((statement?.Principal as { Service: unknown } | undefined)?.Service)).toBe('logs.${Ref:AWS::Region}.amazonaws.com');
      expect(statement?.Action).toEqual(['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']);
      expect(Object.keys(statement?.Condition ?? {})).toEqual(['ArnLike']);
      expect(cfnText(statement?.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn'])).toBe(
        'arn:${Ref:AWS::Partition}:logs:${Ref:AWS::Region}:${Ref:AWS::AccountId}:log-group:/dcr-onboarding/DcrOnboarding/*',
      );
    });

    it('lets EventBridge use the key for dead letters of rules on the tenant bus, in this account only', () => {
      // Prepare, Act
      const created = keyStatement(defaults, 'ServiceKey', 'EventBridgeRulesForTheDeadLetterQueues');
      const onImportedBus = keyStatement(imported, 'ServiceKey', 'EventBridgeRulesForTheDeadLetterQueues');

      // Assess
      expect(created?.Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(created?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(created?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
      expect(cfnText(created?.Condition?.ArnLike?.['aws:SourceArn'])).toBe(
        'arn:${Ref:AWS::Partition}:events:${Ref:AWS::Region}:${Ref:AWS::AccountId}:rule/dcr-onboarding/*',
      );
      expect(cfnText(onImportedBus?.Condition?.ArnLike?.['aws:SourceArn'])).toMatch(/:rule\/tenants\/\*$/);
      // The rules whose DLQ this is lie on those buses.
      defaults.hasResourceProperties('AWS::Events::EventBus', { Name: 'dcr-onboarding' });
      defaults.hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: Match.stringLikeRegexp('^TenantEventsBus') } });
      imported.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'tenants' });
    });
  });

  describe('reserved concurrency', () => {
    it('reserves 20 executions by default and the configured number otherwise', () => {
      // Prepare, Act, Assess
      defaults.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 20 });
      configured.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5 });
    });

    it.each([
      ['0', /reserved concurrency must be a positive whole number, not 0/],
      ['-3', /reserved concurrency must be a positive whole number, not -3/],
      ['many', /context dcr:reservedConcurrency must be a whole number, not "many"/],
      [2.5, /reserved concurrency must be a positive whole number, not 2\.5/],
    ])(
      'refuses %s',
      (value, message) => {
        // Prepare
        const context = { 'dcr:reservedConcurrency': value };

        // Act
        const build = () => templateOf(context);

        // Assess
        expect(build).toThrow(message);
      },
      SYNTH_TEST_TIMEOUT_MS,
    );
  });

  describe('invoke permissions', () => {
    it.each([
      ['the default stack', () => defaults],
      ['the configured stack', () => configured],
      ['the stack on an imported bus', () => imported],
    ])('names the invoking resource (SourceArn) on every Lambda permission in %s', (_name, current) => {
      // Prepare
      const template = current();

      // Act
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission') as Resources).map(({ Properties }) => ({
        principal: Properties.Principal as string,
        sourceArn: Properties.SourceArn === undefined ? undefined : cfnText(Properties.SourceArn),
      }));

      // Assess: five API routes, Secrets Manager rotation (the tenant rule targets the lane queue)
      expect(permissions.map((permission) => permission.principal).sort()).toEqual([
        'apigateway.amazonaws.com',
        'apigateway.amazonaws.com',
        'apigateway.amazonaws.com',
        'apigateway.amazonaws.com',
        'apigateway.amazonaws.com',
        'secretsmanager.amazonaws.com',
      ]);
      for (const { principal, sourceArn } of permissions) {
        expect(sourceArn, principal).toMatch(
          {
            'apigateway.amazonaws.com':
              /^arn:\$\{Ref:AWS::Partition\}:execute-api:\$\{Ref:AWS::Region\}:\$\{Ref:AWS::AccountId\}:\$\{Ref:RegistrationsApi\w+\}\/\*\/\*\/registrations/,
            'events.amazonaws.com': /^\$\{TenantEventsRule\w+\.Arn\}$/,
            'secretsmanager.amazonaws.com':
              /^arn:\$\{Ref:AWS::Partition\}:secretsmanager:\$\{Ref:AWS::Region\}:\$\{Ref:AWS::AccountId\}:secret:/,
          }[principal] ?? /^never$/,
        );
      }
    });

    it('scopes the rotation permission to the configured client secret prefix, in this account', () => {
      // Prepare, Act
      const [rotation] = Object.values(
        configured.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'secretsmanager.amazonaws.com' } }) as Resources,
      );

      // Assess
      expect(cfnText(rotation?.Properties.SourceArn)).toBe(
        'arn:${Ref:AWS::Partition}:secretsmanager:${Ref:AWS::Region}:${Ref:AWS::AccountId}:secret:tenants/oauth/*',
      );
      expect(rotation?.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
    });
  });

  describe('function timeout', () => {
    it('is the worst case of the retry series by default, and the configured one when it covers it', () => {
      // Prepare, Act, Assess: the configured worst case is 4 × (5 + 10) + 10 + 240 + 3 + 2 = 315 s
      defaults.hasResourceProperties('AWS::Lambda::Function', {
        Timeout: 375,
        Environment: { Variables: Match.objectLike({ IDP_RETRY_BUDGET_MS: '20000', CLAIM_STALE_SECONDS: '750' }) },
      });
      configured.hasResourceProperties('AWS::Lambda::Function', {
        Timeout: 400,
        Environment: { Variables: Match.objectLike({ IDP_RETRY_BUDGET_MS: '5000', CLAIM_STALE_SECONDS: '800' }) },
      });
    });

    it.each([
      [
        'a timeout shorter than the worst case',
        { 'dcr:functionTimeoutSeconds': 300 },
        /timeout of 300 s is shorter than its worst-case duration of 375 s/,
      ],
      [
        'a retry budget that cannot fit in 900 s',
        { 'dcr:idpRetryBudgetMs': '200000' },
        /worst-case duration is \d+ s .* over Lambda's 900 s maximum/,
      ],
      ['a timeout over 900 s', { 'dcr:functionTimeoutSeconds': 901 }, /whole number of seconds from 1 to 900, not 901/],
      ['a zero provider attempt count', { 'dcr:idpMaxAttempts': 0 }, /IDP_MAX_ATTEMPTS: must be a positive integer/],
    ])(
      'refuses %s at synth',
      (_name, context, message) => {
        // Prepare, Act
        const build = () => templateOf(context);

        // Assess
        expect(build).toThrow(message);
      },
      SYNTH_TEST_TIMEOUT_MS,
    );
  });
});
