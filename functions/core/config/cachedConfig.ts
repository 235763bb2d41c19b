import type { ConfigSource } from '../ports/ConfigSource.js';
import { parseServiceConfig, type ServiceConfig } from './serviceConfig.js';

/**
 * Loads and validates the configuration once per container. A failed load is not cached, so a fixed
 * parameter is picked up by the next invocation without a cold start.
 */
export function cachedConfig(source: ConfigSource): () => Promise<ServiceConfig> {
  let pending: Promise<ServiceConfig> | undefined;
  return () => {
    pending ??= source.read().then((json) => parseServiceConfig(json, source.description));
    pending.catch(() => {
      pending = undefined;
    });
    return pending;
  };
}
