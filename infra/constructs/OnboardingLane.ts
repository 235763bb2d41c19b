import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './DeadLetterQueue.js';
import { ENV } from '../../functions/core/constants.js';

/** `onboardingLane.*` (context `dcr:onboardingLane.<key>`); docs/scaling.md explains each figure. */
export interface OnboardingLaneSettings {
  /** Event source mapping `ScalingConfig.MaximumConcurrency` (2–1000, ≤ reserved concurrency). Default 5. */
  readonly maxConcurrency?: number;
  /** Records per invocation (1–10 for a standard queue without a batching window). Default 10. */
  readonly batchSize?: number;
  /** Receives before a message goes to the lane DLQ. Default 10: throttled records come back several times. */
  readonly maxReceiveCount?: number;
  /** The lane-age alarm fires when the oldest message is older than this. Default 3,600 s. */
  readonly maxAgeSeconds?: number;
  /** Longest an invocation waits for pacing tokens (LANE_PACING_WAIT_MS). Default 30 s. */
  readonly pacingWaitSeconds?: number;
}

export interface OnboardingLaneProps extends OnboardingLaneSettings {
  readonly handler: LambdaFunction;
  /** The function timeout: the queue's visibility timeout is six times it (AWS's guidance for SQS sources). */
  readonly functionTimeout: Duration;
  /** The function's reserved concurrency: the lane may not ask for more. */
  readonly reservedConcurrency: number;
  /** The stack's service key: encrypts the lane and its DLQ. */
  readonly serviceKey: IKey;
}

export const LANE_DEFAULTS = {
  maxConcurrency: 5,
  batchSize: 10,
  maxReceiveCount: 10,
  maxAgeSeconds: 3_600,
  pacingWaitSeconds: 30,
} as const;

/**
 * The onboarding lane: tenant events (from the rule) and bulk imports (`dcr import`) wait in an SQS
 * queue that the function drains through an event source mapping capped at `maxConcurrency`
 * instances; each instance paces its share of a target's rate (functions/core/pacing). Records the
 * function reports as failed come back after the backoff it set; after `maxReceiveCount` receives
 * they go to the lane DLQ (depth alarm), to be redriven (`dcr redrive`).
 */
export class OnboardingLane extends Construct {
  readonly queue: Queue;
  readonly deadLetters: DeadLetterQueue;
  readonly settings: Required<OnboardingLaneSettings>;

  constructor(scope: Construct, id: string, props: OnboardingLaneProps) {
    super(scope, id);
    const settings = { ...LANE_DEFAULTS, ...definedOnly(props) };
    validate(settings, props.reservedConcurrency);
    this.settings = settings;
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', { encryptionKey: props.serviceKey });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.serviceKey,
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      // A batch may run the whole function timeout; a shorter visibility would let a record run twice at once.
      visibilityTimeout: Duration.seconds(6 * props.functionTimeout.toSeconds()),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: settings.maxReceiveCount },
    });
    // grantConsumeMessages: Receive, ChangeMessageVisibility, GetQueueUrl, Delete, GetQueueAttributes
    // on this queue only, and kms:Decrypt on the service key.
    props.handler.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: settings.batchSize,
        maxConcurrency: settings.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // Readiness checks (a target's `readiness`) are delayed messages the function sends to its own lane.
    props.handler.addToRolePolicy(
      new PolicyStatement({ sid: 'SendReadinessChecks', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
    props.handler.addToRolePolicy(
      new PolicyStatement({
        sid: 'EncryptReadinessChecks',
        actions: ['kms:GenerateDataKey'],
        resources: [props.serviceKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    props.handler.addEnvironment(ENV.LANE_QUEUE_ARN, this.queue.queueArn);
    props.handler.addEnvironment(ENV.LANE_QUEUE_URL, this.queue.queueUrl);
    props.handler.addEnvironment(ENV.LANE_MAX_CONCURRENCY, String(settings.maxConcurrency));
    props.handler.addEnvironment(ENV.LANE_PACING_WAIT_MS, String(settings.pacingWaitSeconds * 1000));
  }
}

function definedOnly(settings: OnboardingLaneSettings): Partial<Required<OnboardingLaneSettings>> {
  const keys = Object.keys(LANE_DEFAULTS) as (keyof OnboardingLaneSettings)[];
  return Object.fromEntries(keys.filter((key) => settings[key] !== undefined).map((key) => [key, settings[key]]));
}

function validate(settings: Required<OnboardingLaneSettings>, reservedConcurrency: number): void {
  const whole = (name: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`onboardingLane.${name} must be a whole number from ${min} to ${max}, not ${value}`);
    }
  };
  whole('maxConcurrency', settings.maxConcurrency, 2, 1000);
  whole('batchSize', settings.batchSize, 1, 10);
  whole('maxReceiveCount', settings.maxReceiveCount, 1, 1000);
  whole('maxAgeSeconds', settings.maxAgeSeconds, 60, 1_209_600);
  whole('pacingWaitSeconds', settings.pacingWaitSeconds, 1, 120);
  if (settings.maxConcurrency > reservedConcurrency) {
    throw new Error(
      `onboardingLane.maxConcurrency (${settings.maxConcurrency}) exceeds the function's reserved concurrency (${reservedConcurrency}): ` +
        'the lane would be throttled; raise dcr:reservedConcurrency or lower the lane',
    );
  }
}
