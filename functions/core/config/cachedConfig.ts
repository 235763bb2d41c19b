import { METRICS } from '../constants.js';
import type { Logger } from '../logger.js';
import { emitMetrics } from '../metrics.js';
import type { ConfigSource } from '../ports/ConfigSource.js';
import { parseServiceConfig, type ServiceConfig } from './serviceConfig.js';

export interface CachedConfigOptions {
  /** How long a loaded configuration is used before the source is read again; 0 reads it every time. Default: never again. */
  ttlMs?: number;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
}

/** The configuration, read when stale; takes the invocation's logger for the reload warning and metric. */
export type ConfigLoader = (logger?: Logger) => Promise<ServiceConfig>;

/**
 * Loads and validates the configuration, then reuses it for `ttlMs`. When stale it is read again and
 * validated: a new valid configuration replaces it; an invalid or unreadable one keeps the last good
 * one, with a WARN line naming the problem (our messages name fields and codes, never values) and a
 * `ConfigReloadFailed` metric, and is tried again after another `ttlMs`. The first load has no last
 * good one: its failure fails the call, and is not cached, so the next call tries again. Calls that
 * find it stale at the same time share one read.
 */
export function cachedConfig(source: ConfigSource, options: CachedConfigOptions = {}): ConfigLoader {
  const ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
  const now = options.now ?? (() => Date.now());
  let current: { config: ServiceConfig; text: string; checkedAt: number } | undefined;
  let pending: Promise<ServiceConfig> | undefined;

  const reload = async (logger: Logger | undefined): Promise<ServiceConfig> => {
    const startedAt = now();
    try {
      const text = await source.read();
      // Unchanged text keeps the same object, so whatever is keyed on it (pacers) stays.
      const config = text === current?.text ? current.config : parseServiceConfig(text, source.description);
      current = { config, text, checkedAt: startedAt };
      return config;
    } catch (error) {
      if (!current) throw error;
      current = { ...current, checkedAt: startedAt };
      if (logger) {
        logger.warn('configuration reload failed; keeping the last good configuration', {
          source: source.description,
          problem: error instanceof Error ? error.message : String(error),
          errorName: error instanceof Error ? error.name : undefined,
        });
        emitMetrics(logger, {}, { [METRICS.configReloadFailed]: { value: 1, unit: 'Count' } });
      }
      return current.config;
    }
  };

  return (logger) => {
    if (current && now() - current.checkedAt < ttlMs) return Promise.resolve(current.config);
    pending ??= reload(logger).finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
