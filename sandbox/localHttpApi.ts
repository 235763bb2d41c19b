import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { scrubSecrets } from '../functions/core/logger.js';
import { eventBridgeEvent, httpApiEvent } from './lambdaEvents.js';

/** The Lambda handler as the sandbox calls it: one event in, the function's answer out. */
export type Invoke = (event: unknown) => Promise<unknown>;

export interface LocalHttpApiOptions {
  invoke: Invoke;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Called once per request when the answer is sent, e.g. for an access log line. */
  onResponse?: (entry: { method: string; path: string; status: number; ms: number }) => void;
}

export interface LocalHttpApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

// API Gateway refuses payloads above 10 MB; the function itself refuses far less. 1 MB bounds memory here.
const MAX_BODY_BYTES = 1024 * 1024;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A small stand-in for the function's three triggers on loopback:
 * - any request except the two below becomes an API Gateway HTTP API (payload 2.0) event, and the
 *   function's structured result becomes the HTTP answer, as in AWS;
 * - `POST /events` takes an EventBridge envelope (`detail-type`, `source`, `detail`, optional `id`,
 *   kept as the event id) and delivers it as the rule would;
 * - `POST /canary` takes an optional `{"target": "…"}` and delivers the scheduler's input.
 * For the last two, the function's return value is the body; a thrown error answers 500 with
 * `{"errorType","errorMessage"}` and `x-amz-function-error: Unhandled`, as Lambda's Invoke API does.
 */
export async function startLocalHttpApi(options: LocalHttpApiOptions): Promise<LocalHttpApi> {
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.once('finish', () =>
      options.onResponse?.({ method: req.method ?? 'GET', path, status: res.statusCode, ms: Math.round(performance.now() - started) }),
    );
    route(req, res, options.invoke).catch((error: unknown) => {
      const failure =
        error instanceof HttpFailure ? error : new HttpFailure(500, 'server_error', 'the sandbox could not handle the request');
      send(res, failure.status, { error: failure.code, error_description: failure.message });
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, invoke: Invoke): Promise<void> {
  const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
  const method = (req.method ?? 'GET').toUpperCase();
  const body = await readBody(req);

  if (path === '/events' || path === '/canary') {
    if (method !== 'POST') throw new HttpFailure(405, 'invalid_request', `use POST ${path}`);
    const event = path === '/events' ? eventBridgeEnvelope(body) : canaryInput(body);
    try {
      send(res, 200, (await invoke(event)) ?? null);
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      send(res, 500, { errorType: name, errorMessage: scrubSecrets(message) }, { 'x-amz-function-error': 'Unhandled' });
    }
    return;
  }

  const headers = Object.fromEntries(
    Object.entries(req.headers).flatMap(([key, value]) =>
      value === undefined ? [] : [[key, Array.isArray(value) ? value.join(',') : value]],
    ),
  );
  const event = httpApiEvent({
    method,
    path,
    query,
    headers,
    body: body || undefined,
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
  });
  const result = (await invoke(event)) as APIGatewayProxyStructuredResultV2;
  const responseBody = result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64') : (result.body ?? '');
  res.writeHead(result.statusCode ?? 200, { ...result.headers } as Record<string, string>);
  res.end(responseBody);
}

function eventBridgeEnvelope(body: string): unknown {
  const envelope = parseJson(body) as Record<string, unknown> | null;
  if (typeof envelope !== 'object' || envelope === null || typeof envelope['detail-type'] !== 'string' || !('detail' in envelope)) {
    throw new HttpFailure(400, 'invalid_request', 'expected an EventBridge envelope: {"detail-type","source","detail"}');
  }
  const source = typeof envelope.source === 'string' ? envelope.source : undefined;
  const event = eventBridgeEvent(envelope['detail-type'], envelope.detail, source);
  // The envelope's own id is kept: a redelivered ClientSecretRotationRequested is a no-op by its id.
  return typeof envelope.id === 'string' && envelope.id ? { ...event, id: envelope.id } : event;
}

function canaryInput(body: string): unknown {
  const input = body.trim() ? (parseJson(body) as Record<string, unknown> | null) : {};
  if (typeof input !== 'object' || input === null) throw new HttpFailure(400, 'invalid_request', 'expected {"target"?: "…"}');
  return input.target === undefined ? { action: 'canary' } : { action: 'canary', target: input.target };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpFailure(400, 'invalid_request', 'request body is not valid JSON');
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpFailure(413, 'invalid_request', 'request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}
