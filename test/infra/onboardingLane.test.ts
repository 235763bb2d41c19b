import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, logicalIdStartingWith, templateOf } from './infraApp.js';

type Resources = Record<string, { Properties: Record<string, any> }>;
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('the onboarding lane', () => {
  let defaults: Template;
  let configured: Template;

  beforeAll(() => {
    defaults = templateOf();
    configured = templateOf({
      'dcr:onboardingLane.maxConcurrency': '8',
      'dcr:onboardingLane.batchSize': 4,
      'dcr:onboardingLane.maxReceiveCount': '25',
      'dcr:onboardingLane.maxAgeSeconds': '900',
      'dcr:onboardingLane.pacingWaitSeconds': '20',
    });
  }, 2 * SYNTH_TEST_TIMEOUT_MS);

  it('routes the tenant rule to the lane queue (whole event as the body), keeping the rule retries and DLQ; the function is no rule target', () => {
    const queueId = logicalIdStartingWith(defaults, 'AWS::SQS::Queue', 'LaneQueue');
    defaults.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 20, MaximumEventAgeInSeconds: 7200 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TenantEventsDeadLetters'), 'Arn'] } },
        }),
      ],
    });
    const rule = Object.values(defaults.findResources('AWS::Events::Rule') as Resources)[0];
    expect(rule?.Properties.Targets[0].Input).toBeUndefined();
    expect(defaults.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'events.amazonaws.com' } })).toEqual({});
  });

  it('encrypts the lane with the service key, hides a record 6× the function timeout, and sends it to its DLQ after 10 receives', () => {
    const queueId = logicalIdStartingWith(defaults, 'AWS::SQS::Queue', 'LaneQueue');
    const queue = (defaults.findResources('AWS::SQS::Queue') as Resources)[queueId]?.Properties ?? {};
    expect(queue).toMatchObject({
      KmsMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^ServiceKey/), 'Arn'] },
      VisibilityTimeout: 6 * 375,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: { maxReceiveCount: 10, deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^LaneDeadLetters/), 'Arn'] } },
    });
    expect(configured.findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: { maxReceiveCount: 25 } } })).not.toEqual({});
  });

  it('drains the lane through an event source mapping with MaximumConcurrency, a batch size and ReportBatchItemFailures', () => {
    defaults.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaneQueue'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^RegisterFunction') },
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    configured.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 4, ScalingConfig: { MaximumConcurrency: 8 } });
  });

  it('tells the function its lane share and pacing wait', () => {
    defaults.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LANE_MAX_CONCURRENCY: '5',
          LANE_PACING_WAIT_MS: '30000',
          LANE_QUEUE_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaneQueue'), 'Arn'] },
          LANE_QUEUE_URL: { Ref: Match.stringLikeRegexp('^LaneQueue') },
        }),
      },
    });
    configured.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LANE_MAX_CONCURRENCY: '8', LANE_PACING_WAIT_MS: '20000' }) },
    });
  });

  it('alarms on the age of the oldest lane message and on any lane dead letter', () => {
    defaults.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaneQueue'), 'QueueName'] } }],
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    configured.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900 });
    defaults.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaneDeadLetters'), 'QueueName'] } }],
      Threshold: 1,
    });
  });

  it('grants the function sqs:ChangeMessageVisibility on the lane queue only, sends only to its failure queue and (readiness checks) its lane, and purges nothing', () => {
    const statements = Object.entries(defaults.findResources('AWS::IAM::Policy') as Resources)
      .filter(([id]) => id.startsWith('RegisterRole'))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const sqsStatements = statements.filter((statement) => list(statement.Action).some((action) => action.startsWith('sqs:')));
    const visibility = sqsStatements.filter((statement) => list(statement.Action).includes('sqs:ChangeMessageVisibility'));
    expect(visibility).toHaveLength(1);
    expect(list(visibility[0]?.Resource).map(cfnText)).toEqual([expect.stringMatching(/^\$\{LaneQueue\w+\.Arn\}$/)]);
    const granted = sqsStatements.flatMap((statement) => list(statement.Action));
    expect(granted.filter((action) => /^sqs:(SendMessage|PurgeQueue|DeleteQueue|SetQueueAttributes)/.test(action))).toEqual(
      // the function's own async-failure destination, and the lane for delayed readiness checks
      ['sqs:SendMessage', 'sqs:SendMessage'],
    );
    const sends = sqsStatements.filter((statement) => list(statement.Action).includes('sqs:SendMessage'));
    expect(sends.flatMap((statement) => list(statement.Resource).map(cfnText)).sort()).toEqual([
      expect.stringMatching(/^\$\{LaneQueue\w+\.Arn\}$/),
      expect.stringMatching(/^\$\{RegisterFailedInvocationsQueue\w+\.Arn\}$/),
    ]);
  });

  it.each([
    [
      'a lane wider than the reserved concurrency',
      { 'dcr:reservedConcurrency': '4', 'dcr:onboardingLane.maxConcurrency': '5' },
      /maxConcurrency \(5\) exceeds the function's reserved concurrency \(4\)/,
    ],
    [
      'a lane of one (Lambda needs 2 or more)',
      { 'dcr:onboardingLane.maxConcurrency': '1' },
      /maxConcurrency must be a whole number from 2 to 1000, not 1/,
    ],
    ['a batch of 11', { 'dcr:onboardingLane.batchSize': '11' }, /batchSize must be a whole number from 1 to 10, not 11/],
  ])(
    'refuses %s at synth',
    (_name, context, message) => {
      expect(() => templateOf(context)).toThrow(message);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});
