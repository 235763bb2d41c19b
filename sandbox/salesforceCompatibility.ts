import type { KoaContextWithOIDC } from 'oidc-provider';

export const SALESFORCE_POLICY = 'salesforce-compat';
export const SALESFORCE_SCOPES = ['openid', 'refresh_token', 'id', 'api'];

const SUPPORTED_GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials']);
const REQUESTED = Symbol('salesforceRequested');

interface Requested {
  response_types?: string[];
  grant_types?: string[];
}
type ContextWithRequested = KoaContextWithOIDC & { [REQUESTED]?: Requested };

/**
 * Registration policy that lets oidc-provider accept Salesforce's seed request: it maps the implicit
 * and hybrid parts (`token`, `id_token`, `implicit`) to the code-flow subset oidc-provider supports,
 * and defaults to `client_secret_post` as Salesforce does. The request as sent is remembered so the
 * response can be restored to Salesforce's shape.
 */
export function salesforceCompatPolicy(ctx: KoaContextWithOIDC, properties: Record<string, unknown>): void {
  const requested: Requested = {
    response_types: properties.response_types as string[] | undefined,
    grant_types: properties.grant_types as string[] | undefined,
  };
  (ctx as ContextWithRequested)[REQUESTED] = requested;
  const grants = (requested.grant_types ?? ['authorization_code']).filter((grant) => SUPPORTED_GRANTS.has(grant));
  properties.grant_types = grants;
  properties.response_types = grants.includes('authorization_code') ? ['code'] : [];
  properties.token_endpoint_auth_method ??= 'client_secret_post';
}

/**
 * Post-middleware: a 201 from the registration endpoint gets Salesforce's shape back (the requested
 * response and grant types, `hybrid_auth_code` added, a `scopes` array); a refused initial access
 * token answers `invalid_client`, as reported for Salesforce.
 */
export async function salesforceResponseFacade(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  if (ctx.oidc?.route !== 'registration') return;
  const requested = (ctx as ContextWithRequested)[REQUESTED];
  const body = ctx.body as Record<string, unknown> | undefined;
  if (ctx.status === 201 && requested && body) {
    const grants = requested.grant_types ?? (body.grant_types as string[]);
    ctx.body = {
      ...body,
      response_types: requested.response_types ?? body.response_types,
      grant_types: grants.flatMap((grant) => (grant === 'authorization_code' ? [grant, 'hybrid_auth_code'] : [grant])),
      scopes: SALESFORCE_SCOPES,
    };
  } else if (ctx.status === 401 && body) {
    ctx.body = { error: 'invalid_client', error_description: 'invalid client credentials' };
  }
}
