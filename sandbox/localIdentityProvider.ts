import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { MapAdapterStore } from './mapAdapter.js';
import { SALESFORCE_POLICY, salesforceCompatPolicy, salesforceResponseFacade } from './salesforceCompatibility.js';

export type LocalProfile = 'salesforce' | 'rfc7591';

export interface LocalIdentityProviderOptions {
  /** `salesforce`: Salesforce's paths, the compatibility policy and response shape. Default `salesforce`. */
  profile?: LocalProfile;
  port?: number;
  /**
   * RFC 7592 update/delete, with a new client secret on every update. Off plays a provider that
   * cannot manage clients: it issues no registration access token or client URI. Default on.
   */
  registrationManagement?: boolean;
  /** RFC 7592 §2.2 allows a new registration access token on every update; races are sharper with it. Default off. */
  rotateRegistrationAccessToken?: boolean;
  /** Open registration (RFC 7591 §3 without an initial access token): anyone may register. Default off. */
  openRegistration?: boolean;
  /**
   * `client_secret_expires_at` (epoch seconds) of each secret issued, by request method (`POST` a
   * registration, `PUT` an RFC 7592 update); undefined keeps oidc-provider's `0` (never). Default none.
   */
  clientSecretExpiresAt?: (method: string) => number | undefined;
  /** Sees each request first; true when it answered it itself (e.g. a 429 from sandbox/rateLimitGate.ts). */
  gate?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface LocalIdentityProvider {
  issuer: string;
  registrationEndpoint: string;
  tokenEndpoint: string;
  profile: LocalProfile;
  /** Creates an initial access token carrying the profile's registration policy. */
  issueInitialAccessToken(): Promise<string>;
  /** Invalidates a token, as a Salesforce admin's "Regenerate" does (seed 004). */
  revokeInitialAccessToken(token: string): Promise<void>;
  /** Client ids in the provider's own store. */
  clientIds(): string[];
  /** Deletes a client from the provider's store, as an admin would behind the service's back. */
  removeClient(clientId: string): Promise<void>;
  /** Clients in the provider's own store with their names (to attribute them to tenants in tests). */
  clients(): { clientId: string; clientName?: string }[];
  /** Requests received, by `METHOD path`. */
  requests: Map<string, number>;
  /** Every client_secret and registration_access_token this provider has handed out (for leak scans). */
  issuedSecrets: string[];
  close(): Promise<void>;
}

const ROTATE_POLICY = 'rotate-secret-on-update';
const EXPIRY_POLICY = 'client-secret-expiry';

/** An RFC 7592 PUT gets a new client secret; the old one stops working at once. A private_key_jwt client has none. */
function rotateSecretOnUpdate(ctx: { method: string }, properties: Record<string, unknown>): void {
  if (ctx.method === 'PUT' && properties.token_endpoint_auth_method !== 'private_key_jwt') {
    properties.client_secret = randomBytes(48).toString('base64url');
  }
}

const SALESFORCE_ROUTES = { registration: '/services/oauth2/register', token: '/services/oauth2/token' };

/** An in-process oidc-provider on loopback with registration, IATs, RFC 7592 and client credentials. */
export async function startLocalIdentityProvider(options: LocalIdentityProviderOptions = {}): Promise<LocalIdentityProvider> {
  const profile = options.profile ?? 'salesforce';
  const management = options.registrationManagement ?? true;
  const store = new MapAdapterStore();
  const requests = new Map<string, number>();
  const issuedSecrets: string[] = [];
  let callback: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    const key = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    if (options.gate?.(req, res)) return;
    recordIssuedSecrets(res, issuedSecrets);
    callback?.(req, res);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const configuration: Configuration = {
    adapter: store.adapterFor,
    clients: [],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'local', use: 'sig', alg: 'RS256' } as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    ttl: { ClientCredentials: 600, InitialAccessToken: 86_400, RegistrationAccessToken: 86_400 },
    routes: profile === 'salesforce' ? SALESFORCE_ROUTES : {},
    clientDefaults: profile === 'salesforce' ? { token_endpoint_auth_method: 'client_secret_post' } : {},
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      registration: {
        enabled: true,
        initialAccessToken: !options.openRegistration,
        issueRegistrationAccessToken: management,
        // Policies travel on initial access tokens: an open endpoint has none.
        ...(options.openRegistration
          ? {}
          : {
              policies: {
                [SALESFORCE_POLICY]: salesforceCompatPolicy,
                [ROTATE_POLICY]: rotateSecretOnUpdate,
                [EXPIRY_POLICY]: (ctx: { method: string }, properties: Record<string, unknown>) => {
                  const expiresAt = options.clientSecretExpiresAt?.(ctx.method);
                  if (expiresAt !== undefined && properties.client_secret) properties.client_secret_expires_at = expiresAt;
                },
              },
            }),
      },
      registrationManagement: { enabled: management, rotateRegistrationAccessToken: options.rotateRegistrationAccessToken ?? false },
    },
  };
  const provider = new Provider(issuer, configuration);
  if (profile === 'salesforce') provider.use(salesforceResponseFacade as never);
  callback = provider.callback();

  const routes = profile === 'salesforce' ? SALESFORCE_ROUTES : { registration: '/reg', token: '/token' };
  return {
    issuer,
    registrationEndpoint: `${issuer}${routes.registration}`,
    tokenEndpoint: `${issuer}${routes.token}`,
    profile,
    requests,
    issuedSecrets,
    async issueInitialAccessToken() {
      // Policies travel from the initial access token to each client's registration access token.
      const policies = [
        ...(profile === 'salesforce' ? [SALESFORCE_POLICY] : []),
        ROTATE_POLICY,
        ...(options.clientSecretExpiresAt ? [EXPIRY_POLICY] : []),
      ];
      return new provider.InitialAccessToken({ policies }).save();
    },
    async revokeInitialAccessToken(token: string) {
      const found = await provider.InitialAccessToken.find(token);
      await found?.destroy();
    },
    clientIds: () => store.payloads('Client').map((payload) => String(payload.client_id)),
    removeClient: async (clientId) => {
      store.entries.delete(`Client:${clientId}`);
    },
    clients: () =>
      store.payloads('Client').map((payload) => ({
        clientId: String(payload.client_id),
        clientName: typeof payload.client_name === 'string' ? payload.client_name : undefined,
      })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Remembers the secrets in registration responses, by reading the JSON body as it is sent. */
function recordIssuedSecrets(res: ServerResponse, into: string[]): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    const [chunk] = args;
    if ((typeof chunk === 'string' || Buffer.isBuffer(chunk)) && String(res.getHeader('content-type')).includes('json')) {
      try {
        const body = JSON.parse(chunk.toString()) as Record<string, unknown>;
        for (const key of ['client_secret', 'registration_access_token', 'access_token']) {
          if (typeof body[key] === 'string') into.push(body[key] as string);
        }
      } catch {
        // not JSON: nothing to remember
      }
    }
    return end(...args);
  }) as typeof res.end;
}
