import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** One Lambda "instance": its own runtime (pacers, caches), as each container has. */
export type LaneHandler = (event: SQSEvent) => Promise<unknown>;

export interface LanePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** One handler per concurrent instance: their number is the mapping's MaximumConcurrency. */
  instances: LaneHandler[];
  /** Messages per ReceiveMessage / invocation (the mapping's BatchSize). Default 10. */
  batchSize?: number;
  /** Long-poll wait. Default 1 s. */
  waitTimeSeconds?: number;
}

export interface LanePollerStats {
  batches: number;
  received: number;
  deleted: number;
  /** Records reported in batchItemFailures (left to come back after the visibility the function set). */
  reportedFailures: number;
  /** Invocations that threw: their whole batch comes back after the queue's visibility timeout. */
  invocationErrors: number;
  maxReceiveCount: number;
}

/**
 * A local stand-in for the Lambda event source mapping of an SQS queue: `instances.length` pollers
 * each receive a batch, invoke their handler with an SQS event shaped as Lambda's, and delete what
 * succeeded — everything, except the records named in `batchItemFailures` (ReportBatchItemFailures),
 * or nothing when the invocation throws. Receive counts, visibility and the redrive to the DLQ after
 * `maxReceiveCount` are SQS's own (moto's), as in AWS.
 */
export class LanePoller {
  readonly stats: LanePollerStats = { batches: 0, received: 0, deleted: 0, reportedFailures: 0, invocationErrors: 0, maxReceiveCount: 0 };
  readonly #options: LanePollerOptions;
  #running: Promise<void>[] = [];
  #stopped = false;

  constructor(options: LanePollerOptions) {
    this.#options = options;
  }

  start(): void {
    this.#stopped = false;
    this.#running = this.#options.instances.map((handler) => this.#poll(handler));
  }

  /** Lets every instance finish its current batch, then resolves. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#running);
  }

  async #poll(handler: LaneHandler): Promise<void> {
    const { sqs, queueUrl } = this.#options;
    while (!this.#stopped) {
      let Messages: Message[];
      try {
        ({ Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: this.#options.batchSize ?? 10,
            WaitTimeSeconds: this.#options.waitTimeSeconds ?? 1,
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
        ));
      } catch {
        // As the mapping does: back off and poll again (the queue may be briefly unreachable).
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      if (!Messages.length) continue;
      this.stats.batches++;
      this.stats.received += Messages.length;
      const records = Messages.map((message) => this.#record(message));
      let failed: Set<string>;
      try {
        const answer = (await handler({ Records: records })) as Partial<SQSBatchResponse> | undefined;
        failed = new Set((answer?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        this.stats.reportedFailures += failed.size;
      } catch {
        this.stats.invocationErrors++;
        continue;
      }
      const done = records.filter((record) => !failed.has(record.messageId));
      for (let start = 0; start < done.length; start += 10) {
        const chunk = done.slice(start, start + 10);
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
          }),
        );
        this.stats.deleted += chunk.length;
      }
    }
  }

  #record(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    const receiveCount = Number(attributes.ApproximateReceiveCount ?? 1);
    this.stats.maxReceiveCount = Math.max(this.stats.maxReceiveCount, receiveCount);
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: attributes.SentTimestamp ?? '0',
        SenderId: attributes.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.#options.queueArn,
      awsRegion: this.#options.queueArn.split(':')[3] ?? 'us-east-1',
    };
  }
}
