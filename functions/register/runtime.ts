import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerSecretStore } from '../core/aws/SecretsManagerSecretStore.js';
import { awsClientDefaults } from '../core/aws/awsClientDefaults.js';
import { SsmConfigSource } from '../core/aws/SsmConfigSource.js';
import { cachedConfig } from '../core/config/cachedConfig.js';
import type { ServiceConfig } from '../core/config/serviceConfig.js';
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
  const secrets = new SecretsManagerSecretStore(new SecretsManagerClient(clientConfig));
  const config: () => Promise<ServiceConfig> = cachedConfig(new SsmConfigSource(new SSMClient(clientConfig), settings.configParameterName));
  // Only a configured bus costs a client at init.
  const adapters = settingsAdapters(settings, secrets, () => new EventBridgeClient(clientConfig));
  let lane: LaneRuntime | undefined;
  return {
    logger,
    lane: () => (lane ??= createLaneRuntime(env, clientConfig)),
    dependencies: async (invocationLogger) => ({
      ...adapters,
      config: await config(),
      secrets,
      secretVersions: secrets,
      logger: invocationLogger,
    }),
  };
}
