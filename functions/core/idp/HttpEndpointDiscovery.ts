import * as z from 'zod/mini';
import { isAllowedEndpoint } from '../config/targetConfig.js';
import { ConfigurationError, TemporarilyUnavailableError } from '../errors.js';
import type { DiscoveredEndpoints, EndpointDiscovery } from '../ports/EndpointDiscovery.js';

const allowed = z.string().check(z.refine(isAllowedEndpoint, 'must be https: (http: only on loopback)'));
const discoverySchema = z.looseObject({
  issuer: z.string(),
  registration_endpoint: allowed,
  token_endpoint: z.optional(allowed),
});

/**
 * `{issuer}/.well-known/openid-configuration`, fetched once per container and issuer. A failed
 * fetch is not cached. The document must name the same issuer (OIDC Discovery 1.0 §4.3) and its
 * endpoints obey the same https / loopback rule as configured ones.
 */
export class HttpEndpointDiscovery implements EndpointDiscovery {
  readonly #cache = new Map<string, Promise<DiscoveredEndpoints>>();

  constructor(
    private readonly options: { timeoutMs?: number; fetch?: typeof fetch } = {},
  ) {}

  discover(issuer: string): Promise<DiscoveredEndpoints> {
    let pending = this.#cache.get(issuer);
    if (!pending) {
      pending = this.#fetch(issuer);
      this.#cache.set(issuer, pending);
      pending.catch(() => this.#cache.delete(issuer));
    }
    return pending;
  }

  async #fetch(issuer: string): Promise<DiscoveredEndpoints> {
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (error) {
      throw new TemporarilyUnavailableError(`discovery document of ${issuer} is unreachable`, 5, { cause: error });
    }
    if (response.status === 429 || response.status >= 500) {
      throw new TemporarilyUnavailableError(`discovery document of ${issuer} answered ${response.status}`);
    }
    let parsed;
    try {
      parsed = response.ok ? discoverySchema.safeParse(await response.json()) : undefined;
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
