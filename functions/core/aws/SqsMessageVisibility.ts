import { ChangeMessageVisibilityBatchCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessageVisibility, VisibilityChange } from '../ports/MessageVisibility.js';

/**
 * ChangeMessageVisibilityBatch, ten at a time. The queue URL comes from `knownQueueUrls` (the stack
 * sets LANE_QUEUE_URL) or, once per queue and container, from GetQueueUrl with the ARN's name and account.
 */
export class SqsMessageVisibility implements MessageVisibility {
  readonly #client: SQSClient;
  readonly #urls = new Map<string, Promise<string>>();

  constructor(client: SQSClient, knownQueueUrls: Record<string, string> = {}) {
    this.#client = client;
    for (const [arn, url] of Object.entries(knownQueueUrls)) this.#urls.set(arn, Promise.resolve(url));
  }

  async change(changes: readonly VisibilityChange[]): Promise<{ failed: number }> {
    let failed = 0;
    const byQueue = new Map<string, VisibilityChange[]>();
    for (const change of changes) byQueue.set(change.queueArn, [...(byQueue.get(change.queueArn) ?? []), change]);
    for (const [queueArn, entries] of byQueue) {
      let queueUrl: string;
      try {
        queueUrl = await this.#queueUrl(queueArn);
      } catch {
        this.#urls.delete(queueArn);
        failed += entries.length;
        continue;
      }
      for (let start = 0; start < entries.length; start += 10) {
        const chunk = entries.slice(start, start + 10);
        try {
          const answer = await this.#client.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((entry, index) => ({
                Id: String(index),
                ReceiptHandle: entry.receiptHandle,
                VisibilityTimeout: entry.seconds,
              })),
            }),
          );
          failed += answer.Failed?.length ?? 0;
        } catch {
          failed += chunk.length;
        }
      }
    }
    return { failed };
  }

  #queueUrl(queueArn: string): Promise<string> {
    let url = this.#urls.get(queueArn);
    if (!url) {
      // arn:aws:sqs:region:account:name
      const [, , , , account, name] = queueArn.split(':');
      url = this.#client
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
        .then((answer) => answer.QueueUrl ?? Promise.reject(new Error('no queue URL')));
      this.#urls.set(queueArn, url);
    }
    return url;
  }
}
