import { randomBytes } from 'node:crypto';
import type { ClientMetadata, EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { NotSupportedError, RegistrationAccessTokenRejectedError, UpstreamError } from '../../functions/core/errors.js';
import {
  type ClientCredentials,
  type ClientRegistration,
  type CredentialsProof,
  type IdentityProvider,
  InvalidClientError,
  type ManagedClient,
  type ProofOptions,
  type RegistrationAuthorization,
} from '../../functions/core/ports/IdentityProvider.js';

interface Client {
  clientSecret: string;
  registrationAccessToken?: string;
  /** What the provider holds besides the credentials (RFC 7592 GET answers it; PUT replaces it). */
  metadata?: Record<string, unknown>;
  clientSecretExpiresAt?: number;
}

type Operation = 'register' | 'deleteClient' | 'proveClientCredentials' | 'updateClient' | 'readClient';

/**
 * An identity provider in memory that keeps its clients, issues RFC 7592 credentials only to targets
 * for which `management` holds, answers `invalid_client` for a client it does not know (or a wrong
 * secret), and records every call. `failNext` scripts failures per operation, in order.
 */
export class ScriptedIdentityProvider implements IdentityProvider {
  readonly clients = new Map<string, Client>();
  readonly registered: string[] = [];
  /** What each registration carried (a header, a plain IAT string, or null for open registration). */
  readonly authorizations: RegistrationAuthorization[] = [];
  readonly deleted: string[] = [];
  readonly proved: string[] = [];
  /** The options of each proof, in order (token request parameters, grant types). */
  readonly proofOptions: ProofOptions[] = [];
  /** Every client_secret and registration access token issued (for leak scans). */
  readonly issuedSecrets: string[] = [];
  /** RFC 7592 PUTs and GETs, by client id. */
  readonly updated: string[] = [];
  readonly read: string[] = [];
  /** Keycloak-like: every RFC 7592 call answers with a new registration access token (the old one stops working). */
  rotateRegistrationAccessToken = false;
  /** When set, each client secret issued expires this many seconds after issue (`client_secret_expires_at`). */
  secretLifetimeSeconds: number | undefined;
  readonly #script: Record<Operation, Error[]> = {
    register: [],
    deleteClient: [],
    proveClientCredentials: [],
    updateClient: [],
    readClient: [],
  };
  #next = 0;

  constructor(private readonly management: (target: EndpointTarget) => boolean = () => true) {}

  failNext(operation: Operation, ...errors: Error[]): void {
    this.#script[operation].push(...errors);
  }

  async register(target: EndpointTarget, metadata: ClientMetadata, authorization: RegistrationAuthorization): Promise<ClientRegistration> {
    this.authorizations.push(authorization);
    this.#fail('register');
    const clientId = `client-${++this.#next}`;
    const client: Client = { clientSecret: randomBytes(24).toString('base64url'), metadata: { ...metadata } };
    if (this.secretLifetimeSeconds !== undefined) client.clientSecretExpiresAt = Math.floor(Date.now() / 1000) + this.secretLifetimeSeconds;
    const managed = this.management(target);
    if (managed) client.registrationAccessToken = randomBytes(24).toString('base64url');
    this.clients.set(clientId, client);
    this.issuedSecrets.push(client.clientSecret, ...(client.registrationAccessToken ? [client.registrationAccessToken] : []));
    this.registered.push(clientId);
    return {
      client_id: clientId,
      client_secret: client.clientSecret,
      registration_access_token: client.registrationAccessToken,
      registration_client_uri: managed ? `${target.registrationEndpoint}/${clientId}` : undefined,
      ...(client.clientSecretExpiresAt !== undefined && { client_secret_expires_at: client.clientSecretExpiresAt }),
      token_endpoint_auth_method: metadata.token_endpoint_auth_method ?? 'client_secret_basic',
      metadata: { ...metadata },
    };
  }

  /** RFC 7592 PUT: a new client secret (and, when rotating, a new registration access token); the metadata sent replaces the held one. */
  async updateClient(_target: EndpointTarget, client: ManagedClient, metadata: Record<string, unknown>): Promise<ClientRegistration> {
    this.#fail('updateClient');
    const [clientId, known] = this.#managed(client);
    if (!known) throw new RegistrationAccessTokenRejectedError('identity provider answered 401 to client update (invalid_token)', 401);
    const { client_id: _id, token_endpoint_auth_method: method, ...rest } = metadata;
    known.clientSecret = randomBytes(24).toString('base64url');
    known.metadata = { ...rest, ...(typeof method === 'string' && { token_endpoint_auth_method: method }) };
    if (this.secretLifetimeSeconds !== undefined) known.clientSecretExpiresAt = Math.floor(Date.now() / 1000) + this.secretLifetimeSeconds;
    this.issuedSecrets.push(known.clientSecret);
    this.updated.push(clientId);
    return this.#answer(clientId, known, client);
  }

  /** RFC 7592 GET: 'absent' for a client it does not hold (as a 404 would say). */
  async readClient(_target: EndpointTarget, client: ManagedClient): Promise<ClientRegistration | 'absent'> {
    this.#fail('readClient');
    if (!client.registration_client_uri || !client.registration_access_token) throw new NotSupportedError('client read needs RFC 7592');
    const clientId = client.registration_client_uri.split('/').pop() ?? '';
    const known = this.clients.get(clientId);
    if (!known) return 'absent';
    if (known.registrationAccessToken !== client.registration_access_token) {
      throw new RegistrationAccessTokenRejectedError('identity provider answered 401 to client read (invalid_token)', 401);
    }
    this.read.push(clientId);
    return this.#answer(clientId, known, client);
  }

  #managed(client: ManagedClient): [string, Client | undefined] {
    if (!client.registration_client_uri || !client.registration_access_token) throw new NotSupportedError('client update needs RFC 7592');
    const clientId = client.registration_client_uri.split('/').pop() ?? '';
    const known = this.clients.get(clientId);
    return [clientId, known?.registrationAccessToken === client.registration_access_token ? known : undefined];
  }

  #answer(clientId: string, known: Client, client: ManagedClient): ClientRegistration {
    if (this.rotateRegistrationAccessToken) {
      known.registrationAccessToken = randomBytes(24).toString('base64url');
      this.issuedSecrets.push(known.registrationAccessToken);
    }
    const { token_endpoint_auth_method: method, ...metadata } = known.metadata ?? {};
    return {
      client_id: clientId,
      client_secret: known.clientSecret,
      registration_access_token: known.registrationAccessToken,
      registration_client_uri: client.registration_client_uri,
      ...(known.clientSecretExpiresAt !== undefined && { client_secret_expires_at: known.clientSecretExpiresAt }),
      token_endpoint_auth_method: typeof method === 'string' ? method : 'client_secret_basic',
      metadata,
    };
  }

  async deleteClient(_target: EndpointTarget, client: ManagedClient): Promise<'deleted' | 'absent'> {
    this.#fail('deleteClient');
    if (!client.registration_client_uri || !client.registration_access_token) {
      throw new NotSupportedError('client deletion needs RFC 7592');
    }
    const clientId = client.registration_client_uri.split('/').pop() ?? '';
    const known = this.clients.get(clientId);
    if (!known) return 'absent';
    if (known.registrationAccessToken !== client.registration_access_token) {
      throw new UpstreamError('identity provider answered 401 to client deletion (invalid_token)', 401);
    }
    this.clients.delete(clientId);
    this.deleted.push(clientId);
    return 'deleted';
  }

  async proveClientCredentials(
    _tokenEndpoint: string,
    credentials: ClientCredentials,
    options: ProofOptions = {},
  ): Promise<CredentialsProof> {
    this.#fail('proveClientCredentials');
    this.proved.push(credentials.client_id);
    this.proofOptions.push(options);
    if (this.clients.get(credentials.client_id)?.clientSecret !== credentials.client_secret) {
      throw new InvalidClientError('identity provider answered 401 to token request (invalid_client)', 401);
    }
    return (options.grantTypes?.includes('client_credentials') ?? true) ? 'token' : 'authenticated';
  }

  #fail(operation: Operation): void {
    const error = this.#script[operation].shift();
    if (error) throw error;
  }
}
