import type { ServiceConfig } from '../config/serviceConfig.js';
import type { Logger } from '../logger.js';
import type { EndpointDiscovery } from '../ports/EndpointDiscovery.js';
import type { EventPublisher } from '../ports/EventPublisher.js';
import type { IdentityProvider } from '../ports/IdentityProvider.js';
import type { ReadinessScheduler } from '../ports/ReadinessScheduler.js';
import type { RegistrationCredentials } from '../ports/RegistrationCredentials.js';
import type { SecretCatalog } from '../ports/SecretCatalog.js';
import type { SecretStore } from '../ports/SecretStore.js';
import type { SecretVersions } from '../ports/SecretVersions.js';
import type { ClaimOptions, RetryPolicy } from '../options.js';

/** The ports every use case takes as an argument, so the Lambda, the CLI and tests share one core. */
export interface UseCaseDependencies {
  config: ServiceConfig;
  secrets: SecretStore;
  idp: IdentityProvider;
  /** What authorises a registration at each target (initial access token, minted token, API key, none). */
  registrationCredentials: RegistrationCredentials;
  logger: Logger;
  /** The clock of every timestamp and timeout a use case computes. */
  now: () => Date;
  /** Identity-provider retries (defaults in options.ts: DEFAULT_RETRY_POLICY). */
  retry: RetryPolicy;
  /** Duplicate handling and leases (defaults in options.ts: DEFAULT_CLAIM_OPTIONS). */
  claim: ClaimOptions;
  /** For targets configured by `issuer`; share one per container so each issuer is fetched once. */
  discovery: EndpointDiscovery;
  /** Outcome events (ClientRegistered, …); none are sent without it. */
  events?: EventPublisher;
  /** Version stages, for the Secrets Manager rotation contract; rotation steps fail without it. */
  secretVersions?: SecretVersions;
  /** Lists the tenant secrets, for the scheduled renew and reconcile; they fail without it. */
  catalog?: SecretCatalog;
  /** Sends the delayed readiness checks of targets with `readiness`; without it such a client is announced at once. */
  readiness?: ReadinessScheduler;
}
