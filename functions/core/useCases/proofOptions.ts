import type { TargetConfig } from '../config/targetConfig.js';
import type { ProofOptions } from '../ports/IdentityProvider.js';
import type { RegisteredRecord } from '../secretRecord.js';

/**
 * What a token request for a stored client carries: the target's `tokenRequest`, and the grant types
 * the provider registered (RFC 7591 §2: absent means authorization_code), which decide whether a
 * refused grant proves the credentials.
 */
export function proofOptions(record: Pick<RegisteredRecord, 'client_metadata'>, target: Pick<TargetConfig, 'tokenRequest'>): ProofOptions {
  const grants = record.client_metadata?.grant_types;
  return {
    ...(target.tokenRequest && { tokenRequest: target.tokenRequest }),
    grantTypes: Array.isArray(grants) ? grants.filter((grant): grant is string => typeof grant === 'string') : ['authorization_code'],
  };
}
