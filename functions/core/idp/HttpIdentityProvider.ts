import { managementOrigin } from '../config/managementOrigin.js';
import type { ClientMetadata, EndpointTarget } from '../config/targetConfig.js';
import {
  ConfigurationError,
  type DcrError,
  NotSupportedError,
  TemporarilyUnavailableError,
  UnusableRegistrationError,
  UpstreamError,
} from '../errors.js';
import { DEFAULT_IDP_TIMEOUT_MS, MAX_UPSTREAM_BODY_BYTES } from '../options.js';
import { rememberSecret } from '../logger.js';
import {
  type ClientCredentials,
  type ClientRegistration,
  type CredentialsProof,
  type IdentityProvider,
  InvalidClientError,
  type ManagedClient,
  type ProofOptions,
  type RegistrationAuthorization,
} from '../ports/IdentityProvider.js';
import { clientCredentialsRequest } from './clientCredentialsRequest.js';
import { parseRegistrationResponse } from './parseRegistrationResponse.js';
import { PROFILE_RULES } from './profiles.js';
import { readBoundedBody } from './readBoundedBody.js';
import { classifyUpstreamFailure, parseErrorBody, retryAfterHeader, type UpstreamCall } from './upstreamResponse.js';

export interface HttpIdentityProviderOptions {
  /** Per-request timeout, body included; a timeout after sending a POST is an ambiguous outcome. Default: DEFAULT_IDP_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Largest answer read; the request is aborted past it. Default MAX_UPSTREAM_BODY_BYTES (256 KB). */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
  /** The clock that dates client assertions (private_key_jwt). Default: the system clock. */
  now?: () => Date;
}

/**
 * RFC 7591 / 7592 over HTTPS with the platform `fetch` (keep-alive by default, redirects never
 * followed, every answer read through a size cap and the timeout).
 */
export class HttpIdentityProvider implements IdentityProvider {
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;

  constructor(options: HttpIdentityProviderOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_IDP_TIMEOUT_MS;
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_UPSTREAM_BODY_BYTES;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? (() => new Date());
  }

