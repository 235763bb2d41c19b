import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerSecretStore } from '../core/aws/SecretsManagerSecretStore.js';
import { awsClientDefaults } from '../core/aws/awsClientDefaults.js';
import { EventBridgePublisher } from '../core/aws/EventBridgePublisher.js';
import { SsmConfigSource } from '../core/aws/SsmConfigSource.js';
import { cachedConfig } from '../core/config/cachedConfig.js';
import type { ServiceConfig } from '../core/config/serviceConfig.js';
import { HttpEndpointDiscovery } from '../core/idp/HttpEndpointDiscovery.js';
import { HttpIdentityProvider } from '../core/idp/HttpIdentityProvider.js';
import { InitialAccessTokens } from '../core/InitialAccessTokens.js';
import { Logger } from '../core/logger.js';
import { loadSettings } from '../core/settings.js';
import type { UseCaseDependencies } from '../core/useCases/dependencies.js';

/** What the triggers need: a logger now, the use-case dependencies (config loaded once) on demand. */
export interface Runtime {
  logger: Logger;
  dependencies(logger: Logger): Promise<UseCaseDependencies>;
}

/** Wires the real AWS and HTTP adapters. Called once per container, at module scope. */
export function createAwsRuntime(env: Record<string, string | undefined> = process.env): Runtime {
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings(env);
  } catch (error) {
    // Fail every invocation with the reason instead of crashing the init phase without a log line.
    const logger = new Logger();
    return { logger, dependencies: () => Promise.reject(error) };
  }
  const logger = new Logger({ level: settings.logLevel });
  const clientConfig = awsClientDefaults(settings);
  const secrets = new SecretsManagerSecretStore(new SecretsManagerClient(clientConfig));
  const config: () => Promise<ServiceConfig> = cachedConfig(
    new SsmConfigSource(new SSMClient(clientConfig), settings.configParameterName),
  );
  const tokens = new InitialAccessTokens(secrets, settings.iatCacheTtlMs);
  const idp = new HttpIdentityProvider({ timeoutMs: settings.idpTimeoutMs });
  const discovery = new HttpEndpointDiscovery({ timeoutMs: settings.idpTimeoutMs });
  // Only a configured bus costs a client at init.
  const events = settings.eventBusName
    ? new EventBridgePublisher(new EventBridgeClient(clientConfig), settings.eventBusName)
    : undefined;
  return {
    logger,
    dependencies: async (invocationLogger) => ({
      config: await config(),
      secrets,
      idp,
      tokens,
      logger: invocationLogger,
      retry: settings.retry,
      claim: settings.claim,
      discovery,
      events,
      secretVersions: secrets,
    }),
  };
}
