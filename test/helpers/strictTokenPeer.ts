import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How one path prefix of the peer behaves (`/<mode>/register`, `/<mode>/token`), after providers
 * that differ from oidc-provider (issue 19, issue 17 item 2):
 * - `glewlwyd`: a registration that names no auth method gets a public client (no secret, no method
 *   in the answer); client_credentials without `scope` gets a bare 403.
 * - `switching`: answers `client_secret_post` whatever was requested.
 * - `silent`: issues a secret but names no method in the answer.
 * - `grants`: authenticates the client, then answers `unauthorized_client` if it is not registered
 *   for client_credentials.
 * - `refusing`: every token request is `invalid_client` (401), as for a wrong secret.
 * - `not-active`: every token request is Salesforce's `invalid_client_id` (400), as for a new app.
 */
export type PeerMode = 'glewlwyd' | 'switching' | 'silent' | 'grants' | 'refusing' | 'not-active';

interface PeerClient {
  mode: PeerMode;
  secret?: string;
  method: string;
  grantTypes: string[];
  token: string;
}

export interface StrictTokenPeer {
  url: string;
  /** Client ids registered, deleted, and the bodies of registration requests, in order. */
  registered: string[];
  deleted: string[];
  registrationBodies: Record<string, unknown>[];
  /** Token requests received: the form body's names and values, secrets removed. */
  tokenRequests: { mode: PeerMode; params: Record<string, string[]>; status: number }[];
  /** Every client secret, registration access token and access token handed out (for leak scans). */
  issued: string[];
  close(): Promise<void>;
}

export async function startStrictTokenPeer(): Promise<StrictTokenPeer> {
  const clients = new Map<string, PeerClient>();
  const peer: Omit<StrictTokenPeer, 'url' | 'close'> = {
    registered: [],
    deleted: [],
    registrationBodies: [],
    tokenRequests: [],
    issued: [],
  };
  let url = '';
  const issue = () => {
    const value = randomBytes(24).toString('base64url');
    peer.issued.push(value);
    return value;
  };

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const [, mode, route, clientId] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
    const peerMode = mode as PeerMode;
    if (route === 'register' && req.method === 'POST' && !clientId) return register(peerMode, body, res);
    if (route === 'register' && clientId && clients.get(clientId)?.token === bearer(req)) {
      if (req.method === 'DELETE') {
        clients.delete(clientId);
        peer.deleted.push(clientId);
        return res.writeHead(204).end();
      }
      if (req.method === 'PUT') return update(clientId, res);
    }
    if (route === 'token' && req.method === 'POST') return token(peerMode, req, body, res);
    res.writeHead(404).end();
  });

  function register(mode: PeerMode, text: string, res: ServerResponse): void {
    const request = JSON.parse(text) as Record<string, unknown>;
    peer.registrationBodies.push(request);
    const requested = request.token_endpoint_auth_method as string | undefined;
    const clientId = `${mode}-${peer.registered.length + 1}`;
    const method = mode === 'switching' ? 'client_secret_post' : (requested ?? (mode === 'glewlwyd' ? 'none' : 'client_secret_basic'));
    const client: PeerClient = {
      mode,
      method,
      secret: method === 'none' ? undefined : issue(),
      grantTypes: (request.grant_types as string[] | undefined) ?? ['authorization_code'],
      token: issue(),
    };
    clients.set(clientId, client);
    peer.registered.push(clientId);
    const omitMethod = mode === 'silent' || (mode === 'glewlwyd' && !requested);
    const { token_endpoint_auth_method: _requested, ...echoed } = request;
    json(res, 201, {
      ...echoed,
      client_id: clientId,
      ...(client.secret && { client_secret: client.secret }),
      ...(!omitMethod && { token_endpoint_auth_method: method }),
      grant_types: client.grantTypes,
      registration_access_token: client.token,
      registration_client_uri: `${url}/${mode}/register/${clientId}`,
    });
  }

  function update(clientId: string, res: ServerResponse): void {
    const client = clients.get(clientId) as PeerClient;
    client.secret = issue();
    json(res, 200, {
      client_id: clientId,
      client_secret: client.secret,
      token_endpoint_auth_method: client.method,
      grant_types: client.grantTypes,
    });
  }

  function token(mode: PeerMode, req: IncomingMessage, text: string, res: ServerResponse): void {
    const form = new URLSearchParams(text);
    const params: Record<string, string[]> = {};
    for (const [name, value] of form) if (name !== 'client_secret') (params[name] ??= []).push(value);
    const answer = (status: number, payload?: Record<string, unknown>) => {
      peer.tokenRequests.push({ mode, params, status });
      if (payload) json(res, status, payload);
      else res.writeHead(status).end();
    };
    if (mode === 'not-active') return answer(400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    if (mode === 'glewlwyd' && !form.get('scope')) return answer(403);
    const [id, secret] = credentials(req, form);
    const client = clients.get(id ?? '');
    if (mode === 'refusing' || !client || !client.secret || client.secret !== secret) {
      return answer(401, { error: 'invalid_client', error_description: 'client authentication failed' });
    }
    if (form.get('grant_type') !== 'client_credentials' || !client.grantTypes.includes('client_credentials')) {
      return answer(400, { error: 'unauthorized_client', error_description: 'grant not allowed for this client' });
    }
    answer(200, { access_token: issue(), token_type: 'Bearer', expires_in: 300 });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...peer,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/** client_secret_basic (form-urlencoded parts) or client_secret_post. */
function credentials(req: IncomingMessage, form: URLSearchParams): [string | undefined, string | undefined] {
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Basic ')) {
    const [id = '', secret = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    return [decodeURIComponent(id), decodeURIComponent(secret)];
  }
  return [form.get('client_id') ?? undefined, form.get('client_secret') ?? undefined];
}
