import type { Command } from '../command.js';
import { InvalidRequestError } from '../../functions/core/errors.js';
import { LANE_QUEUE_OPTION, laneDepths, laneQueueUrl } from '../laneQueue.js';
import { oldestMessageAgeSeconds } from '../oldestMessageAge.js';
import { keyValues } from '../output.js';

export const lane: Command = {
  path: ['lane'],
  summary: "show the onboarding lane's depth and its dead-letter queue's",
  options: { ...LANE_QUEUE_OPTION },
  details: [
    'Visible: waiting; in flight: being processed or backing off after a 429 (a record the provider',
    'throttled comes back after the Retry-After it asked for); delayed: sent with a delay.',
    'A non-empty DLQ holds records that failed maxReceiveCount times: fix the cause, then move them back',
    '(docs/scaling.md, "redrive"). The oldest message\'s age is the CloudWatch metric',
    'AWS/SQS ApproximateAgeOfOldestMessage (newest datapoint of the last 15 minutes; alarm OnboardingLaneAge).',
  ].join('\n'),
  async run(context, values) {
    const queueUrl = laneQueueUrl(values, context.env);
    if (!context.sqs) throw new InvalidRequestError('this context has no SQS client');
    const { lane, deadLetter, maxReceiveCount } = await laneDepths(context.sqs(), queueUrl);
    const oldestAgeSeconds = context.cloudWatch ? await oldestMessageAgeSeconds(context.cloudWatch(), queueUrl) : undefined;
    const rows: [string, string | number | undefined][] = [
      ['lane', lane.url],
      ['  visible', lane.visible],
      ['  in flight', lane.inFlight],
      ['  delayed', lane.delayed],
      ['  oldest message age', oldestAgeSeconds === undefined ? 'no CloudWatch data yet' : `${oldestAgeSeconds} s`],
      ['dead letters', deadLetter?.url ?? 'no RedrivePolicy on the lane queue'],
      ...(deadLetter
        ? ([
            ['  messages', deadLetter.visible + deadLetter.inFlight + deadLetter.delayed],
            ['  after receives', maxReceiveCount],
          ] as [string, number | undefined][])
        : []),
    ];
    return { json: { lane: { ...lane, oldestAgeSeconds }, deadLetter, maxReceiveCount }, human: keyValues(rows) };
  },
};
