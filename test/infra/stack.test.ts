import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, logicalIdStartingWith, onlyLogicalId, templateOf } from './infraApp.js';

describe('DcrOnboardingStack with the cdk.json defaults', () => {
  let template: Template;
  let keyId: string;

  beforeAll(() => {
    template = templateOf();
    keyId = logicalIdStartingWith(template, 'AWS::KMS::Key', 'ClientSecretsKey');
  }, SYNTH_TEST_TIMEOUT_MS);

  it('creates three rotating customer-managed keys: one for the secrets, one for logs and queues, one for the alarm topic', () => {
    // Prepare, Act: one synthesized template
    // Assess
    template.resourceCountIs('AWS::KMS::Key', 3);
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/DcrOnboarding/client-secrets',
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/DcrOnboarding/service',
      TargetKeyId: { 'Fn::GetAtt': [logicalIdStartingWith(template, 'AWS::KMS::Key', 'ServiceKey'), 'Arn'] },
    });
  });

  it('creates the IAT secret with a placeholder, encrypted with the key, outside the client prefix', () => {
    // Prepare, Act: one synthesized template
    // Assess
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'dcr/iat/default',
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      SecretString: '{"initialAccessToken":""}',
      GenerateSecretString: Match.absent(),
      Description: Match.stringLikeRegexp('put-secret-value'),
    });
  });

  it('writes a config the function accepts: the targets file plus key, prefix and IAT secret', () => {
    // Prepare
    const parameter = Object.values(template.findResources('AWS::SSM::Parameter'))[0] as {
      Properties: { Name: string; Type: string; Value: unknown };
    };
    const secretId = onlyLogicalId(template, 'AWS::SecretsManager::Secret');

    // Act
    const config = JSON.parse(cfnText(parameter.Properties.Value)) as Record<string, any>;

    // Assess
    expect(parameter.Properties).toMatchObject({ Name: '/DcrOnboarding/config', Type: 'String' });
    expect(config).toMatchObject({
      secretNamePrefix: 'dcr/clients/',
      kmsKeyId: `\${${keyId}.Arn}`,
      defaultTarget: 'default',
      targets: {
        default: {
          profile: 'salesforce',
          registrationEndpoint: 'https://login.salesforce.com/services/oauth2/register',
          initialAccessTokenSecretId: `\${Ref:${secretId}}`,
        },
      },
    });
  });

  it('deploys the function on Node.js 24, arm64, with its config parameter, log group and failure queue', () => {
    // Prepare
    const parameterId = onlyLogicalId(template, 'AWS::SSM::Parameter');

    // Act
    const functions = template.findResources('AWS::Lambda::Function');

    // Assess
    expect(Object.keys(functions)).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      // functionTimeout.ts: 4 × (20 + 10) + 10 + 10 × (3 × (5 + 2) + 3) + 3 + 2 seconds
      Timeout: 375,
      TracingConfig: Match.absent(),
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^RegisterLogs') } },
      Environment: {
        Variables: {
          CONFIG_PARAMETER_NAME: { Ref: parameterId },
          LOG_LEVEL: 'INFO',
          IDP_TIMEOUT_MS: '10000',
          IDP_MAX_ATTEMPTS: '4',
          IDP_RETRY_BUDGET_MS: '20000',
          AWS_REQUEST_TIMEOUT_MS: '5000',
          AWS_MAX_ATTEMPTS: '3',
          CLAIM_WAIT_MS: '3000',
          CLAIM_STALE_SECONDS: '750',
          EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^TenantEventsBus') },
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegisterFailedInvocations'), 'Arn'] } } },
    });
  });

  it('serves registration, lookup, offboarding and rotation routes, IAM-authorized only', () => {
    // Prepare, Act
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => (route as { Properties: { RouteKey: string; AuthorizationType: string } }).Properties,
    );

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
      'DELETE /registrations/{target}/{tenantId}',
      'GET /registrations/{target}/{tenantId}',
      'POST /registrations',
      'POST /registrations/{target}/{tenantId}/rotate',
      'PUT /registrations/{target}/{tenantId}',
    ]);
    expect(routes.every((route) => route.AuthorizationType === 'AWS_IAM')).toBe(true);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('throttles the $default stage and writes JSON access logs with the caller identity', () => {
    // Prepare, Act
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
      Properties: { AccessLogSettings: { Format: string } };
    };

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RegistrationsAccessLogs'), 'Arn'] } },
    });
    expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      callerArn: '$context.identity.userArn',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });

  it('lets Secrets Manager invoke the function for rotation, from this account and for client secrets only', () => {
    // Prepare
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'secretsmanager.amazonaws.com' } }),
    ) as {
      Properties: { SourceArn: unknown; SourceAccount: unknown };
    }[];

    // Act
    const scopes = permissions.map((permission) => ({
      arn: cfnText(permission.Properties.SourceArn),
      account: permission.Properties.SourceAccount,
    }));

    // Assess
    expect(scopes).toEqual([
      {
        arn: 'arn:${Ref:AWS::Partition}:secretsmanager:${Ref:AWS::Region}:${Ref:AWS::AccountId}:secret:dcr/clients/*',
        account: { Ref: 'AWS::AccountId' },
      },
    ]);
  });

  it('creates the bus and routes the tenant lifecycle events from the configured source, with retries and a DLQ', () => {
    // Prepare, Act: one synthesized template
    // Assess
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'dcr-onboarding' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^TenantEventsBus') },
      EventPattern: {
        source: ['com.example.tenants'],
        'detail-type': ['TenantOnboarded', 'TenantOffboarded', 'ClientSecretRotationRequested'],
      },
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TenantEventsDeadLetters'), 'Arn'] } },
        }),
      ],
    });
  });

  it('schedules the canary hourly with {"action":"canary"} and its own DLQ', () => {
    // Prepare, Act: one synthesized template
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Input: '{"action":"canary"}',
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CanaryDeadLetters'), 'Arn'] } },
      }),
    });
  });

  it('encrypts every queue with the service key, refuses plain-text access to it and keeps dead letters 14 days', () => {
    // Prepare
    const serviceKeyId = logicalIdStartingWith(template, 'AWS::KMS::Key', 'ServiceKey');

    // Act
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));

    // Assess: four dead-letter queues (tenant events, canary, failed invocations, maintenance), the onboarding lane and its DLQ
    expect(queues).toHaveLength(6);
    template.allResourcesProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [serviceKeyId, 'Arn'] },
      SqsManagedSseEnabled: Match.absent(),
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      },
      6,
    );
  });

  it('alarms on errors, throttles, each DLQ, canary failures and (possibly) orphaned clients (the rest: alarms.test.ts)', () => {
    // Prepare, Act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => (alarm as { Properties: Record<string, unknown> }).Properties,
    );

    // Assess
    expect(alarms).toHaveLength(20);
    expect(alarms.map((alarm) => alarm.MetricName)).toEqual(
      expect.arrayContaining([
        'ApproximateAgeOfOldestMessage',
        'ApproximateNumberOfMessagesVisible',
        'CanaryFailure',
        'ClientOrphaned',
        'Errors',
        'PossibleOrphan',
        'Throttles',
      ]),
    );
    expect(alarms.filter((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(5);
    // The function's EMF metrics, not log text: no metric filter is left.
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'DcrOnboarding',
      MetricName: 'CanaryFailure',
      Statistic: 'Sum',
      Period: 3600,
      Dimensions: Match.absent(),
    });
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  it('outputs the API URL, bus, config parameter, IAT secret and DLQ URLs', () => {
    // Prepare, Act
    const outputs = Object.keys(template.toJSON().Outputs as object).sort();

    // Assess
    expect(outputs).toEqual(
      [
        'ApiUrl',
        'CanaryDeadLettersQueueUrl',
        'ClientSecretNamePrefix',
        'ClientSecretsKeyArn',
        'ConfigParameterName',
        'EventBusName',
        'FailedInvocationsQueueUrl',
        'FunctionName',
        'InitialAccessTokenSecretdefault',
        'LaneDeadLettersQueueUrl',
        'LaneQueueUrl',
        'MaintenanceDeadLettersQueueUrl',
        'TenantEventsDeadLettersQueueUrl',
      ].sort(),
    );
    template.hasOutput('InitialAccessTokenSecretdefault', { Value: 'dcr/iat/default' });
  });
});
