import * as z from 'zod/mini';
import type { ClientMetadata, EndpointTarget } from '../config/targetConfig.js';
import { type DcrError, NotSupportedError, TemporarilyUnavailableError, UpstreamError } from '../errors.js';
import { rememberSecret } from '../logger.js';
import type { ClientCredentials, ClientRegistration, IdentityProvider, ManagedClient } from '../ports/IdentityProvider.js';
import { clientCredentialsRequest } from './clientCredentialsRequest.js';
import { PROFILE_RULES } from './profiles.js';
import { classifyUpstreamFailure, parseErrorBody } from './upstreamResponse.js';

const registrationResponseSchema = z.looseObject({
  client_id: z.string().check(z.minLength(1)),
  client_secret: z.optional(z.string()),
  registration_access_token: z.optional(z.string()),
  registration_client_uri: z.optional(z.string()),
  client_id_issued_at: z.optional(z.number()),
  client_secret_expires_at: z.optional(z.number()),
  token_endpoint_auth_method: z.optional(z.string()),
});

export interface HttpIdentityProviderOptions {
  /** Per-request timeout; a timeout after sending a POST is an ambiguous outcome. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** RFC 7591 / 7592 over HTTPS with the platform `fetch` (keep-alive by default, redirects never followed). */
export class HttpIdentityProvider implements IdentityProvider {
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: HttpIdentityProviderOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async register(target: EndpointTarget, metadata: ClientMetadata, initialAccessToken: string): Promise<ClientRegistration> {
    const action = 'registration';
    const answer = await this.#exchange(target.registrationEndpoint, action, {
      method: 'POST',
      headers: jsonHeaders(initialAccessToken),
      body: JSON.stringify(metadata),
    });
    if (answer.status !== 201 && answer.status !== 200) throw failure(answer, action);
    return parseRegistration(answer.text, target);
  }

  async updateClient(target: EndpointTarget, client: ManagedClient, metadata: Record<string, unknown>): Promise<ClientRegistration> {
    const { uri, token } = managed(client, target, 'update');
    const action = 'client update';
    const answer = await this.#exchange(uri, action, { method: 'PUT', headers: jsonHeaders(token), body: JSON.stringify(metadata) });
    if (answer.status !== 200) throw managementFailure(answer, action);
    return parseRegistration(answer.text, target);
  }

  async deleteClient(target: EndpointTarget, client: ManagedClient): Promise<'deleted' | 'absent'> {
    const { uri, token } = managed(client, target, 'deletion');
    const action = 'client deletion';
    const answer = await this.#exchange(uri, action, {
      method: 'DELETE',
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
    if (answer.status === 204 || answer.status === 200) return 'deleted';
    if (answer.status === 404 || answer.status === 410) return 'absent';
    throw managementFailure(answer, action);
  }

  async proveClientCredentials(tokenEndpoint: string, credentials: ClientCredentials): Promise<void> {
    const action = 'token request';
    const answer = await this.#exchange(tokenEndpoint, action, { method: 'POST', ...clientCredentialsRequest(credentials) });
    if (answer.status !== 200) {
      const error = failure(answer, action);
      throw error.retryable ? error : new UpstreamError(error.message, answer.status);
    }
    const token = (JSON.parse(answer.text) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string' || !token) throw new UpstreamError('token endpoint answered 200 without an access_token');
    rememberSecret(token);
  }

  /** One request and its whole answer; a failure to get an answer is retryable, and maybe ambiguous. */
  async #exchange(url: string, action: string, init: RequestInit): Promise<Answer> {
    try {
      const response = await this.#fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.#timeoutMs) });
      return { status: response.status, text: await response.text(), retryAfter: response.headers.get('retry-after') };
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

interface Answer {
  status: number;
  text: string;
  retryAfter: string | null;
}

function failure(answer: Answer, action: string): DcrError {
  return classifyUpstreamFailure(answer.status, parseErrorBody(answer.text), answer.retryAfter, action);
}

/** A provider without RFC 7592 client management answers 405 or 501: nothing was changed. */
function managementFailure(answer: Answer, action: string): DcrError {
  if (answer.status === 405 || answer.status === 501) {
    return new NotSupportedError(`the identity provider does not support RFC 7592 (${action}: ${answer.status})`);
  }
  return failure(answer, action);
}

function jsonHeaders(bearer: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${bearer}` };
}

function parseRegistration(text: string, target: EndpointTarget): ClientRegistration {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new UpstreamError('identity provider answered with a body that is not JSON');
  }
  const parsed = registrationResponseSchema.safeParse(body);
  if (!parsed.success) throw new UpstreamError('identity provider answered the registration without a usable client_id');
  const { token_endpoint_auth_method, ...registration } = parsed.data;
  const { client_id, client_secret, registration_access_token, registration_client_uri, client_id_issued_at, client_secret_expires_at, ...metadata } =
    registration;
  rememberSecret(client_secret);
  rememberSecret(registration_access_token);
  return {
    client_id,
    client_secret,
    registration_access_token,
    registration_client_uri,
    client_id_issued_at,
    client_secret_expires_at,
    token_endpoint_auth_method: token_endpoint_auth_method ?? PROFILE_RULES[target.profile].defaultTokenEndpointAuthMethod,
    metadata,
  };
}

/**
 * RFC 7592 calls need the client URI and registration access token the provider issued, and carry
 * that token: send them only to the configured provider's origin.
 */
function managed(client: ManagedClient, target: EndpointTarget, action: string): { uri: string; token: string } {
  const uri = client.registration_client_uri;
  const token = client.registration_access_token;
  if (!uri || !token) {
    throw new NotSupportedError(`client ${action} needs RFC 7592, but the identity provider issued no registration access token or client URI`);
  }
  let origin: string;
  try {
    origin = new URL(uri).origin;
  } catch {
    throw new UpstreamError('identity provider issued an invalid registration_client_uri');
  }
  if (origin !== new URL(target.registrationEndpoint).origin) {
    throw new UpstreamError('registration_client_uri is not on the configured identity provider; refusing to send a token there');
  }
  return { uri, token };
}
