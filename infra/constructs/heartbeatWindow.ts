import { Duration } from 'aws-cdk-lib';

/** Covers a late run: the Scheduler's retries (maxEventAge 15 min, CanarySchedule.ts) and a slow canary. */
export const HEARTBEAT_SLACK = Duration.minutes(20);

/** What a cron or one-time schedule gets: its interval cannot be read off the expression. */
export const DEFAULT_CRON_HEARTBEAT_WINDOW = Duration.days(1);

/** The longest an alarm may evaluate (period × evaluation periods): one day. */
const MAX_WINDOW_SECONDS = 86_400;

const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

/**
 * How long the canary may stay silent before its heartbeat alarm fires: two missed runs plus slack for
 * `rate(n unit)`, rounded up to whole minutes (an alarm period is a multiple of 60 s) and capped at one
 * day; one day for `cron(...)` and `at(...)`.
 */
export function heartbeatWindow(scheduleExpression: string): Duration {
  const rate = /^rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)$/.exec(scheduleExpression.trim());
  if (!rate) return DEFAULT_CRON_HEARTBEAT_WINDOW;
  const intervalSeconds = Number(rate[1]) * (UNIT_SECONDS[rate[2] as string] as number);
  const seconds = 2 * intervalSeconds + HEARTBEAT_SLACK.toSeconds();
  return Duration.seconds(Math.min(MAX_WINDOW_SECONDS, Math.ceil(seconds / 60) * 60));
}
