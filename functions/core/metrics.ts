import type { Logger } from './logger.js';

export const METRICS_NAMESPACE = 'DcrOnboarding';

/**
 * Writes one CloudWatch Embedded Metric Format line: CloudWatch turns it into metrics without an API
 * call. Values are counts or milliseconds; dimensions stay low-cardinality (the target, never a tenant).
 */
export function emitMetrics(
  logger: Logger,
  dimensions: Record<string, string>,
  values: Record<string, { value: number; unit: 'Count' | 'Milliseconds' }>,
): void {
  logger.info('metrics', {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.entries(values).map(([Name, { unit }]) => ({ Name, Unit: unit })),
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(Object.entries(values).map(([name, { value }]) => [name, value])),
  });
}
