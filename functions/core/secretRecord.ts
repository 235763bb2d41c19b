import type { JsonWebKey } from 'node:crypto';
import * as z from 'zod/mini';
import { managementOrigin } from './config/managementOrigin.js';
import type { ResolvedTarget } from './config/serviceConfig.js';
import type { ClientRegistration } from './ports/IdentityProvider.js';
import type { SecretStore, StoredSecret } from './ports/SecretStore.js';
import { lazy } from './lazy.js';

/** What the pending claim holds while a registration is under way: no secret material. */
export interface PendingRecord {
  dcr_status: 'pending';
  tenant_id: string;
  target: string;
  claim_id: string;
  claimed_at: string;
}

/** The SecretString of a tenant's client secret once registered: what the provider issued, and ours. */
/** The tenant secret's consumer contract version (docs/secret-contract.md); absent on records written before it. */
export const TENANT_SECRET_SCHEMA_VERSION = 1;

export interface RegisteredRecord extends Omit<ClientRegistration, 'metadata'> {
  schema_version?: number;
  dcr_status: 'registered';
  /** The target's issuer: configured, or for profile salesforce the instance URL. Absent when unknown. */
  issuer?: string;
  /** Configured, discovered from the issuer, or for profile salesforce derived. Absent when unknown. */
  token_endpoint?: string;
  /** A `private_key_jwt` client's private key (generated here; only its public half was registered). */
  private_key_jwk?: JsonWebKey;
  tenant_id: string;
  target: string;
  profile: string;
  registration_endpoint: string;
  registered_at: string;
  /** Every other field the provider returned (grant_types, redirect_uris, Salesforce's scopes, …). */
  client_metadata: Record<string, unknown>;
  /** Times of earlier attempts that were sent but never answered: each may have left a client behind. */
  unconfirmed_attempts?: string[];
  /** Set by a secret rotation (RFC 7592 PUT). */
  rotated_at?: string;
  /** The rotation requests handled, newest first (bounded): a redelivered request does not rotate twice. */
  rotation_request_ids?: string[];
  /** Written by earlier versions: the last rotation request handled. Still honoured when read. */
  last_rotation_request_id?: string;
  /**
   * 'foreign-origin': the registration_client_uri was on an origin the target did not allow for RFC
   * 7592 (`allowedManagementOrigins`), so no rotation or deletion can reach it. Absent otherwise.
   */
  management?: 'foreign-origin';
  /** Set by reconciliation (useCases/reconcileClients.ts) when the provider no longer knows the client; removed when it does again. */
  drift?: { status: 'missing'; detected_at: string };
}

/** Written just before an offboarded tenant's secret is scheduled for deletion: a tombstone. */
export interface OffboardedRecord {
  dcr_status: 'offboarded';
  tenant_id: string;
  target: string;
  client_id: string;
  offboarded_at: string;
}

export type SecretRecord = PendingRecord | RegisteredRecord | OffboardedRecord;

const recordSchema = lazy(() =>
  z.looseObject({
    dcr_status: z.enum(['pending', 'registered', 'offboarded']),
    tenant_id: z.string(),
    target: z.string(),
    client_id: z.optional(z.string()),
    claimed_at: z.optional(z.string()),
  }),
);

export function buildRegisteredRecord(
  tenantId: string,
  target: ResolvedTarget,
  registration: ClientRegistration,
  registeredAt: Date,
): RegisteredRecord {
  // RFC 7592 credentials are kept apart, in the management secret (managementCredentials.ts).
  const { metadata, registration_client_uri: uri, registration_access_token: _token, ...issued } = registration;
  const foreign = uri !== undefined && managementOrigin(uri, target.config)?.allowed === false;
  return {
    schema_version: TENANT_SECRET_SCHEMA_VERSION,
    dcr_status: 'registered',
    ...issued,
    ...(issued.client_secret !== undefined && { client_secret_expires_at: issued.client_secret_expires_at ?? 0 }),
    ...consumerEndpoints(target),
    tenant_id: tenantId,
    target: target.name,
    profile: target.config.profile,
    registration_endpoint: target.config.registrationEndpoint,
    registered_at: registeredAt.toISOString(),
    client_metadata: metadata,
    ...(foreign && { management: 'foreign-origin' as const }),
  };
}

/**
 * Where a consumer gets tokens: the configured (or discovered) issuer and token endpoint; for profile
 * salesforce the instance URL and its `/services/oauth2/token`. Neither is guessed for another profile.
 */
export function consumerEndpoints(target: ResolvedTarget): { issuer?: string; token_endpoint?: string } {
  const { issuer, tokenEndpoint, profile, registrationEndpoint } = target.config;
  const instance = profile === 'salesforce' ? new URL(registrationEndpoint).origin : undefined;
  const endpoints = { issuer: issuer ?? instance, token_endpoint: tokenEndpoint ?? (instance && `${instance}/services/oauth2/token`) };
  return {
    ...(endpoints.issuer !== undefined && { issuer: endpoints.issuer }),
    ...(endpoints.token_endpoint !== undefined && { token_endpoint: endpoints.token_endpoint }),
  };
}

/** Parses a stored record; undefined when the secret is not one of ours. */
export function parseSecretRecord(value: string): SecretRecord | undefined {
  try {
    const parsed = recordSchema().safeParse(JSON.parse(value));
    if (!parsed.success) return undefined;
    if (parsed.data.dcr_status !== 'pending' && !parsed.data.client_id) return undefined;
    return parsed.data as unknown as SecretRecord;
  } catch {
    return undefined;
  }
}

/** A tenant secret and its parsed record: `stored` undefined when absent, `record` when not ours. */
export async function readSecretRecord(
  secrets: Pick<SecretStore, 'get'>,
  secretId: string,
): Promise<{ stored: StoredSecret | undefined; record: SecretRecord | undefined }> {
  const stored = await secrets.get(secretId);
  return { stored, record: stored && parseSecretRecord(stored.value) };
}
