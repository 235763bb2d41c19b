import type { JsonWebKey } from 'node:crypto';
import type { ClientMetadata, EndpointTarget, TokenRequest } from '../config/targetConfig.js';
import { UpstreamError } from '../errors.js';

/** The provider's registration response, parsed leniently: unknown fields are kept in `metadata`. */
export interface ClientRegistration {
  client_id: string;
  client_secret?: string;
  registration_access_token?: string;
  registration_client_uri?: string;
  client_id_issued_at?: number;
  client_secret_expires_at?: number;
  token_endpoint_auth_method: string;
  /** False when the answer named no method and the one we requested was recorded instead. */
  token_endpoint_auth_method_echoed?: false;
  /** Every other field of the response (redirect_uris, grant_types, Salesforce's scopes, …). */
  metadata: Record<string, unknown>;
}

export interface ManagedClient {
  registration_client_uri?: string;
  registration_access_token?: string;
}

export interface ClientCredentials {
  client_id: string;
  client_secret?: string;
  /** A `private_key_jwt` client's private key: each token request carries an assertion it signs (RFC 7523). */
  private_key_jwk?: JsonWebKey;
  token_endpoint_auth_method: string;
}

/** The header that authorises a registration (functions/core/registrationCredentials/). */
export interface RegistrationHeader {
  name: string;
  value: string;
}

/**
 * What a registration carries: a header, a plain string meaning `Authorization: Bearer <token>` (an
 * initial access token), or null for open registration (no header at all).
 */
export type RegistrationAuthorization = RegistrationHeader | string | null;

/** An OAuth 2.0 authorization server reached by Dynamic Client Registration (RFC 7591 / 7592). */
export interface IdentityProvider {
  register(target: EndpointTarget, metadata: ClientMetadata, authorization: RegistrationAuthorization): Promise<ClientRegistration>;
  /** RFC 7592 PUT with the client's full metadata; the answer may carry a new secret and token. */
  updateClient(target: EndpointTarget, client: ManagedClient, metadata: Record<string, unknown>): Promise<ClientRegistration>;
  /**
   * RFC 7592 GET: the client's registration as the provider holds it now (the answer may carry a new
   * registration access token). 'absent' on 404/410; a 401/403 throws RegistrationAccessTokenRejectedError
   * (RFC 7592 §2: the client is gone, or the token is not valid; the caller tells which).
   */
  readClient(target: EndpointTarget, client: ManagedClient): Promise<ClientRegistration | 'absent'>;
  /** RFC 7592 DELETE; 'absent' when the provider no longer knows the client. */
  deleteClient(target: EndpointTarget, client: ManagedClient): Promise<'deleted' | 'absent'>;
  /**
   * Proves the credentials at the token endpoint with a client_credentials request. Resolves `token`
   * when a token was issued (it is not returned), `authenticated` when a client registered without
   * the client_credentials grant was refused the grant after authenticating (RFC 6749 §5.2:
   * unauthorized_client, unsupported_grant_type, invalid_grant, invalid_scope). Throws
   * `InvalidClientError` when the provider refused the client's authentication.
   */
  proveClientCredentials(tokenEndpoint: string, credentials: ClientCredentials, options?: ProofOptions): Promise<CredentialsProof>;
}

export type CredentialsProof = 'token' | 'authenticated';

export interface ProofOptions {
  /** The target's `tokenRequest` (scope, audience, resource, extra parameters). */
  tokenRequest?: TokenRequest;
  /** The client's registered grant_types (RFC 7591 default: authorization_code). */
  grantTypes?: readonly string[];
}

/** The token endpoint refused the client's authentication (`invalid_client`, or a bare 401). */
export class InvalidClientError extends UpstreamError {
  override readonly name: string = 'InvalidClientError';
}
