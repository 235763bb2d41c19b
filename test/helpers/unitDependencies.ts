import type { ServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { Logger } from '../../functions/core/logger.js';
import type { IdentityProvider } from '../../functions/core/ports/IdentityProvider.js';
import { SecretRegistrationCredentials } from '../../functions/core/registrationCredentials/SecretRegistrationCredentials.js';
import type { UseCaseDependencies } from '../../functions/core/useCases/dependencies.js';
import type { MemorySecretStore } from './memorySecretStore.js';

/**
 * Use-case dependencies over in-memory ports for unit tests: log lines collected in `lines`, one
 * attempt per provider call, claims that poll fast. Every target a unit test configures has a
 * registrationEndpoint, so discovery fails if it is ever asked.
 */
export function unitDependencies(
  parts: { config: ServiceConfig; secrets: MemorySecretStore; idp: IdentityProvider; lines: string[] } & Partial<UseCaseDependencies>,
): UseCaseDependencies {
  const { lines, ...given } = parts;
  return {
    registrationCredentials: new SecretRegistrationCredentials(given.secrets),
    logger: new Logger({ sink: (line) => lines.push(line) }),
    now: () => new Date(),
    discovery: { discover: () => Promise.reject(new Error('discovery is not used by these targets')) },
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1_000 },
    claim: { waitMs: 5_000, pollMs: 5, staleAfterMs: 900_000 },
    ...given,
  };
}
