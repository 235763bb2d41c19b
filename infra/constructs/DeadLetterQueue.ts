import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Where undeliverable or failed events wait for a human: encrypted at rest, TLS only, kept for the
 * SQS maximum of 14 days. Every instance has a depth alarm (see ServiceAlarms).
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // SQS-managed SSE: EventBridge, Scheduler and Lambda destinations can write to it without a key
    // policy, and nothing in a dead letter is secret material (tenant ids, targets, error names).
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (of a rule, a schedule or async invocations); its depth alarms.',
    });
  }
}
