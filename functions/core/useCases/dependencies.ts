import type { ServiceConfig } from '../config/serviceConfig.js';
import type { InitialAccessTokens } from '../InitialAccessTokens.js';
import type { Logger } from '../logger.js';
import type { EndpointDiscovery } from '../ports/EndpointDiscovery.js';
import type { EventPublisher } from '../ports/EventPublisher.js';
import type { IdentityProvider } from '../ports/IdentityProvider.js';
import type { SecretStore } from '../ports/SecretStore.js';
import type { SecretVersions } from '../ports/SecretVersions.js';
import type { RetryPolicy } from '../retry.js';
import type { ClaimOptions } from './claim.js';

/** The ports every use case takes as an argument, so the Lambda, the CLI and tests share one core. */
export interface UseCaseDependencies {
  config: ServiceConfig;
  secrets: SecretStore;
  idp: IdentityProvider;
  tokens: InitialAccessTokens;
  logger: Logger;
  now?: () => Date;
  /** Identity-provider retries (default: 4 attempts, 20 s budget). */
  retry?: RetryPolicy;
  /** Duplicate handling (default: wait 3 s for a winner, take over claims older than 15 min). */
  claim?: ClaimOptions;
  /** For targets configured by `issuer` (default: a shared, per-container cached fetch). */
  discovery?: EndpointDiscovery;
  /** Outcome events (ClientRegistered, …); none are sent without it. */
  events?: EventPublisher;
  /** Version stages, for the Secrets Manager rotation contract; rotation steps fail without it. */
  secretVersions?: SecretVersions;
}
