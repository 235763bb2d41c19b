import { withTokenEndpointAuthMethod } from '../config/metadataPolicy.js';
import type { TargetConfig } from '../config/targetConfig.js';
import type { ClientRegistration } from '../ports/IdentityProvider.js';

/**
 * The metadata a target's configuration pins: its `clientMetadata` except the fields callers may set
 * (`callerMetadata`: a tenant's value may differ), and the auth method (configured, else the profile's).
 */
export function pinnedMetadata(config: Pick<TargetConfig, 'clientMetadata' | 'callerMetadata' | 'profile'>): Record<string, unknown> {
  const settable = new Set<string>(config.callerMetadata);
  const pinned = Object.fromEntries(Object.entries(config.clientMetadata).filter(([key]) => !settable.has(key)));
  return withTokenEndpointAuthMethod(pinned, config.profile);
}

/**
 * The pinned fields the provider's registration differs in, sorted. Fields the provider added are
 * ignored, and so are values it added to a configured list (oidc-provider adds `authorization_code`
 * to a client with redirect_uris): a configured value missing from it counts, as does a pinned field
 * it no longer holds. `scope` compares as a list of words; other values must be equal.
 */
export function driftedFields(pinned: Record<string, unknown>, registration: ClientRegistration): string[] {
  const actual: Record<string, unknown> = {
    ...registration.metadata,
    token_endpoint_auth_method: registration.token_endpoint_auth_method,
  };
  return Object.keys(pinned)
    .filter((key) => !conforms(key, pinned[key], Object.hasOwn(actual, key) ? actual[key] : undefined))
    .sort();
}

function conforms(key: string, expected: unknown, actual: unknown): boolean {
  if (key === 'scope' && typeof expected === 'string' && typeof actual === 'string') return includesAll(words(actual), words(expected));
  if (Array.isArray(expected) && Array.isArray(actual)) return includesAll(actual, expected);
  return canonical(expected) === canonical(actual);
}

function includesAll(actual: readonly unknown[], expected: readonly unknown[]): boolean {
  const held = new Set(actual.map(canonical));
  return expected.every((value) => held.has(canonical(value)));
}

function words(scope: string): string[] {
  return scope.split(' ').filter(Boolean);
}

/** JSON with object keys sorted and arrays as sorted sets: equal values give equal strings. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${[...new Set(value.map(canonical))].sort().join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
