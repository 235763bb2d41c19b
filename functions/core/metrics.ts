import { ALARMED_METRICS, METRICS_NAMESPACE } from './constants.js';
import type { Logger } from './logger.js';

export { METRICS_NAMESPACE } from './constants.js';

type Unit = 'Count' | 'Milliseconds';

/**
 * Writes one CloudWatch Embedded Metric Format line: CloudWatch turns it into metrics without an API
 * call. Values are counts or milliseconds; dimensions stay low-cardinality (the target, never a tenant).
 * A metric the stack alarms on (ALARMED_METRICS) is also written without dimensions, in the same line,
 * so one alarm covers every target, including one added after deployment.
 */
export function emitMetrics(
  logger: Logger,
  dimensions: Record<string, string>,
  values: Record<string, { value: number; unit: Unit }>,
): void {
  const definitions = Object.entries(values).map(([Name, { unit }]) => ({ Name, Unit: unit }));
  const keys = Object.keys(dimensions);
  const alarmed = keys.length ? definitions.filter(({ Name }) => (ALARMED_METRICS as readonly string[]).includes(Name)) : [];
  logger.metrics({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: [keys], Metrics: definitions },
        ...(alarmed.length ? [{ Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: alarmed }] : []),
      ],
    },
    ...dimensions,
    ...Object.fromEntries(Object.entries(values).map(([name, { value }]) => [name, value])),
  });
}
