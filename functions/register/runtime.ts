import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerSecretCatalog } from '../core/aws/SecretsManagerSecretCatalog.js';
import { SecretsManagerSecretStore } from '../core/aws/SecretsManagerSecretStore.js';
import { SqsReadinessScheduler } from '../core/aws/SqsReadinessScheduler.js';
import { ENV } from '../core/constants.js';
import { awsClientDefaults } from '../core/aws/awsClientDefaults.js';
import { SsmConfigSource } from '../core/aws/SsmConfigSource.js';
import { cachedConfig } from '../core/config/cachedConfig.js';
import { Logger } from '../core/logger.js';
import { loadSettings } from '../core/settings.js';
import { settingsAdapters } from '../core/settingsAdapters.js';
import type { UseCaseDependencies } from '../core/useCases/dependencies.js';
import { createLaneRuntime, type LaneRuntime } from './laneRuntime.js';

export type { LaneRuntime } from './laneRuntime.js';

/** What the triggers need: a logger now, the use-case dependencies (config loaded once) on demand. */
export interface Runtime {
  logger: Logger;
  dependencies(logger: Logger): Promise<UseCaseDependencies>;
  /** The SQS lane's pacing and visibility port (created at the first lane batch). Default: from process.env. */
  lane?(): LaneRuntime;
}

/** Wires the real AWS and HTTP adapters. Called once per container, at module scope. */
export function createAwsRuntime(env: Record<string, string | undefined> = process.env): Runtime {
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings(env);
  } catch (error) {
    // Fail every invocation with the reason instead of crashing the init phase without a log line.
    const logger = new Logger();
    return {
      logger,
      dependencies: () => Promise.reject(error),
      lane: () => {
        throw error;
      },
    };
  }
  const logger = new Logger({ level: settings.logLevel });
  const clientConfig = awsClientDefaults(settings);
  const secretsClient = new SecretsManagerClient(clientConfig);
  const secrets = new SecretsManagerSecretStore(secretsClient);
  // The scheduled renew and reconcile list the tenant secrets; readiness checks go on the lane queue.
  const catalog = new SecretsManagerSecretCatalog(secretsClient);
  const laneQueueUrl = env[ENV.LANE_QUEUE_URL];
  const readiness = laneQueueUrl ? new SqsReadinessScheduler(laneQueueUrl, clientConfig) : undefined;
  // Read again when older than CONFIG_CACHE_TTL_SECONDS; an invalid new value keeps the last good one.
  const config = cachedConfig(new SsmConfigSource(new SSMClient(clientConfig), settings.configParameterName), {
    ttlMs: settings.configCacheTtlMs,
  });
  // Only a configured bus costs a client at init.
  const adapters = settingsAdapters(settings, secrets, () => new EventBridgeClient(clientConfig));
  let lane: LaneRuntime | undefined;
  return {
    logger,
    lane: () => (lane ??= createLaneRuntime(env, clientConfig)),
    dependencies: async (invocationLogger) => ({
      ...adapters,
      config: await config(invocationLogger),
      secrets,
      secretVersions: secrets,
      catalog,
      readiness,
      logger: invocationLogger,
    }),
  };
}
