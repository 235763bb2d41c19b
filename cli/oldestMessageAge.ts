import { type CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';

/**
 * SQS reports the age of a queue's oldest message only as the CloudWatch metric
 * `AWS/SQS ApproximateAgeOfOldestMessage` (one datapoint a minute). The newest Maximum of the last
 * 15 minutes, in seconds; undefined when the metric has no data yet (a new or idle queue).
 */
export async function oldestMessageAgeSeconds(
  cloudWatch: CloudWatchClient,
  queueUrl: string,
  now = new Date(),
): Promise<number | undefined> {
  const queueName = queueUrl.split('/').pop() ?? queueUrl;
  const { Datapoints = [] } = await cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queueName }],
      StartTime: new Date(now.getTime() - 15 * 60_000),
      EndTime: now,
      Period: 60,
      Statistics: ['Maximum'],
    }),
  );
  const newest = Datapoints.filter((point) => point.Timestamp && point.Maximum !== undefined).sort(
    (a, b) => (b.Timestamp as Date).getTime() - (a.Timestamp as Date).getTime(),
  )[0];
  return newest?.Maximum;
}
