import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** The stack's service key (ServiceKey): each writer is given its use where the queue is wired. */
  readonly encryptionKey: IKey;
}

/**
 * Where undeliverable or failed events wait for a human: encrypted at rest with the service key, TLS
 * only, kept for the SQS maximum of 14 days. Every instance has a depth alarm (see ServiceAlarms).
 * Retained when the stack is deleted: the failed events it still holds outlive a teardown
 * (docs/operations.md, Teardown, says how to delete it).
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    // A dead letter holds the failed event and the error message: tenant ids, targets and whatever an
    // upstream error said, so it is encrypted with our key, readable only by who may use that key.
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // One data key per 5 minutes instead of per message: fewer KMS calls, same key.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (of a rule, a schedule or async invocations); its depth alarms.',
    });
  }
}
