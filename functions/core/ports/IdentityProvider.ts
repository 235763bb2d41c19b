import type { ClientMetadata, EndpointTarget } from '../config/targetConfig.js';

/** The provider's registration response, parsed leniently: unknown fields are kept in `metadata`. */
export interface ClientRegistration {
  client_id: string;
  client_secret?: string;
  registration_access_token?: string;
  registration_client_uri?: string;
  client_id_issued_at?: number;
  client_secret_expires_at?: number;
  token_endpoint_auth_method: string;
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
  token_endpoint_auth_method: string;
}

/** An OAuth 2.0 authorization server reached by Dynamic Client Registration (RFC 7591 / 7592). */
export interface IdentityProvider {
  register(target: EndpointTarget, metadata: ClientMetadata, initialAccessToken: string): Promise<ClientRegistration>;
  /** RFC 7592 PUT with the client's full metadata; the answer may carry a new secret and token. */
  updateClient(target: EndpointTarget, client: ManagedClient, metadata: Record<string, unknown>): Promise<ClientRegistration>;
  /** RFC 7592 DELETE; 'absent' when the provider no longer knows the client. */
  deleteClient(target: EndpointTarget, client: ManagedClient): Promise<'deleted' | 'absent'>;
  /** A client_credentials grant at the token endpoint; resolves when a token was issued (the token is not returned). */
  proveClientCredentials(tokenEndpoint: string, credentials: ClientCredentials): Promise<void>;
}
