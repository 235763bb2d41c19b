import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { MALFORMED_REGISTRATIONS } from './malformedRegistrations.js';

/** What the peer managed to hand to the kernel for one answer, and whether the client hung up first. */
export interface StreamRecord {
  bytesFlushed: number;
  /** True when the whole body was sent; false when the socket closed before. */
  finished: boolean;
  /** Resolves when the peer has seen the response close (finished or cut off). */
  closed: Promise<void>;
}

export interface MisbehavingProvider {
  /** Base URL on 127.0.0.1. Paths:
   * - `/stream/{id}?bytes=N[&status=S][&declare=1]`: N bytes of JSON-ish filler, chunked (or with a
   *   declared Content-Length), written with backpressure so the peer itself never buffers much;
   * - `/gzip/{id}?bytes=N`: N zero bytes, gzip-encoded on the fly (a decompression bomb: ~1000:1);
   * - `/drip/{id}`: the start of a 201 and then one byte every 20 ms, at most for 30 s;
   * - `/answer/{index}`: 201 with MALFORMED_REGISTRATIONS[index].body. */
  url: string;
  streams: Map<string, StreamRecord>;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const MAX_DRIP_MS = 30_000;

/** A local identity provider that misbehaves on purpose, one way per path (issue 13's misbehaving peers). */
export async function startMisbehavingProvider(): Promise<MisbehavingProvider> {
  const streams = new Map<string, StreamRecord>();
  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://peer');
    const [, kind, id = ''] = url.pathname.split('/');
    if (kind === 'stream') return stream(res, id, url.searchParams, streams);
    if (kind === 'gzip') return gzip(res, id, Number(url.searchParams.get('bytes') ?? 0), streams);
    if (kind === 'drip') return drip(res, id, streams);
    if (kind === 'answer') return answer(res, Number(id));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function track(res: ServerResponse, id: string, streams: Map<string, StreamRecord>): StreamRecord {
  const record: StreamRecord = { bytesFlushed: 0, finished: false, closed: new Promise((resolve) => res.once('close', () => resolve())) };
  res.once('finish', () => (record.finished = true));
  streams.set(id, record);
  return record;
}

async function stream(res: ServerResponse, id: string, params: URLSearchParams, streams: Map<string, StreamRecord>): Promise<void> {
  const total = Number(params.get('bytes') ?? 0);
  const record = track(res, id, streams);
  const headers: Record<string, string | number> = { 'content-type': 'application/json' };
  if (params.get('declare')) headers['content-length'] = total;
  res.writeHead(Number(params.get('status') ?? 201), headers);
  let sent = 0;
  while (sent < total && !res.destroyed) {
    const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent));
    sent += chunk.length;
    const flushed = res.write(chunk, (error) => {
      if (!error) record.bytesFlushed += chunk.length;
    });
    if (!flushed) await drainOrClose(res);
  }
  if (!res.destroyed) res.end();
}

function gzip(res: ServerResponse, id: string, total: number, streams: Map<string, StreamRecord>): void {
  const record = track(res, id, streams);
  res.writeHead(201, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  const zeros = Readable.from(
    (function* () {
      const chunk = Buffer.alloc(CHUNK.length);
      for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
    })(),
  );
  const counted = zeros.pipe(createGzip());
  counted.on('data', (chunk: Buffer) => (record.bytesFlushed += chunk.length));
  counted.pipe(res);
  res.once('close', () => {
    zeros.destroy();
    counted.destroy();
  });
}

async function drip(res: ServerResponse, id: string, streams: Map<string, StreamRecord>): Promise<void> {
  const record = track(res, id, streams);
  res.writeHead(201, { 'content-type': 'application/json' });
  res.write('{"client_id":"c', () => (record.bytesFlushed += 15));
  const started = Date.now();
  while (!res.destroyed && Date.now() - started < MAX_DRIP_MS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (!res.destroyed) res.write('x', (error) => !error && record.bytesFlushed++);
  }
  if (!res.destroyed) res.end('"}');
}

function answer(res: ServerResponse, index: number): void {
  const variant = MALFORMED_REGISTRATIONS[index];
  if (!variant) return void res.writeHead(404).end();
  res.writeHead(201, { 'content-type': 'application/json' }).end(variant.body);
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
