import * as z from 'zod/mini';
import { isAllowedEndpoint } from '../config/targetConfig.js';
import { ConfigurationError, TemporarilyUnavailableError } from '../errors.js';
import { DEFAULT_IDP_TIMEOUT_MS, MAX_UPSTREAM_BODY_BYTES } from '../options.js';
import type { DiscoveredEndpoints, EndpointDiscovery } from '../ports/EndpointDiscovery.js';
import { readBoundedBody } from './readBoundedBody.js';
import { lazy } from '../lazy.js';

const allowed = lazy(() => z.string().check(z.refine(isAllowedEndpoint, 'must be https: (http: only on loopback)')));
const discoverySchema = lazy(() =>
  z.looseObject({
    issuer: z.string(),
    registration_endpoint: allowed(),
    token_endpoint: z.optional(allowed()),
  }),
);

/**
 * The issuer's metadata, fetched once per container and issuer: OpenID Connect Discovery
 * (`{issuer}/.well-known/openid-configuration`) first, then RFC 8414
 * (`{origin}/.well-known/oauth-authorization-server{path}`), which many OAuth-only servers publish alone.
 * Each is read through the size cap (256 KB) within the timeout; a failed discovery is not cached. A
 * document must name the same issuer (OIDC Discovery 1.0 §4.3, RFC 8414 §3.3) and its endpoints obey
 * the same https / loopback rule as configured ones. When neither document is usable the error is a
 * ConfigurationError naming the issuer, or retryable when one of them failed only for now.
 * The registration endpoint, which receives the initial access token, must be on the issuer's origin
 * or one the target allows: checked on every call, since targets sharing an issuer may allow different ones.
 */
export class HttpEndpointDiscovery implements EndpointDiscovery {
  readonly #cache = new Map<string, Promise<DiscoveredEndpoints>>();

  constructor(private readonly options: { timeoutMs?: number; maxBodyBytes?: number; fetch?: typeof fetch } = {}) {}

  get #maxBodyBytes(): number {
    return this.options.maxBodyBytes ?? MAX_UPSTREAM_BODY_BYTES;
  }

  async discover(issuer: string, allowedRegistrationOrigins: readonly string[] = []): Promise<DiscoveredEndpoints> {
    let pending = this.#cache.get(issuer);
    if (!pending) {
      pending = this.#discover(issuer);
      this.#cache.set(issuer, pending);
      pending.catch(() => this.#cache.delete(issuer));
    }
    const endpoints = await pending;
    const origin = new URL(endpoints.registrationEndpoint).origin;
    if (origin !== new URL(issuer).origin && !allowedRegistrationOrigins.includes(origin)) {
      throw new ConfigurationError(
        `discovery document of ${issuer} names a registration_endpoint on ${origin}, neither the issuer's origin nor one in allowedRegistrationOrigins`,
      );
    }
    return endpoints;
  }

  async #discover(issuer: string): Promise<DiscoveredEndpoints> {
    const failures: string[] = [];
    let temporary: TemporarilyUnavailableError | undefined;
    for (const url of discoveryUrls(issuer)) {
      try {
        return await this.#fetch(url, issuer);
      } catch (error) {
        if (error instanceof TemporarilyUnavailableError) temporary ??= error;
        else if (!(error instanceof ConfigurationError)) throw error;
        failures.push(error.message);
      }
    }
    if (temporary) throw temporary;
    throw new ConfigurationError(
      `issuer ${issuer} has no usable discovery document (OpenID Connect Discovery, then RFC 8414): ${failures.join('; ')}`,
    );
  }

  async #fetch(url: string, issuer: string): Promise<DiscoveredEndpoints> {
    const controller = new AbortController();
    const deadline = AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_IDP_TIMEOUT_MS);
    let response: Response;
    let body;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.any([controller.signal, deadline]),
      });
      body = await readBoundedBody(response, { maxBytes: this.#maxBodyBytes, controller, signal: deadline });
    } catch (error) {
      throw new TemporarilyUnavailableError(`discovery document of ${issuer} at ${url} is unreachable`, 5, { cause: error });
    }
    if (response.status === 429 || response.status >= 500) {
      throw new TemporarilyUnavailableError(`discovery document of ${issuer} at ${url} answered ${response.status}`);
    }
    if (body.tooLarge) throw new ConfigurationError(`discovery document at ${url} is larger than ${this.#maxBodyBytes} bytes`);
    let parsed;
    try {
      parsed = response.ok ? discoverySchema().safeParse(JSON.parse(body.text)) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      throw new ConfigurationError(`${url} is not a usable discovery document with a registration_endpoint (status ${response.status})`);
    }
    if (parsed.data.issuer.replace(/\/+$/, '') !== issuer.replace(/\/+$/, '')) {
      throw new ConfigurationError(`discovery document at ${url} names another issuer`);
    }
    return { registrationEndpoint: parsed.data.registration_endpoint, tokenEndpoint: parsed.data.token_endpoint };
  }
}

/**
 * OpenID Connect Discovery appends its well-known suffix to the issuer; RFC 8414 §3.1 inserts its own
 * between the origin and the issuer's path.
 */
export function discoveryUrls(issuer: string): [openid: string, oauth: string] {
  const trimmed = issuer.replace(/\/+$/, '');
  const { origin, pathname } = new URL(trimmed);
  const path = pathname === '/' ? '' : pathname;
  return [`${trimmed}/.well-known/openid-configuration`, `${origin}/.well-known/oauth-authorization-server${path}`];
}
