import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription, SqsSubscription, UrlSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE, type MetricName } from '../../functions/core/constants.js';
import { heartbeatWindow } from './heartbeatWindow.js';
import { ServiceDashboard } from './ServiceDashboard.js';

/** Who hears the alarms: each endpoint is subscribed to the alarm topic. */
export interface AlarmSubscriptions {
  readonly emails?: readonly string[];
  /** HTTPS endpoints (a chat webhook, an incident tool); each must confirm the subscription. */
  readonly httpsUrls?: readonly string[];
  /** Queues (a queue under a customer managed key must let `sns.amazonaws.com` use that key). */
  readonly queues?: readonly IQueue[];
  readonly functions?: readonly IFunction[];
}

export interface ServiceAlarmsProps {
  readonly function: IFunction;
  /** The function's log group: each alarm description names it, and a saved Logs Insights query on it. */
  readonly logGroupName: string;
  /** Name → queue; any message on any of them means an event that needs a human. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Name → queue and the age its oldest message may reach (the onboarding lane). */
  readonly queueAges?: Readonly<Record<string, { queue: IQueue; maxAge: Duration }>>;
  /** The canary's schedule expression: the heartbeat alarm fires after two missed runs (heartbeatWindow.ts). None: no canary, no canary alarms. */
  readonly canarySchedule?: string;
  /** Notify this topic instead of one the construct creates. */
  readonly topic?: ITopic;
  /** Subscribed to the topic (created or given). */
  readonly subscriptions?: AlarmSubscriptions;
}

const FIVE_MINUTES = Duration.minutes(5);
const RUNBOOK = 'docs/operations.md';

/** One alarm: what happened (one line), the runbook section, the saved query that finds the log lines. */
interface AlarmSpec {
  readonly id: string;
  readonly metric: IMetric;
  readonly what: string;
  /** A Logs Insights filter for the lines that explain it. */
  readonly logFilter: string;
  readonly threshold?: number;
  readonly below?: boolean;
  readonly missingData?: TreatMissingData;
}

const ERROR_LINES = 'level = "ERROR"';
const linesOf = (metric: MetricName) => `ispresent(${metric}) or level = "ERROR"`;

/** The dimensionless copy of an alarmed metric (ALARMED_METRICS), summed over five minutes. */
function serviceMetric(metricName: MetricName, period: Duration = FIVE_MINUTES): Metric {
  return new Metric({ namespace: METRICS_NAMESPACE, metricName, statistic: 'Sum', period });
}

/**
 * What must wake someone, and where it goes. Every alarm notifies the topic on ALARM and on OK; the
 * topic is created (encrypted with a key of its own) unless one is given. Names are
 * `<stack>[-<instance>]-<alarm>`, so two instances in one stack never collide, and each description
 * says what happened, which saved Logs Insights query to run and which runbook section to open.
 */
export class ServiceAlarms extends Construct {
  readonly topic: ITopic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: ServiceDashboard;
  /** `<stack>[-<instance path>]`: the prefix of alarm, query and dashboard names. */
  readonly namePrefix: string;
  readonly #queries = new Map<string, string>();

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.namePrefix = instanceName(this);
    this.topic = this.#topic(props);
    this.#subscribe(props.subscriptions ?? {});
    const logGroup = LogGroup.fromLogGroupName(this, 'FunctionLogGroup', props.logGroupName);
    const query = (name: string, filter: string): string => {
      const queryName = `${this.namePrefix}/${name}`;
      if (!this.#queries.has(queryName)) {
        new QueryDefinition(this, `Query${name}`, {
          queryDefinitionName: queryName,
          logGroups: [logGroup],
          queryString: new QueryString({
            fields: ['@timestamp', 'level', 'message', 'tenantId', 'target', 'error.code', 'error.message', 'requestId'],
            filterStatements: [filter],
            sort: '@timestamp desc',
            limit: 200,
          }),
        });
        this.#queries.set(queryName, filter);
      }
      return queryName;
    };

