import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export interface OutcomeQueue {
  busName: string;
  /** Drains the queue: every outcome event delivered so far, as EventBridge sent it. */
  drain(): Promise<{ 'detail-type': string; source: string; detail: Record<string, unknown> }[]>;
}

/** An event bus whose `dcr-onboarding` events a rule forwards to an SQS queue, all in moto. */
export async function createOutcomeQueue(run: string): Promise<OutcomeQueue> {
  const events = new EventBridgeClient({});
  const sqs = new SQSClient({});
  const busName = `dcr-outcomes-${run}`;
  await events.send(new CreateEventBusCommand({ Name: busName }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `dcr-outcomes-${run}` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await events.send(
    new PutRuleCommand({ Name: `outcomes-${run}`, EventBusName: busName, EventPattern: JSON.stringify({ source: ['dcr-onboarding'] }) }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: `outcomes-${run}`, EventBusName: busName, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }),
  );
  return {
    busName,
    async drain() {
      const received = [];
      for (let round = 0; round < 20; round++) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!Messages.length) break;
        received.push(...Messages.map((message) => JSON.parse(message.Body ?? '{}')));
        await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
        );
      }
      return received;
    },
  };
}
