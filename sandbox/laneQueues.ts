import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface LaneQueues {
  queueUrl: string;
  queueArn: string;
  deadLetterUrl: string;
  deadLetterArn: string;
}

/**
 * The lane queue and its DLQ as the stack makes them (OnboardingLane.ts), in moto: SQS itself moves a
 * message to the DLQ on the receive after `maxReceiveCount` (moto does the same).
 */
export async function createLaneQueues(
  sqs: SQSClient,
  name: string,
  options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
): Promise<LaneQueues> {
  const deadLetterUrl = await create(sqs, `${name}-dlq`, {});
  const deadLetterArn = await arnOf(sqs, deadLetterUrl);
  const queueUrl = await create(sqs, name, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 60),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: options.maxReceiveCount ?? 10 }),
  });
  return { queueUrl, queueArn: await arnOf(sqs, queueUrl), deadLetterUrl, deadLetterArn };
}

async function create(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`no URL for queue ${name}`);
  return QueueUrl;
}

async function arnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no ARN for queue ${queueUrl}`);
  return Attributes.QueueArn;
}
