import { createPublicKey, type JsonWebKey, randomBytes, timingSafeEqual, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';

/** How the front wants registrations authorised. */
export type FrontMode =
  | { kind: 'clientCredentials'; clientId: string; clientSecret?: string; publicJwk?: JsonWebKey; lifetimeSeconds: number }
  | { kind: 'apiKey'; key: string; scheme: string };

export interface RegistrationFront {
  registrationEndpoint: string;
  tokenEndpoint: string;
  /** Tokens minted, in order (for leak scans and to count mints). */
  minted: string[];
  /** How the token endpoint authenticated each mint: client_secret_basic, client_secret_post or private_key_jwt. */
  mintedBy: string[];
  /** Registrations let through to the provider behind, and those refused for their credential. */
  accepted: number;
  refused: number;
  /** Every minted token stops working at once (as a revoked token would). */
  revokeTokens(): void;
  close(): Promise<void>;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * A loopback front for an oidc-provider that plays the registration credentials of issue 15: a token
 * endpoint minting short-lived bearer tokens by client credentials (basic, post, private_key_jwt) and a
 * registration endpoint that accepts only those (Auth0, Curity, Okta's OAuth way), or only
 * `Authorization: <scheme> <key>` (Okta's SSWS). A registration it accepts goes on to the provider
 * with the provider's own initial access token; the answer comes back unchanged.
 */
export async function startRegistrationFront(
  inner: LocalIdentityProvider,
  innerIat: string,
  mode: FrontMode,
  now: () => number = Date.now,
): Promise<RegistrationFront> {
  const tokens = new Map<string, number>();
  let server: Server;
  const front: RegistrationFront = {
    registrationEndpoint: '',
    tokenEndpoint: '',
    minted: [],
    mintedBy: [],
    accepted: 0,
    refused: 0,
    revokeTokens: () => tokens.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  async function token(req: IncomingMessage, res: ServerResponse, body: string) {
    if (mode.kind !== 'clientCredentials') return answer(res, 404, { error: 'not_found' });
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') return answer(res, 400, { error: 'unsupported_grant_type' });
    const method = authenticate(req, form, mode, front.tokenEndpoint, now);
    if (!method) return answer(res, 401, { error: 'invalid_client' });
    const minted = randomBytes(24).toString('base64url');
    tokens.set(minted, now() + mode.lifetimeSeconds * 1000);
    front.minted.push(minted);
    front.mintedBy.push(method);
    answer(res, 200, {
      access_token: minted,
      token_type: 'Bearer',
      expires_in: mode.lifetimeSeconds,
      scope: form.get('scope') ?? undefined,
    });
  }

  function allowed(authorization: string | undefined): boolean {
    if (mode.kind === 'apiKey') return equal(authorization ?? '', mode.scheme ? `${mode.scheme} ${mode.key}` : mode.key);
    const presented = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    const expires = presented ? tokens.get(presented) : undefined;
    return expires !== undefined && expires > now();
  }

  async function register(req: IncomingMessage, res: ServerResponse, body: string) {
    if (!allowed(req.headers.authorization)) {
      front.refused++;
      return answer(res, 401, { error: 'invalid_token' });
    }
    front.accepted++;
    const forwarded = await fetch(inner.registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${innerIat}` },
      body,
    });
    res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' });
    res.end(await forwarded.text());
  }

  server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString();
      if (req.method === 'POST' && req.url === '/token') return token(req, res, body);
      if (req.method === 'POST' && req.url === '/register') return register(req, res, body);
      answer(res, 404, { error: 'not_found' });
    })().catch(() => answer(res, 500, { error: 'server_error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.registrationEndpoint = `${origin}/register`;
  front.tokenEndpoint = `${origin}/token`;
  return front;
}

/** The client's authentication at the token endpoint, or undefined when it fails. */
function authenticate(
  req: IncomingMessage,
  form: URLSearchParams,
  mode: Extract<FrontMode, { kind: 'clientCredentials' }>,
  tokenEndpoint: string,
  now: () => number,
): string | undefined {
  const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (basic && mode.clientSecret) {
    const [id, secret] = Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent);
    return id === mode.clientId && equal(secret ?? '', mode.clientSecret) ? 'client_secret_basic' : undefined;
  }
  if (form.has('client_secret') && mode.clientSecret) {
    return form.get('client_id') === mode.clientId && equal(form.get('client_secret') ?? '', mode.clientSecret)
      ? 'client_secret_post'
      : undefined;
  }
  if (form.get('client_assertion_type') === ASSERTION_TYPE && mode.publicJwk) {
    return verifyAssertion(form.get('client_assertion') ?? '', mode.clientId, mode.publicJwk, tokenEndpoint, now)
      ? 'private_key_jwt'
      : undefined;
  }
  return undefined;
}

/** RFC 7523 §3: signature by the client's key, iss = sub = client_id, aud = the token endpoint, not expired, at most 5 minutes. */
function verifyAssertion(jwt: string, clientId: string, publicJwk: JsonWebKey, audience: string, now: () => number): boolean {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return false;
  const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
  const key = createPublicKey({ key: publicJwk, format: 'jwk' });
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const options = alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {};
  if (!['ES256', 'RS256', 'EdDSA'].includes(alg ?? '')) return false;
  if (!verify(digest, Buffer.from(`${header}.${payload}`), { key, ...options }, Buffer.from(signature, 'base64url'))) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const seconds = now() / 1000;
  return (
    claims.iss === clientId &&
    claims.sub === clientId &&
    claims.aud === audience &&
    typeof claims.jti === 'string' &&
    typeof claims.exp === 'number' &&
    claims.exp > seconds &&
    claims.exp - seconds <= 300
  );
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
