import type { Profile } from '../config/targetConfig.js';

export interface ProfileRules {
  /** The auth method to assume when the registration response does not state one. */
  defaultTokenEndpointAuthMethod: string;
  /**
   * How long after registration an `invalid_client` from the token endpoint means "not active yet"
   * rather than "refused": Salesforce documents that a new connected app can take up to 10 minutes.
   */
  activationWindowSeconds: number;
}

/**
 * What differs between identity providers. Salesforce (seed 000) issues `client_secret_post` clients,
 * adds `hybrid_auth_code` and a non-standard `scopes` array (kept as metadata) and reports a missing
 * or wrong token as `invalid_client`; RFC 7591 defaults to `client_secret_basic`.
 */
export const PROFILE_RULES: Record<Profile, ProfileRules> = {
  salesforce: { defaultTokenEndpointAuthMethod: 'client_secret_post', activationWindowSeconds: 600 },
  rfc7591: { defaultTokenEndpointAuthMethod: 'client_secret_basic', activationWindowSeconds: 0 },
};
