import { randomBytes } from 'node:crypto';
import type { ClientMetadata, EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { NotSupportedError, UpstreamError } from '../../functions/core/errors.js';
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
}

type Operation = 'register' | 'deleteClient' | 'proveClientCredentials';

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
  readonly #script: Record<Operation, Error[]> = { register: [], deleteClient: [], proveClientCredentials: [] };
  #next = 0;

  constructor(private readonly management: (target: EndpointTarget) => boolean = () => true) {}

  failNext(operation: Operation, ...errors: Error[]): void {
    this.#script[operation].push(...errors);
  }

  async register(target: EndpointTarget, metadata: ClientMetadata, authorization: RegistrationAuthorization): Promise<ClientRegistration> {
    this.authorizations.push(authorization);
    this.#fail('register');
    const clientId = `client-${++this.#next}`;
    const client: Client = { clientSecret: randomBytes(24).toString('base64url') };
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
      token_endpoint_auth_method: metadata.token_endpoint_auth_method ?? 'client_secret_basic',
      metadata: { ...metadata },
    };
  }

  async updateClient(): Promise<ClientRegistration> {
    throw new NotSupportedError('the scripted provider does not update clients');
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
