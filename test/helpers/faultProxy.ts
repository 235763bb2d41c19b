import { Agent, createServer, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultKind = '429' | '500' | '503' | 'reset' | 'stall';
/**
 * `lost`: forwarded to the upstream, which acts on it, but the answer never reaches the client.
 * `validation`: a 400 the upstream's protocol uses for a request it will never accept (AWS ValidationException).
 */
export type RuleFault = FaultKind | 'lost' | 'validation';

export interface FaultPlan {
  /** Share of requests that get a fault, 0..1. */
  rate: number;
  /** Seed of the deterministic schedule. */
  seed: number;
  kinds: FaultKind[];
  /** How long a stalled request is held before its socket is destroyed; longer than the client's timeout. */
  stallMs: number;
  /** Body and headers of an injected error status, in the upstream's protocol. */
  errorResponse: (status: number) => { body: string; headers: Record<string, string> };
}

export interface FaultProxy {
  url: string;
  /** Requests by outcome: 'forwarded' or a fault kind. */
  counts: Record<RuleFault | 'forwarded', number>;
  enabled: boolean;
  /** A deterministic override, asked first for every request: return a fault to inject it. */
  rule?: (req: IncomingMessage, body: string) => RuleFault | undefined;
  close(): Promise<void>;
}

/** mulberry32: a small, seeded PRNG so a failing schedule can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An HTTP proxy on loopback that, by a seeded schedule, answers an error status, resets the connection
 * or stalls past the client's timeout instead of forwarding. Every scheduled fault happens before the
 * request reaches the upstream, so the upstream never acts on a request whose answer was lost (only an
 * explicit `lost` rule does that). The Host header
 * is kept, so URLs the upstream builds from it point back through the proxy.
 */
export async function startFaultProxy(upstream: string, plan: FaultPlan): Promise<FaultProxy> {
  const target = new URL(upstream);
  const random = seededRandom(plan.seed);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const counts: FaultProxy['counts'] = { forwarded: 0, '429': 0, '500': 0, '503': 0, reset: 0, stall: 0, lost: 0, validation: 0 };
  const proxy: FaultProxy = { url: '', counts, enabled: true, close: async () => {} };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const fault =
        proxy.rule?.(req, body.toString()) ??
        (proxy.enabled && random() < plan.rate ? plan.kinds[Math.floor(random() * plan.kinds.length)] : undefined);
      counts[fault ?? 'forwarded'] += 1;
      if (!fault) return forward(req, res, body);
      if (fault === 'lost') return forward(req, res, body, true);
      if (fault === 'reset') return req.socket.destroy();
      if (fault === 'stall') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          req.socket.destroy();
        }, plan.stallMs);
        timers.add(timer);
        return;
      }
      const status = fault === 'validation' ? 400 : Number(fault);
      const answer = plan.errorResponse(status);
      res.writeHead(status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) }).end(answer.body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer, loseAnswer = false) {
    const upstreamRequest = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (upstreamResponse) => {
        if (loseAnswer) {
          upstreamResponse.resume();
          upstreamResponse.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', () => res.destroy());
    upstreamRequest.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      server.close(() => resolve());
    });
  return proxy;
}

/** Error bodies as AWS JSON-protocol services send them, so the SDK classifies them as it would in AWS. */
export function awsErrorResponse(status: number) {
  const type =
    status === 400
      ? 'ValidationException'
      : status === 429
        ? 'ThrottlingException'
        : status === 503
          ? 'ServiceUnavailable'
          : 'InternalFailure';
  return {
    body: JSON.stringify({ __type: type, message: 'injected fault' }),
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
  };
}

/** OAuth-style error bodies; 429 and 503 carry a short Retry-After. */
export function oauthErrorResponse(status: number) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status !== 500) headers['retry-after'] = '1';
  return { body: JSON.stringify({ error: status === 500 ? 'server_error' : 'temporarily_unavailable' }), headers };
}
