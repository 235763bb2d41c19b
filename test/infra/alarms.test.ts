import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARMED_METRICS, METRICS } from '../../functions/core/constants.js';
import { heartbeatWindow } from '../../infra/constructs/heartbeatWindow.js';
import { ServiceAlarms } from '../../infra/constructs/ServiceAlarms.js';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, everythingOn, onlyLogicalId, templateOf } from './infraApp.js';

type AlarmProperties = {
  AlarmName: string;
  AlarmDescription: string;
  MetricName: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  [key: string]: unknown;
};

function alarmsOf(template: Template): AlarmProperties[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (alarm) => (alarm as { Properties: AlarmProperties }).Properties,
  );
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(markdown: string): Set<string> {
  return new Set(
    markdown
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) =>
        line
          .replace(/^#+ /, '')
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      ),
  );
}

const operations = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

describe('alarms with the cdk.json defaults', () => {
  let template: Template;

  beforeAll(() => {
    template = templateOf();
  }, SYNTH_TEST_TIMEOUT_MS);

  it('notify an encrypted topic the stack creates, on ALARM and on OK, every one of them', () => {
    // Prepare
    const topicId = onlyLogicalId(template, 'AWS::SNS::Topic');

    // Act
    const alarms = alarmsOf(template);

    // Assess
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    expect(alarms.length).toBeGreaterThanOrEqual(20);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions, alarm.AlarmName).toEqual([{ Ref: topicId }]);
    }
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('alarm on terminal event failures, 5xx answers, outcome publishing, config reloads and the lifecycle metrics', () => {
    // Prepare, Act
    const byMetric = new Map(alarmsOf(template).map((alarm) => [alarm.MetricName, alarm]));

    // Assess: each is the dimensionless copy, ≥ 1 in 5 minutes, quiet when nothing is written
    for (const metric of [
      METRICS.tenantEventFailed,
      METRICS.httpServerError,
      METRICS.outcomePublishFailed,
      METRICS.configReloadFailed,
      METRICS.secretRenewalFailed,
      METRICS.clientSecretExpired,
      METRICS.clientDrifted,
      METRICS.clientNotReady,
    ]) {
      expect(byMetric.get(metric), metric).toMatchObject({
        Namespace: 'DcrOnboarding',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(byMetric.get(metric)?.Dimensions, metric).toBeUndefined();
    }
  });

  it('fire the canary heartbeat when runs stop arriving: missing data breaches, window of two hourly runs plus 20 minutes', () => {
    // Prepare, Act
    const heartbeat = alarmsOf(template).find((alarm) => alarm.MetricName === METRICS.canaryRun);

    // Assess
    expect(heartbeat).toMatchObject({
      AlarmName: 'DcrOnboarding-CanaryHeartbeat',
      Statistic: 'Sum',
      Period: 2 * 3600 + 20 * 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('name in every description a runbook section that exists in docs/operations.md, and a saved query on the log group', () => {
    // Prepare
    const anchors = anchorsOf(operations);
    const queries = Object.values(template.findResources('AWS::Logs::QueryDefinition')).map(
      (query) => (query as { Properties: { Name: string; LogGroupNames: string[] } }).Properties,
    );

    // Act
    const descriptions = alarmsOf(template).map((alarm) => alarm.AlarmDescription);

    // Assess
    for (const description of descriptions) {
      const anchor = /Runbook: docs\/operations\.md#([a-z0-9-]+)$/.exec(description)?.[1];
      expect(anchor, description).toBeDefined();
      expect(anchors.has(anchor as string), `docs/operations.md has no section #${anchor}`).toBe(true);
      const query = /Logs Insights query "([^"]+)" on (\S+)\./.exec(description);
      expect(query?.[2], description).toBe('/dcr-onboarding/DcrOnboarding/register');
      expect(queries.find((definition) => definition.Name === query?.[1])?.LogGroupNames, description).toEqual([
        '/dcr-onboarding/DcrOnboarding/register',
      ]);
      expect(description.length).toBeLessThanOrEqual(1024);
    }
  });

  it('carry stable names scoped to the stack', () => {
    // Prepare, Act
    const names = alarmsOf(template).map((alarm) => alarm.AlarmName);

    // Assess
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(['DcrOnboarding-FunctionErrors', 'DcrOnboarding-LaneDeadLettersDepth', 'DcrOnboarding-TenantEventFailures']),
    );
    expect(names.every((name) => name.startsWith('DcrOnboarding-'))).toBe(true);
  });

  it('alarm on exactly the metrics the function also writes without dimensions (ALARMED_METRICS)', () => {
    // Prepare, Act
    const custom = alarmsOf(template).filter((alarm) => alarm.Namespace === 'DcrOnboarding');

    // Assess
    expect(custom.map((alarm) => alarm.MetricName).sort()).toEqual([...ALARMED_METRICS].sort());
  });

  it('keep every dead-letter queue when the stack is deleted, and only those', () => {
    // Prepare, Act
    const queues = template.findResources('AWS::SQS::Queue');
    const retained = Object.entries(queues)
      .filter(([, queue]) => (queue as { DeletionPolicy?: string }).DeletionPolicy === 'Retain')
      .map(([id]) => id);

    // Assess: every DLQ (rule, canary and maintenance schedules, async invocations, lane), not the lane
    expect(retained.length).toBeGreaterThanOrEqual(4);
    expect(Object.keys(queues)).toHaveLength(retained.length + 1);
    for (const id of retained) expect((queues[id] as { UpdateReplacePolicy?: string }).UpdateReplacePolicy).toBe('Retain');
    const laneQueue = Object.entries(queues).find(([id]) => !retained.includes(id))?.[1] as { Properties: { RedrivePolicy: unknown } };
    expect(laneQueue.Properties.RedrivePolicy).toBeDefined();
  });

  it('draw a dashboard with outcomes, failures by code, canary, lane, dead letters and the function', () => {
    // Prepare
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
      Properties: { DashboardName: string; DashboardBody: unknown };
    };

    // Act
    const body = cfnText(dashboard.Properties.DashboardBody);

    // Assess
    expect(dashboard.Properties.DashboardName).toBe('DcrOnboarding');
    for (const expected of [
      'client registered',
      'stats count(*) as count by error.code',
      'CanaryRun',
      'CanaryDuration',
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'TenantEventFailed',
      'Throttles',
      'Duration',
      'p99',
      '/dcr-onboarding/DcrOnboarding/register',
    ]) {
      expect(body, expected).toContain(expected);
    }
  });
});

describe('alarm topic and subscriptions from configuration', () => {
  it(
    'subscribe every listed e-mail and HTTPS endpoint, and honour the single dcr:alarmEmail',
    () => {
      // Prepare, Act
      const template = templateOf({
        'dcr:alarmEmails': 'a@example.com, b@example.com',
        'dcr:alarmEmail': 'oncall@example.com',
        'dcr:alarmUrls': '["https://hooks.example.com/alarms"]',
      });

      // Assess
      const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map(
        (subscription) => (subscription as { Properties: { Protocol: string; Endpoint: string } }).Properties,
      );
      expect(subscriptions.map(({ Protocol, Endpoint }) => `${Protocol}:${Endpoint}`).sort()).toEqual([
        'email:a@example.com',
        'email:b@example.com',
        'email:oncall@example.com',
        'https:https://hooks.example.com/alarms',
      ]);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );

  it(
    'send to an existing topic by ARN instead of creating one (dcr:alarmTopicArn), OK actions included',
    () => {
      // Prepare
      const arn = 'arn:aws:sns:eu-west-1:123456789012:oncall';

      // Act
      const template = templateOf({ ...everythingOn, 'dcr:alarmTopicArn': arn });

      // Assess
      template.resourceCountIs('AWS::SNS::Topic', 0);
      const alarms = alarmsOf(template);
      expect(alarms.every((alarm) => JSON.stringify(alarm.AlarmActions) === JSON.stringify([arn]))).toBe(true);
      expect(alarms.every((alarm) => JSON.stringify(alarm.OKActions) === JSON.stringify([arn]))).toBe(true);
      // rate(15 minutes): two missed runs plus 20 minutes
      expect(alarms.find((alarm) => alarm.MetricName === METRICS.canaryRun)?.Period).toBe(50 * 60);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );

  it(
    'refuse an e-mail that is not one and an endpoint that is not https',
    () => {
      // Prepare, Act
      const badEmail = () => templateOf({ 'dcr:alarmEmails': 'oncall' });
      const badUrl = () => templateOf({ 'dcr:alarmUrls': 'http://hooks.example.com/alarms' });

      // Assess
      expect(badEmail).toThrow(/alarm e-mail "oncall" is not an e-mail address/);
      expect(badUrl).toThrow(/must be an https: URL/);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});

describe('ServiceAlarms as a part of a construct', () => {
  function instance(scope: Construct, id: string, topic?: Topic) {
    const part = new Construct(scope, id);
    return new ServiceAlarms(part, 'Alarms', {
      function: LambdaFunction.fromFunctionName(part, 'Function', `fn-${id}`),
      logGroupName: `/logs/${id}`,
      deadLetterQueues: { DeadLetters: new Queue(part, 'DeadLetters') },
      queueAges: {},
      canarySchedule: 'cron(0 * * * ? *)',
      topic,
    });
  }

  it('two instances in one stack name their alarms, queries and dashboards apart', () => {
    // Prepare
    const stack = new Stack(new App(), 'Shared');

    // Act
    instance(stack, 'First');
    instance(stack, 'Second');
    const template = Template.fromStack(stack);

    // Assess
    const names = alarmsOf(template).map((alarm) => alarm.AlarmName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['Shared-First-CanaryHeartbeat', 'Shared-Second-CanaryHeartbeat']));
    const queryNames = Object.values(template.findResources('AWS::Logs::QueryDefinition')).map(
      (query) => (query as { Properties: { Name: string } }).Properties.Name,
    );
    expect(new Set(queryNames).size).toBe(queryNames.length);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')).map(
      (dashboard) => (dashboard as { Properties: { DashboardName: string } }).Properties.DashboardName,
    );
    expect(dashboards.sort()).toEqual(['Shared-First', 'Shared-Second']);
  });

  it('takes a topic given as an ITopic and creates none', () => {
    // Prepare
    const stack = new Stack(new App(), 'Given');
    const topic = new Topic(stack, 'Oncall');

    // Act
    instance(stack, 'Only', topic);
    const template = Template.fromStack(stack);

    // Assess
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicId = onlyLogicalId(template, 'AWS::SNS::Topic');
    expect(alarmsOf(template).every((alarm) => JSON.stringify(alarm.OKActions) === JSON.stringify([{ Ref: topicId }]))).toBe(true);
    // cron: the documented default window of one day
    expect(alarmsOf(template).find((alarm) => alarm.MetricName === METRICS.canaryRun)?.Period).toBe(86_400);
  });
});

describe('heartbeatWindow', () => {
  it.each([
    ['rate(1 hour)', 8400],
    ['rate(15 minutes)', 3000],
    ['rate(1 minute)', 1320],
    ['rate(5 hours)', 37_200],
    ['rate(1 day)', 86_400],
    ['rate(7 days)', 86_400],
    ['cron(0 * * * ? *)', 86_400],
    ['at(2030-01-01T00:00:00)', 86_400],
  ])('%s → %i s', (expression, seconds) => {
    expect(heartbeatWindow(expression).toSeconds()).toBe(seconds);
  });
});