  async register(target: EndpointTarget, metadata: ClientMetadata, authorization: RegistrationAuthorization): Promise<ClientRegistration> {
    const action = 'registration';
    const answer = await this.#exchange(target.registrationEndpoint, action, {
      method: 'POST',
      headers: registrationHeaders(authorization),
      body: JSON.stringify(metadata),
    });
    if (answer.status !== 201 && answer.status !== 200) throw failure(answer, action, 'registration');
    if (answer.tooLarge) {
      // Too large to read its client_id: the caller records a possible orphan.
      throw new UnusableRegistrationError(
        `identity provider answered the registration with a body over ${this.#maxBodyBytes} bytes; a client may have been created`,
        undefined,
        answer.status,
      );
    }
    return parseRegistrationResponse(answer.text, authMethods(target, metadata));
  }

  async updateClient(target: EndpointTarget, client: ManagedClient, metadata: Record<string, unknown>): Promise<ClientRegistration> {
    const { uri, authorization } = managed(client, target, 'update');
    const action = 'client update';
    const answer = await this.#exchange(uri, action, {
      method: 'PUT',
      headers: jsonHeaders(authorization),
      body: JSON.stringify(metadata),
    });
    if (answer.status !== 200) throw managementFailure(answer, action);
    // The client exists already: an unusable answer is a plain upstream failure, never a reason to delete it.
    if (answer.tooLarge)
      throw new UpstreamError(`identity provider answered the ${action} with a body over ${this.#maxBodyBytes} bytes`, 200);
    try {
      return parseRegistrationResponse(answer.text, authMethods(target, metadata));
    } catch (error) {
      if (error instanceof UnusableRegistrationError) throw new UpstreamError(`${error.message} (${action})`, 200);
      throw error;
    }
  }

  async readClient(target: EndpointTarget, client: ManagedClient): Promise<ClientRegistration | 'absent'> {
    const { uri, authorization } = managed(client, target, 'read');
    const action = 'client read';
    const answer = await this.#exchange(uri, action, { method: 'GET', headers: { accept: 'application/json', authorization } });
    if (answer.status === 404 || answer.status === 410) return 'absent';
    if (answer.status !== 200) throw managementFailure(answer, action);
    if (answer.tooLarge)
      throw new UpstreamError(`identity provider answered the ${action} with a body over ${this.#maxBodyBytes} bytes`, 200);
    try {
      return parseRegistrationResponse(answer.text, authMethods(target, {}));
    } catch (error) {
      if (error instanceof UnusableRegistrationError) throw new UpstreamError(`${error.message} (${action})`, 200);
      throw error;
    }
  }

  async deleteClient(target: EndpointTarget, client: ManagedClient): Promise<'deleted' | 'absent'> {
    const { uri, authorization } = managed(client, target, 'deletion');
    const action = 'client deletion';
    const answer = await this.#exchange(uri, action, {
      method: 'DELETE',
      headers: { accept: 'application/json', authorization },
    });
    if (answer.status === 204 || answer.status === 200) return 'deleted';
    if (answer.status === 404 || answer.status === 410) return 'absent';
    throw managementFailure(answer, action);
  }

  async proveClientCredentials(
    tokenEndpoint: string,
    credentials: ClientCredentials,
    options: ProofOptions = {},
  ): Promise<CredentialsProof> {
    const action = 'token request';
    const answer = await this.#exchange(tokenEndpoint, action, {
      method: 'POST',
      ...clientCredentialsRequest(credentials, options.tokenRequest, { tokenEndpoint, now: this.#now() }),
    });
    if (answer.status === 200) {
      const token = answer.tooLarge ? undefined : accessToken(answer.text);
      if (typeof token !== 'string' || !token) throw new UpstreamError('token endpoint answered 200 without a readable access_token');
      rememberSecret(token);
      return 'token';
    }
    const body = parseErrorBody(answer.text);
    const classified = classifyUpstreamFailure(answer.status, body, answer.retryAfter, action);
    if (classified.retryable) throw classified;
    const said = [body.error, body.error_description].filter(Boolean).join(': ');
    const message = `identity provider answered ${answer.status} to ${action}${said ? ` (${said})` : ''}`;
    // RFC 6749 §5.2: a failed client authentication is invalid_client (401 with Basic; bare 401s too);
    // Salesforce answers an unknown (or not yet active) client with its own invalid_client_id.
    if (body.error === 'invalid_client' || body.error === 'invalid_client_id' || (answer.status === 401 && !body.error)) {
      throw new InvalidClientError(message, answer.status);
    }
    // The server authenticates the client before judging the grant: a refusal of the grant proves the
    // credentials, but only for a client not registered for it (one that is must get a token).
    const hasGrant = options.grantTypes?.includes('client_credentials') ?? true;
    if (!hasGrant && answer.status < 500 && body.error && GRANT_REFUSALS.has(body.error)) return 'authenticated';
    throw new UpstreamError(message, answer.status);
  }

  /**
   * One request and its answer, read through the size cap within the timeout (a slow endless body
   * ends there too). A failure to get the whole answer is retryable, and maybe ambiguous.
   */
  async #exchange(url: string, action: string, init: RequestInit): Promise<Answer> {
    const controller = new AbortController();
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    try {
      const response = await this.#fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.any([controller.signal, deadline]) });
      const body = await readBoundedBody(response, { maxBytes: this.#maxBodyBytes, controller, signal: deadline });
      const text = body.tooLarge ? '' : body.text;
      return { status: response.status, text, tooLarge: body.tooLarge, retryAfter: retryAfterHeader(response.status, response.headers) };
    } catch (error) {
      // A refused connection never reached the provider; a timeout or reset may have.
      const code = (error as { cause?: { code?: string } }).cause?.code;
      const ambiguous = code !== 'ECONNREFUSED' && code !== 'ENOTFOUND';
      throw new TemporarilyUnavailableError(`identity provider unreachable for ${action} (${code ?? (error as Error).name})`, 2, {
        cause: error,
        ambiguous,
      });
    }
  }
}

