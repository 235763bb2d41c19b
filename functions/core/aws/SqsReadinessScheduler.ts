import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { MAX_SQS_DELAY_SECONDS } from '../options.js';
import type { ReadinessCheck, ReadinessScheduler } from '../ports/ReadinessScheduler.js';
import { classifyAwsError } from './classifyAwsError.js';

/**
 * Readiness checks as delayed messages on the onboarding lane queue. The SQS client is loaded at the
 * first check only: a container that never registers at a target with `readiness` never evaluates it.
 */
export class SqsReadinessScheduler implements ReadinessScheduler {
  #send: Promise<(body: string, delaySeconds: number) => Promise<void>> | undefined;

  constructor(
    private readonly queueUrl: string,
    private readonly sqsConfig: SQSClientConfig,
  ) {}

  async schedule(check: ReadinessCheck, delaySeconds: number): Promise<void> {
    this.#send ??= this.#load();
    this.#send.catch(() => (this.#send = undefined));
    const delay = Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds)));
    try {
      await (await this.#send)(JSON.stringify(check), delay);
    } catch (error) {
      throw classifyAwsError(error, 'scheduling a readiness check');
    }
  }

  async #load() {
    const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const client = new SQSClient(this.sqsConfig);
    return async (body: string, delaySeconds: number) => {
      await client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body, DelaySeconds: delaySeconds }));
    };
  }
}
