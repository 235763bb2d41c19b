import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from './aws/EventBridgePublisher.js';
import { HttpEndpointDiscovery } from './idp/HttpEndpointDiscovery.js';
import { HttpIdentityProvider } from './idp/HttpIdentityProvider.js';
import type { SecretStore } from './ports/SecretStore.js';
import { SecretRegistrationCredentials } from './registrationCredentials/SecretRegistrationCredentials.js';
import type { Settings } from './settings.js';
import type { UseCaseDependencies } from './useCases/dependencies.js';

/**
 * The adapters and policies every entry point (the function, the CLI) derives the same way from the
 * settings: the use cases take all of them and default none. One discovery per entry point, so each
 * issuer is fetched once per container; it waits as long as any other request to the provider.
 * The EventBridge client is asked for only when a bus is configured.
 */
export function settingsAdapters(
  settings: Settings,
  secrets: SecretStore,
  eventBridge: () => EventBridgeClient,
): Pick<UseCaseDependencies, 'idp' | 'registrationCredentials' | 'discovery' | 'events' | 'retry' | 'claim' | 'now'> {
  return {
    idp: new HttpIdentityProvider({ timeoutMs: settings.idpTimeoutMs }),
    registrationCredentials: new SecretRegistrationCredentials(secrets, {
      cacheTtlMs: settings.iatCacheTtlMs,
      timeoutMs: settings.idpTimeoutMs,
      retry: settings.retry,
    }),
    discovery: new HttpEndpointDiscovery({ timeoutMs: settings.idpTimeoutMs }),
    events: settings.eventBusName ? new EventBridgePublisher(eventBridge(), settings.eventBusName) : undefined,
    retry: settings.retry,
    claim: settings.claim,
    now: () => new Date(),
  };
}
