import * as z from 'zod/mini';
import type { ClientMetadata, EndpointTarget } from '../config/targetConfig.js';
import { NotSupportedError, TemporarilyUnavailableError, UpstreamError } from '../errors.js';
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

const REGISTRATION_FIELDS = new Set(['client_id', 'client_secret', 'registration_access_token', 'registration_client_uri',
  'client_id_issued_at', 'client_secret_expires_at', 'token_endpoint_auth_method']);

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
    const response = await this.#send(target.registrationEndpoint, 'registration', {
      method: 'POST',
      headers: jsonHeaders(initialAccessToken),
      body: JSON.stringify(metadata),
    });
    const text = await response.text();
    if (response.status !== 201 && response.status !== 200) {
      throw classifyUpstreamFailure(response.status, parseErrorBody(text), response.headers.get('retry-after'), 'registration');
    }
    return parseRegistration(text, target);
  }

  async updateClient(target: EndpointTarget, client: ManagedClient, metadata: Record<string, unknown>): Promise<ClientRegistration> {
    const { uri, token } = managed(client, target, 'update');
    const response = await this.#send(uri, 'client update', { method: 'PUT', headers: jsonHeaders(token), body: JSON.stringify(metadata) });
    const text = await response.text();
    if (response.status === 405 || response.status === 501) {
      throw new NotSupportedError(`the identity provider does not support RFC 7592 updates (${response.status})`);
    }
    if (response.status !== 200) {
      throw classifyUpstreamFailure(response.status, parseErrorBody(text), response.headers.get('retry-after'), 'client update');
    }
    return parseRegistration(text, target);
  }

  async deleteClient(target: EndpointTarget, client: ManagedClient): Promise<'deleted' | 'absent'> {
    const { uri, token } = managed(client, target, 'deletion');
    const response = await this.#send(uri, 'client deletion', {
      method: 'DELETE',
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
    });
    const text = await response.text();
    if (response.status === 204 || response.status === 200) return 'deleted';
    if (response.status === 404 || response.status === 410) return 'absent';
    if (response.status === 405 || response.status === 501) {
      throw new NotSupportedError(`the identity provider does not support RFC 7592 deletion (${response.status})`);
    }
    throw classifyUpstreamFailure(response.status, parseErrorBody(text), response.headers.get('retry-after'), 'client deletion');
  }

  async proveClientCredentials(tokenEndpoint: string, credentials: ClientCredentials): Promise<void> {
    const response = await this.#send(tokenEndpoint, 'token request', { method: 'POST', ...clientCredentialsRequest(credentials) });
    const text = await response.text();
    if (response.status !== 200) {
      const failure = classifyUpstreamFailure(response.status, parseErrorBody(text), response.headers.get('retry-after'), 'token request');
      throw failure.retryable ? failure : new UpstreamError(failure.message, response.status);
    }
    const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string' || !token) throw new UpstreamError('token endpoint answered 200 without an access_token');
    rememberSecret(token);
  }

  async #send(url: string, action: string, init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.#timeoutMs) });
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
  const response = parsed.data;
  rememberSecret(response.client_secret);
  rememberSecret(response.registration_access_token);
  const metadata = Object.fromEntries(Object.entries(response).filter(([key]) => !REGISTRATION_FIELDS.has(key)));
  return {
    client_id: response.client_id,
    client_secret: response.client_secret,
    registration_access_token: response.registration_access_token,
    registration_client_uri: response.registration_client_uri,
    client_id_issued_at: response.client_id_issued_at,
    client_secret_expires_at: response.client_secret_expires_at,
    token_endpoint_auth_method:
      response.token_endpoint_auth_method ?? PROFILE_RULES[target.profile].defaultTokenEndpointAuthMethod,
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
