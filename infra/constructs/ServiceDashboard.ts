import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  LogQueryVisualizationType,
  LogQueryWidget,
  MathExpression,
  Metric,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARMED_METRICS, METRICS, METRICS_NAMESPACE, TARGET_DIMENSION } from '../../functions/core/constants.js';

export interface ServiceDashboardProps {
  readonly dashboardName: string;
  readonly function: IFunction;
  readonly logGroup: ILogGroup;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Work queues (the onboarding lane): depth and age of the oldest message. */
  readonly queues: Readonly<Record<string, IQueue>>;
  readonly alarms: readonly Alarm[];
}

const PERIOD = Duration.minutes(5);
const WIDTH = 12;
const HEIGHT = 6;

/** Per target, by a metric search: every target, one added after deployment included. */
function perTarget(metricName: string, statistic: string, label: string): IMetric {
  const period = PERIOD.toSeconds();
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${TARGET_DIMENSION}} MetricName="${metricName}"', '${statistic}', ${period})`,
    label,
    period: PERIOD,
  });
}

/**
 * One page for the service: alarm states; registrations and failures by outcome and error code (Logs
 * Insights on the function's log group); the alarmed failure metrics; the canary (runs, successes and
 * its duration per target — the round trip to the provider: register, prove, delete); the lane's depth
 * and age; each dead-letter queue's depth; the function's invocations, errors, throttles and duration.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const logGroupNames = [props.logGroup.logGroupName];
    const fn = props.function;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }));
    this.dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Outcomes by target (registered, rotated, offboarded)',
        logGroupNames,
        queryLines: [
          'filter message in ["client registered", "client secret rotated", "client secret rotated by Secrets Manager rotation", "tenant offboarded"]',
          'stats count(*) as count by message, target',
        ],
        view: LogQueryVisualizationType.TABLE,
        width: WIDTH,
        height: HEIGHT,
      }),
      new LogQueryWidget({
        title: 'Failures by error code',
        logGroupNames,
        queryLines: [
          'filter level in ["WARN", "ERROR"] and ispresent(error.code)',
          'stats count(*) as count by error.code, message',
          'sort count desc',
        ],
        view: LogQueryVisualizationType.TABLE,
        width: WIDTH,
        height: HEIGHT,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Alarmed failures (all targets)',
        left: ALARMED_METRICS.filter((name) => name !== METRICS.canaryRun).map(
          (metricName) => new Metric({ namespace: METRICS_NAMESPACE, metricName, statistic: 'Sum', period: PERIOD }),
        ),
        width: WIDTH,
        height: HEIGHT,
      }),
      new GraphWidget({
        title: 'Canary: runs, successes (per target), duration at the provider (ms, per target)',
        left: [
          new Metric({ namespace: METRICS_NAMESPACE, metricName: METRICS.canaryRun, statistic: 'Sum', period: PERIOD, label: 'runs' }),
          perTarget(METRICS.canarySuccess, 'Sum', 'success'),
        ],
        right: [perTarget(METRICS.canaryDuration, 'Maximum', 'duration')],
        width: WIDTH,
        height: HEIGHT,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lane: depth (left), age of the oldest message in s (right)',
        left: Object.entries(props.queues).flatMap(([name, queue]) => [
          queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: `${name} visible` }),
          queue.metricApproximateNumberOfMessagesNotVisible({ period: PERIOD, statistic: 'Maximum', label: `${name} in flight` }),
        ]),
        right: Object.entries(props.queues).map(([name, queue]) =>
          queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum', label: `${name} age` }),
        ),
        width: WIDTH,
        height: HEIGHT,
      }),
      new GraphWidget({
        title: 'Dead-letter queues: messages waiting',
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum', label: name }),
        ),
        width: WIDTH,
        height: HEIGHT,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function: invocations, errors, throttles',
        left: [
          fn.metricInvocations({ period: PERIOD, statistic: 'Sum' }),
          fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        ],
        width: WIDTH,
        height: HEIGHT,
      }),
      new GraphWidget({
        title: 'Function: duration (ms)',
        left: ['p50', 'p99', 'Maximum'].map((statistic) => fn.metricDuration({ period: PERIOD, statistic, label: statistic })),
        width: WIDTH,
        height: HEIGHT,
      }),
    );
  }
}
