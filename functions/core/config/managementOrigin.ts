import type { EndpointTarget } from './targetConfig.js';

export interface ManagementOrigin {
  origin: string;
  /** On the registration endpoint's origin, or on one the target lists in `allowedManagementOrigins`. */
  allowed: boolean;
}

/**
 * Where RFC 7592 calls for a client would go, and whether they may: they carry its registration access
 * token, so only to the configured provider's origin or one the target allows explicitly. Undefined for
 * a URI that does not parse.
 */
export function managementOrigin(
  registrationClientUri: string,
  target: Pick<EndpointTarget, 'registrationEndpoint' | 'allowedManagementOrigins'>,
): ManagementOrigin | undefined {
  let origin: string;
  try {
    origin = new URL(registrationClientUri).origin;
  } catch {
    return undefined;
  }
  const allowed = origin === new URL(target.registrationEndpoint).origin || (target.allowedManagementOrigins ?? []).includes(origin);
  return { origin, allowed };
}
