import type { Profile } from '../config/targetConfig.js';

export interface ProfileRules {
  /** The auth method to assume when the registration response does not state one. */
  defaultTokenEndpointAuthMethod: string;
}

/**
 * What differs between identity providers. Salesforce (seed 000) issues `client_secret_post` clients,
 * adds `hybrid_auth_code` and a non-standard `scopes` array (kept as metadata) and reports a missing
 * or wrong token as `invalid_client`; RFC 7591 defaults to `client_secret_basic`.
 */
export const PROFILE_RULES: Record<Profile, ProfileRules> = {
  salesforce: { defaultTokenEndpointAuthMethod: 'client_secret_post' },
  rfc7591: { defaultTokenEndpointAuthMethod: 'client_secret_basic' },
};
