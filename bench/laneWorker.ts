/**
 * The lane poller as its own process, for `npm run bench` (lane): 5 instances of the real handler
 * (each its own runtime) drained by sandbox/lanePoller.ts, with the process's peak RSS sampled every
 * 100 ms. Started with its environment (moto, LANE_*); says `ready`, and on `stop` reports and exits.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { dispatch } from '../functions/register/dispatch.js';
import { createAwsRuntime } from '../functions/register/runtime.js';
import { LanePoller } from '../sandbox/lanePoller.js';

// Function log lines are not part of the figure; Lambda would ship them.
process.stdout.write = (() => true) as typeof process.stdout.write;
const { LANE_QUEUE_URL: queueUrl = '', LANE_QUEUE_ARN: queueArn = '', LANE_MAX_CONCURRENCY: instances = '5' } = process.env;
const sqs = new SQSClient({});
const poller = new LanePoller({
  sqs,
  queueUrl,
  queueArn,
  batchSize: 10,
  instances: Array.from({ length: Number(instances) }, () => {
    const runtime = createAwsRuntime(process.env);
    return (event: unknown) => dispatch(event, runtime, { awsRequestId: randomUUID() });
  }),
});
let peakRssBytes = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
}, 100);
// Bounded: a parent that never says stop (killed) must not leave this running.
const limit = setTimeout(() => process.exit(3), Number(process.env.BENCH_LANE_WORKER_LIMIT_MS ?? 600_000));
poller.start();
process.send?.({ ready: true });
process.on('message', async (message) => {
  if ((message as { stop?: boolean }).stop !== true) return;
  await poller.stop();
  clearInterval(sampler);
  clearTimeout(limit);
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  process.send?.({ stats: { ...poller.stats, peakRssBytes } }, () => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