    const specs: AlarmSpec[] = [
      {
        id: 'FunctionErrors',
        metric: props.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        what: 'The register function failed (canary failures and retryable event failures count here too).',
        logFilter: ERROR_LINES,
      },
      {
        id: 'FunctionThrottles',
        metric: props.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        what: 'The register function was throttled: more invocations at once than its reserved concurrency.',
        logFilter: ERROR_LINES,
      },
      ...Object.entries(props.deadLetterQueues).map(([name, queue]) => ({
        id: `${name}Depth`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        what: `Messages wait on the ${name} dead-letter queue: inspect, fix, redrive.`,
        logFilter: ERROR_LINES,
      })),
      ...Object.entries(props.queueAges ?? {}).map(([name, { queue, maxAge }]) => ({
        id: `${name}Age`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        what: `The oldest message on ${name} is older than ${maxAge.toSeconds()} s: the lane is stuck or slower than its input (dcr lane).`,
        logFilter: 'level in ["WARN", "ERROR"]',
        threshold: maxAge.toSeconds(),
      })),
      // EMF metrics the function writes (functions/core/metrics.ts), each also without dimensions so
      // that one alarm covers every target. Names come from the module both sides import.
      ...(props.canarySchedule === undefined ? [] : canaryAlarms(heartbeatWindow(props.canarySchedule))),
      {
        id: 'OrphanedClients',
        metric: serviceMetric(METRICS.clientOrphaned),
        what: 'A client was registered at the provider but neither stored nor deleted: delete it there (client id in the log).',
        logFilter: `message like /orphaned client/ or ispresent(${METRICS.clientOrphaned})`,
      },
      {
        id: 'PossibleOrphanedClients',
        metric: serviceMetric(METRICS.possibleOrphan),
        what: 'A registration went unanswered, or a stale claim was taken over: the provider may hold a client without a secret.',
        logFilter: `possibleOrphan = 1 or ispresent(${METRICS.possibleOrphan})`,
      },
      {
        id: 'TenantEventFailures',
        metric: serviceMetric(METRICS.tenantEventFailed),
        what: 'A tenant event (EventBridge or the lane) failed terminally and was dropped: no retry will run it.',
        logFilter: `message like /failed terminally/ or ispresent(${METRICS.tenantEventFailed})`,
      },
      {
        id: 'HttpServerErrors',
        metric: serviceMetric(METRICS.httpServerError),
        what: 'The HTTP API answered 5xx (Lambda Errors does not count an answered request).',
        logFilter: linesOf(METRICS.httpServerError),
      },
      {
        id: 'OutcomePublishFailures',
        metric: serviceMetric(METRICS.outcomePublishFailed),
        what: 'Outcome events (ClientRegistered, …) could not be put on the bus: their consumers missed them.',
        logFilter: `message = "could not publish outcome event" or ispresent(${METRICS.outcomePublishFailed})`,
      },
      {
        id: 'ConfigReloadFailures',
        metric: serviceMetric(METRICS.configReloadFailed),
        what: 'A changed configuration was invalid: the function keeps using the last good one.',
        logFilter: `message like /configuration reload failed/ or ispresent(${METRICS.configReloadFailed})`,
      },
      {
        id: 'SecretRenewalFailures',
        metric: serviceMetric(METRICS.secretRenewalFailed),
        what: 'A client secret could not be renewed before its client_secret_expires_at.',
        logFilter: linesOf(METRICS.secretRenewalFailed),
      },
      {
        id: 'ExpiredClientSecrets',
        metric: serviceMetric(METRICS.clientSecretExpired),
        what: 'A stored client secret is past its client_secret_expires_at: its consumer cannot get tokens.',
        logFilter: linesOf(METRICS.clientSecretExpired),
      },
      {
        id: 'DriftedClients',
        metric: serviceMetric(METRICS.clientDrifted),
        what: 'A stored client is gone at the provider, or its metadata differs from the configuration.',
        logFilter: linesOf(METRICS.clientDrifted),
      },
      {
        id: 'ClientsNotReady',
        metric: serviceMetric(METRICS.clientNotReady),
        what: 'A new client never proved it can get a token within its target’s readiness window.',
        logFilter: linesOf(METRICS.clientNotReady),
      },
    ];
    // Without a canary (DcrOnboarding `canary: false`) its alarms would only ever report missing runs.
    for (const spec of specs) {
      const queryName = query(spec.logFilter === ERROR_LINES ? 'Errors' : spec.id, spec.logFilter);
      this.#alarm(spec, `Logs Insights query "${queryName}" on ${props.logGroupName}`);
    }
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      dashboardName: this.namePrefix,
      function: props.function,
      logGroup,
      deadLetterQueues: props.deadLetterQueues,
      queues: Object.fromEntries(Object.entries(props.queueAges ?? {}).map(([name, { queue }]) => [name, queue])),
      alarms: this.alarms,
    });
  }

  /** Saved Logs Insights query name → its filter. */
  get queries(): ReadonlyMap<string, string> {
    return this.#queries;
  }

  #topic(props: ServiceAlarmsProps): ITopic {
    if (props.topic) return props.topic;
    // Alarms cannot publish to a topic under the AWS managed SNS key: a key of our own that lets
    // CloudWatch use it.
    const key = new Key(this, 'TopicKey', { description: `dcr-onboarding alarm topic (${this.namePrefix})`, enableKeyRotation: true });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    return new Topic(this, 'Topic', { displayName: `dcr-onboarding alarms (${this.namePrefix})`, masterKey: key, enforceSSL: true });
  }

  #subscribe(subscriptions: AlarmSubscriptions): void {
    for (const email of subscriptions.emails ?? []) {
      if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new Error(`alarm e-mail ${JSON.stringify(email)} is not an e-mail address`);
      this.topic.addSubscription(new EmailSubscription(email));
    }
    for (const url of subscriptions.httpsUrls ?? []) {
      if (!/^https:\/\/[^\s]+$/.test(url)) throw new Error(`alarm endpoint ${JSON.stringify(url)} must be an https: URL`);
      this.topic.addSubscription(new UrlSubscription(url));
    }
    for (const queue of subscriptions.queues ?? []) this.topic.addSubscription(new SqsSubscription(queue));
    for (const fn of subscriptions.functions ?? []) this.topic.addSubscription(new LambdaSubscription(fn));
  }

  #alarm(spec: AlarmSpec, where: string): void {
    const alarm = new Alarm(this, spec.id, {
      alarmName: `${this.namePrefix}-${spec.id}`,
      metric: spec.metric,
      alarmDescription: `${spec.what} Look: ${where}. Runbook: ${RUNBOOK}#${spec.id.toLowerCase()}`,
      threshold: spec.threshold ?? 1,
      comparisonOperator: spec.below ? ComparisonOperator.LESS_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: spec.missingData ?? TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}

function canaryAlarms(window: Duration): AlarmSpec[] {
  return [
    {
      id: 'CanaryFailures',
      metric: serviceMetric(METRICS.canaryFailure, Duration.hours(1)),
      what: 'The canary could not register, read back or delete a client: onboarding is probably broken.',
      logFilter: `message = "canary failed" or ispresent(${METRICS.canaryFailure})`,
    },
    {
      id: 'CanaryHeartbeat',
      metric: serviceMetric(METRICS.canaryRun, window),
      what: `No canary run reported within ${window.toMinutes()} min: the schedule, its delivery or the function is not running.`,
      logFilter: `ispresent(${METRICS.canaryRun}) or message = "canary failed"`,
      below: true,
      missingData: TreatMissingData.BREACHING,
    },
  ];
}

/**
 * `<stack>` for the instance the app adds as 'Default', `<stack>-<path>` for any other: the ids between
 * the stack and this construct's parent.
 */
function instanceName(construct: Construct): string {
  const stack = Stack.of(construct);
  const path = construct.node.scopes
    .slice(stack.node.scopes.length, -1)
    .map((scope) => scope.node.id)
    .filter((id) => id !== 'Default');
  return [stack.stackName, ...path].join('-');
}
