import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type IFilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ServiceAlarmsProps {
  readonly function: IFunction;
  /** The function's log group: the canary and orphan metrics come from its JSON lines. */
  readonly logGroup: ILogGroup;
  /** Name → queue; any message on any of them means an event that needs a human. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Name → queue and the age its oldest message may reach (the onboarding lane). */
  readonly queueAges?: Readonly<Record<string, { queue: IQueue; maxAge: Duration }>>;
  /** Notify an existing topic (wins over alarmEmail). */
  readonly alarmTopicArn?: string;
  /** Or create an encrypted topic with this e-mail subscribed. */
  readonly alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/** What must wake someone: errors, throttles, dead letters, a failing canary, an (possibly) orphaned client. */
export class ServiceAlarms extends Construct {
  readonly topic?: ITopic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.topic = this.#topic(props);
    const namespace = `DcrOnboarding/${Stack.of(this).stackName}`;

    this.#alarm('FunctionErrors', props.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      'The register function failed (canary failures and retryable event failures count here too).');
    this.#alarm('FunctionThrottles', props.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      'The register function was throttled.');
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.#alarm(`${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        `Messages wait on the ${name} dead-letter queue: inspect, fix, redrive.`);
    }
    for (const [name, { queue, maxAge }] of Object.entries(props.queueAges ?? {})) {
      this.#alarm(`${name}Age`,
        queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        `The oldest message on ${name} is older than ${maxAge.toSeconds()} s: the lane is stuck or slower than its input (dcr lane; docs/scaling.md).`,
        maxAge.toSeconds());
    }
    // The handler logs exactly these lines and fields (schedule.ts, registerTenant.ts, claim.ts).
    this.#alarm('CanaryFailures',
      this.#logMetric(props.logGroup, namespace, 'CanaryFailures', FilterPattern.stringValue('$.message', '=', 'canary failed'))
        .with({ period: Duration.hours(1) }),
      'The canary could not register, read back or delete a client: onboarding is probably broken.');
    this.#alarm('OrphanedClients',
      this.#logMetric(props.logGroup, namespace, 'OrphanedClients', FilterPattern.numberValue('$.orphanedClient', '=', 1)),
      'A client was registered at the provider but neither stored nor deleted: delete it by hand (client id in the log).');
    this.#alarm('PossibleOrphanedClients',
      this.#logMetric(props.logGroup, namespace, 'PossibleOrphanedClients', FilterPattern.numberValue('$.possibleOrphan', '=', 1)),
      'A registration was sent but never answered: the provider may hold a client without a secret (see unconfirmed_attempts).');
  }

  #topic(props: ServiceAlarmsProps): ITopic | undefined {
    if (props.alarmTopicArn) return Topic.fromTopicArn(this, 'Topic', props.alarmTopicArn);
    if (!props.alarmEmail) return undefined;
    // Alarms cannot publish to a topic under the AWS managed SNS key: a key of our own that lets
    // CloudWatch use it.
    const key = new Key(this, 'TopicKey', { description: 'dcr-onboarding alarm topic', enableKeyRotation: true });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new Topic(this, 'Topic', { displayName: 'dcr-onboarding alarms', masterKey: key, enforceSSL: true });
    topic.addSubscription(new EmailSubscription(props.alarmEmail));
    return topic;
  }

  #logMetric(logGroup: ILogGroup, namespace: string, name: string, pattern: IFilterPattern): Metric {
    const filter = new MetricFilter(this, `${name}Filter`, {
      logGroup,
      filterPattern: pattern,
      metricNamespace: namespace,
      metricName: name,
      metricValue: '1',
    });
    return filter.metric({ statistic: 'Sum', period: FIVE_MINUTES });
  }

  #alarm(id: string, metric: IMetric, description: string, threshold = 1): void {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: description,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (this.topic) alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
