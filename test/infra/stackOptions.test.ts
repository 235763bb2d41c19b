import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, everythingOn, onlyLogicalId, templateOf } from './infraApp.js';

describe('DcrOnboardingStack with every option on', () => {
  let template: Template;

  beforeAll(() => {
    template = templateOf(everythingOn);
  }, SYNTH_TEST_TIMEOUT_MS);

  it('imports the existing bus by name and matches the configured source', () => {
    // Prepare, Act: one synthesized template
    // Assess
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'tenants',
      EventPattern: {
        source: ['com.acme.tenants'],
        'detail-type': ['TenantOnboarded', 'TenantOffboarded', 'ClientSecretRotationRequested'],
      },
    });
  });

  it('creates only the missing IAT secret and names the imported one in the config', () => {
    // Prepare
    const parameter = Object.values(template.findResources('AWS::SSM::Parameter'))[0] as { Properties: { Value: unknown } };

    // Act
    const config = JSON.parse(cfnText(parameter.Properties.Value)) as { targets: Record<string, { initialAccessTokenSecretId: string }> };

    // Assess
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'dcr/iat/default' });
    expect(config.targets.partner?.initialAccessTokenSecretId).toBe('partner/iat');
    template.hasOutput('InitialAccessTokenSecretpartner', { Value: 'partner/iat' });
  });

  it('runs the canary on the configured schedule and target', () => {
    // Prepare, Act: one synthesized template
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ Input: '{"action":"canary","target":"partner"}' }),
    });
  });

  it('sends every alarm to an encrypted, TLS-only topic with the e-mail subscribed', () => {
    // Prepare
    const topicId = onlyLogicalId(template, 'AWS::SNS::Topic');

    // Act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => (alarm as { Properties: { AlarmActions?: unknown[] } }).Properties,
    );

    // Assess
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
    expect(alarms).toHaveLength(20);
    expect(alarms.every((alarm) => JSON.stringify(alarm.AlarmActions) === JSON.stringify([{ Ref: topicId }]))).toBe(true);
  });
});
