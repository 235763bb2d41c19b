import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsMessageVisibility } from '../core/aws/SqsMessageVisibility.js';
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

/** The lane over a real (or local) SQS client; the client is asked for at the first lane batch only. */
export function createLaneRuntime(env: Record<string, string | undefined>, sqs: () => SQSClient): LaneRuntime {
  const settings = loadLaneSettings(env);
  let visibility: MessageVisibility | undefined;
  return {
    get visibility() {
      visibility ??= new SqsMessageVisibility(sqs(), settings.knownQueueUrls);
      return visibility;
    },
    pacers: new PacerRegistry({ shares: settings.maxConcurrency }),
    pacingWaitMs: settings.pacingWaitMs,
    now: Date.now,
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  };
}