/** Token-endpoint refusals that come after the client authenticated (RFC 6749 §5.2, RFC 8707 §2). */
const GRANT_REFUSALS = new Set(['unauthorized_client', 'unsupported_grant_type', 'invalid_grant', 'invalid_scope', 'invalid_target']);

// Printable ASCII, spaces only inside: what an Authorization header carries without error or ambiguity.
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
// RFC 9110 §5.6.2 token.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

interface Answer {
  status: number;
  /** Empty when the body was over the cap: the status alone classifies it. */
  text: string;
  tooLarge: boolean;
  retryAfter: string | null;
}

function authMethods(target: EndpointTarget, metadata: Record<string, unknown>) {
  const requested = metadata.token_endpoint_auth_method;
  return {
    requested: typeof requested === 'string' ? requested : undefined,
    accepted: target.acceptedAuthMethods,
    profileDefault: PROFILE_RULES[target.profile].defaultTokenEndpointAuthMethod,
  };
}

function accessToken(text: string): unknown {
  try {
    return (JSON.parse(text) as { access_token?: unknown } | null)?.access_token;
  } catch {
    return undefined;
  }
}

function failure(answer: Answer, action: string, call?: UpstreamCall): DcrError {
  return classifyUpstreamFailure(answer.status, parseErrorBody(answer.text), answer.retryAfter, action, call);
}

/**
 * A provider without RFC 7592 client management answers 405 or 501: nothing was changed. A 401/403
 * refuses the registration access token (RegistrationAccessTokenRejectedError), never the IAT.
 */
function managementFailure(answer: Answer, action: string): DcrError {
  if (answer.status === 405 || answer.status === 501) {
    return new NotSupportedError(`the identity provider does not support RFC 7592 (${action}: ${answer.status})`);
  }
  return failure(answer, action, 'management');
}

function jsonHeaders(authorization: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json', authorization };
}

/** A registration's headers: the credential's (a string is an IAT, sent as Bearer), none for open registration. */
function registrationHeaders(authorization: RegistrationAuthorization): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (authorization === null) return headers;
  if (typeof authorization === 'string') {
    headers.authorization = bearer(
      authorization,
      () => new ConfigurationError('the initial access token is not a printable ASCII string; refusing to send it'),
    );
    return headers;
  }
  const refuse = () => new ConfigurationError('the registration credential is not a printable ASCII header; refusing to send it');
  if (!HEADER_NAME.test(authorization.name) || !HEADER_SAFE.test(authorization.value)) throw refuse();
  headers[authorization.name.toLowerCase()] = authorization.value;
  return headers;
}

/**
 * `Bearer <token>`, refused before `fetch` sees it: its header error would quote the whole value
 * (a token with a line break, say) into a message that gets logged.
 */
function bearer(token: string, refuse: () => DcrError): string {
  if (!HEADER_SAFE.test(token)) throw refuse();
  return `Bearer ${token}`;
}

/**
 * RFC 7592 calls need the client URI and registration access token the provider issued, and carry
 * that token: send them only to the configured provider's origin, or one the target allows.
 */
function managed(client: ManagedClient, target: EndpointTarget, action: string): { uri: string; authorization: string } {
  const uri = client.registration_client_uri;
  const token = client.registration_access_token;
  if (!uri || !token) {
    throw new NotSupportedError(
      `client ${action} needs RFC 7592, but the identity provider issued no registration access token or client URI`,
    );
  }
  const where = managementOrigin(uri, target);
  if (!where) throw new UpstreamError('identity provider issued an invalid registration_client_uri');
  if (!where.allowed) {
    throw new UpstreamError(
      `registration_client_uri is on ${where.origin}, neither the configured identity provider nor in allowedManagementOrigins; refusing to send a token there`,
    );
  }
  return {
    uri,
    authorization: bearer(
      token,
      () => new UpstreamError('the registration access token is not a printable ASCII string; refusing to send it'),
    ),
  };
}
