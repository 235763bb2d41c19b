import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { PacerRegistry } from '../core/pacing/PacerRegistry.js';
import type { MessageVisibility } from '../core/ports/MessageVisibility.js';
import { loadLaneSettings } from './laneSettings.js';

/** What the SQS lane needs besides the use-case dependencies; one per container. */
export interface LaneRuntime {
  visibility: MessageVisibility;
  /** Token buckets per provider, kept across invocations. */
  pacers: PacerRegistry;
  pacingWaitMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/**
 * The lane over a real (or local) SQS client. The SQS client is loaded and created at the first
 * visibility change only: an HTTP or schedule container never pays for evaluating it at init.
 */
export function createLaneRuntime(env: Record<string, string | undefined>, sqsConfig: SQSClientConfig): LaneRuntime {
  const settings = loadLaneSettings(env);
  let visibility: Promise<MessageVisibility> | undefined;
  const load = async (): Promise<MessageVisibility> => {
    const [{ SQSClient }, { SqsMessageVisibility }] = await Promise.all([
      import('@aws-sdk/client-sqs'),
      import('../core/aws/SqsMessageVisibility.js'),
    ]);
    return new SqsMessageVisibility(new SQSClient(sqsConfig), settings.knownQueueUrls);
  };
  return {
    visibility: {
      async change(changes) {
        visibility ??= load();
        visibility.catch(() => (visibility = undefined));
        return (await visibility).change(changes);
      },
    },
    pacers: new PacerRegistry({ shares: settings.maxConcurrency }),
    pacingWaitMs: settings.pacingWaitMs,
    now: Date.now,
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  };
}
