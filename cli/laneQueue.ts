import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { InvalidRequestError, TemporarilyUnavailableError } from '../functions/core/errors.js';
import type { OptionSpec, OptionValues } from './command.js';
import { UsageError } from './usageError.js';

export const LANE_QUEUE_OPTION = {
  'lane-queue-url': {
    type: 'string',
    value: 'URL',
    description: 'the onboarding lane queue (env LANE_QUEUE_URL; the stack output LaneQueueUrl)',
  },
} satisfies Record<string, OptionSpec>;

export function laneQueueUrl(values: OptionValues, env: Record<string, string | undefined> = {}): string {
  const url = values['lane-queue-url'] ?? env.LANE_QUEUE_URL;
  if (typeof url !== 'string' || url === '')
    throw new UsageError('--lane-queue-url is required (or set LANE_QUEUE_URL; the stack outputs LaneQueueUrl)');
  if (!URL.canParse(url)) throw new UsageError('--lane-queue-url must be a queue URL');
  return url;
}

const BATCH = 10;
const IN_FLIGHT = 4;
const ATTEMPTS = 6;

export interface SendOptions {
  /** Called after each batch with how many bodies are sent so far. */
  onProgress?: (sent: number) => void;
  /** Pause before retry `attempt` (1-based); tests pass a short one. */
  backoffMs?: (attempt: number) => number;
}

/**
 * Sends bodies with SendMessageBatch, 10 per call, a few calls in flight. Entries SQS failed on its side
 * are sent again (up to 6 attempts, backing off); an entry SQS refuses as the sender's fault, or one still
 * failing after the attempts, fails the import — after the rest went through, so a re-run sends little twice.
 */
export async function sendToLane(sqs: SQSClient, queueUrl: string, bodies: readonly string[], options: SendOptions = {}): Promise<number> {
  const backoff = options.backoffMs ?? ((attempt: number) => Math.min(5_000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2));
  const failures: string[] = [];
  let sent = 0;
  let next = 0;
  const sendBatch = async (start: number) => {
    let pending = bodies.slice(start, start + BATCH).map((body, index) => ({ Id: String(start + index), MessageBody: body }));
    for (let attempt = 1; pending.length && attempt <= ATTEMPTS; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, backoff(attempt - 1)));
      let failed: { Id?: string; SenderFault?: boolean; Code?: string }[];
      try {
        failed = (await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }))).Failed ?? [];
      } catch (error) {
        // The SDK already retried throttling and network faults; a refusal (no such queue, access denied) is final.
        if (attempt === ATTEMPTS || !isRetryable(error)) throw error;
        continue;
      }
      const refused = failed.filter((entry) => entry.SenderFault);
      failures.push(...refused.map((entry) => `entry ${entry.Id}: ${entry.Code ?? 'refused'}`));
      const retry = new Set(failed.filter((entry) => !entry.SenderFault).map((entry) => entry.Id));
      sent += pending.length - failed.length;
      options.onProgress?.(sent);
      pending = pending.filter((entry) => retry.has(entry.Id));
    }
    if (pending.length) failures.push(...pending.map((entry) => `entry ${entry.Id}: still failing after ${ATTEMPTS} attempts`));
  };
  const worker = async () => {
    while (next < bodies.length) {
      const start = next;
      next += BATCH;
      await sendBatch(start);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (failures.length) {
    throw new TemporarilyUnavailableError(
      `${failures.length} of ${bodies.length} messages not sent (${failures.slice(0, 3).join('; ')}); the rest were: run the import again (registration is idempotent)`,
    );
  }
  return sent;
}

function isRetryable(error: unknown): boolean {
  const fault = (error as { $fault?: string; $retryable?: unknown; name?: string }) ?? {};
  return fault.$fault === 'server' || Boolean(fault.$retryable) || fault.name === 'TimeoutError';
}

export interface QueueDepth {
  url: string;
  visible: number;
  inFlight: number;
  delayed: number;
}

/** The lane's and its DLQ's depths; the DLQ is found through the lane's RedrivePolicy. */
export async function laneDepths(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ lane: QueueDepth; deadLetter?: QueueDepth; maxReceiveCount?: number }> {
  const { depth, attributes } = await queueDepth(sqs, queueUrl, ['RedrivePolicy']);
  const policy = parsePolicy(attributes.RedrivePolicy);
  if (!policy) return { lane: depth };
  const [, , , region, account, name] = policy.deadLetterTargetArn.split(':');
  if (!name || !account) throw new InvalidRequestError('the lane queue has a RedrivePolicy without a usable deadLetterTargetArn');
  void region;
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  if (!QueueUrl) throw new InvalidRequestError(`no URL for the lane's dead-letter queue ${name}`);
  return { lane: depth, deadLetter: (await queueDepth(sqs, QueueUrl, [])).depth, maxReceiveCount: policy.maxReceiveCount };
}

async function queueDepth(sqs: SQSClient, url: string, extra: 'RedrivePolicy'[]) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
        ...extra,
      ],
    }),
  );
  const count = (name: string) => Number((Attributes as Record<string, string | undefined>)[name] ?? 0);
  return {
    attributes: Attributes as Record<string, string | undefined>,
    depth: {
      url,
      visible: count('ApproximateNumberOfMessages'),
      inFlight: count('ApproximateNumberOfMessagesNotVisible'),
      delayed: count('ApproximateNumberOfMessagesDelayed'),
    },
  };
}

function parsePolicy(text: string | undefined): { deadLetterTargetArn: string; maxReceiveCount?: number } | undefined {
  if (!text) return undefined;
  try {
    const policy = JSON.parse(text) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof policy.deadLetterTargetArn !== 'string') return undefined;
    const max = Number(policy.maxReceiveCount);
    return { deadLetterTargetArn: policy.deadLetterTargetArn, ...(Number.isFinite(max) ? { maxReceiveCount: max } : {}) };
  } catch {
    return undefined;
  }
}
