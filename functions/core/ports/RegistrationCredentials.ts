import type { RegistrationCredential } from '../config/targetConfig.js';
import type { RegistrationHeader } from './IdentityProvider.js';

/**
 * What authorises a registration at a target, from its configured `registrationCredential`: the header
 * to send (null for open registration). `refresh` replaces a credential the provider refused (a
 * regenerated initial access token, a revoked minted token) instead of serving it from cache.
 */
export interface RegistrationCredentials {
  authorization(credential: RegistrationCredential, options?: { refresh?: boolean }): Promise<RegistrationHeader | null>;
}
