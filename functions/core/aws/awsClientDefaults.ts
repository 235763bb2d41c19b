import { AWS_CONNECTION_TIMEOUT_MS } from '../options.js';
import type { Settings } from '../settings.js';

/**
 * Options shared by every SDK client. The SDK's standard retry strategy (AWS_MAX_ATTEMPTS, default 3)
 * applies; a stalled call must end well inside the function timeout so that it can be retried — and
 * the SDK only warns on an exceeded requestTimeout unless told to throw.
 */
export function awsClientDefaults(settings: Pick<Settings, 'awsRequestTimeoutMs'>) {
  return {
    requestHandler: {
      requestTimeout: settings.awsRequestTimeoutMs,
      connectionTimeout: AWS_CONNECTION_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
}
