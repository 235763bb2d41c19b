import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE, type MetricName } from '../../functions/core/constants.js';

export interface ServiceAlarmsProps {
  readonly function: IFunction;
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

/** The dimensionless copy of an alarmed metric (ALARMED_METRICS), summed over five minutes. */
function serviceMetric(metricName: MetricName): Metric {
  return new Metric({ namespace: METRICS_NAMESPACE, metricName, statistic: 'Sum', period: FIVE_MINUTES });
}

/** What must wake someone: errors, throttles, dead letters, a failing canary, an (possibly) orphaned client. */
export class ServiceAlarms extends Construct {
  readonly topic?: ITopic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    this.topic = this.#topic(props);

    this.#alarm(
      'FunctionErrors',
      props.function.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      'The register function failed (canary failures and retryable event failures count here too).',
    );
    this.#alarm(
      'FunctionThrottles',
      props.function.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      'The register function was throttled.',
    );
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.#alarm(
        `${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        `Messages wait on the ${name} dead-letter queue: inspect, fix, redrive.`,
      );
    }
    for (const [name, { queue, maxAge }] of Object.entries(props.queueAges ?? {})) {
      this.#alarm(
        `${name}Age`,
        queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        `The oldest message on ${name} is older than ${maxAge.toSeconds()} s: the lane is stuck or slower than its input (dcr lane; docs/scaling.md).`,
        maxAge.toSeconds(),
      );
    }
    // EMF metrics the function writes (functions/core/metrics.ts), each also without dimensions so
    // that one alarm covers every target. Names come from the module both sides import.
    this.#alarm(
      'CanaryFailures',
      serviceMetric(METRICS.canaryFailure).with({ period: Duration.hours(1) }),
      'The canary could not register, read back or delete a client: onboarding is probably broken.',
    );
    this.#alarm(
      'OrphanedClients',
      serviceMetric(METRICS.clientOrphaned),
      'A client was registered at the provider but neither stored nor deleted: delete it by hand (client id in the log).',
    );
    this.#alarm(
      'PossibleOrphanedClients',
      serviceMetric(METRICS.possibleOrphan),
      'A registration was sent but never answered, or a stale claim was taken over: the provider may hold a client without a secret (see unconfirmed_attempts).',
    );
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

  #alarm(id: string, metric: IMetric, description: string, threshold = 1): void {
    const alarm = new Alarm(this, id, {
      metric,
      alarmDescription: `${description} Runbook: docs/operations.md, "${id}".`,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (this.topic) alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
