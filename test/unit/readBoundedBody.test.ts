import { describe, expect, it } from 'vitest';
import { readBoundedBody } from '../../functions/core/idp/readBoundedBody.js';
import { chunkedBody, endlessBody, stalledBody } from '../helpers/misbehavingBodies.js';

const CAP = 256 * 1024;

describe('readBoundedBody', () => {
  it('reads a body under the cap whole, multi-byte characters split across chunks included', async () => {
    // Prepare
    const text = JSON.stringify({ client_id: 'c1', client_name: 'Zürich – 東京 🚀'.repeat(50) });
    const controller = new AbortController();

    // Act
    const body = await readBoundedBody(new Response(chunkedBody(text, 7)), { maxBytes: CAP, controller });

    // Assess
    expect(body).toEqual({ tooLarge: false, text, bytesRead: Buffer.byteLength(text) });
    expect(controller.signal.aborted).toBe(false);
  });

  it('accepts a body of exactly the cap and refuses one byte more', async () => {
    const exact = await readBoundedBody(new Response(chunkedBody('a'.repeat(1024), 100)), {
      maxBytes: 1024,
      controller: new AbortController(),
    });
    const over = await readBoundedBody(new Response(chunkedBody('a'.repeat(1025), 100)), {
      maxBytes: 1024,
      controller: new AbortController(),
    });
    expect(exact).toMatchObject({ tooLarge: false, bytesRead: 1024 });
    expect(over).toEqual({ tooLarge: true, bytesRead: 1025 });
  });

  it('refuses a declared Content-Length over the cap without reading a byte, and aborts the request', async () => {
    // Prepare
    const body = endlessBody();
    const controller = new AbortController();
    const response = new Response(body.stream, { headers: { 'content-length': String(50 * 1024 * 1024) } });

    // Act
    const result = await readBoundedBody(response, { maxBytes: CAP, controller });

    // Assess
    expect(result).toEqual({ tooLarge: true, bytesRead: 0 });
    expect(body.bytesPulled).toBe(0);
    expect(body.cancelled).toBe(true);
    expect(controller.signal.aborted).toBe(true);
  });

  it('stops an endless body one chunk past the cap: the stream is cancelled and the request aborted', async () => {
    // Prepare
    const body = endlessBody(16 * 1024);
    const controller = new AbortController();

    // Act
    const result = await readBoundedBody(new Response(body.stream), { maxBytes: CAP, controller });

    // Assess
    expect(result).toEqual({ tooLarge: true, bytesRead: CAP + 16 * 1024 });
    expect(body.bytesPulled).toBeLessThanOrEqual(CAP + 2 * 16 * 1024);
    expect(body.cancelled).toBe(true);
    expect(controller.signal.aborted).toBe(true);
  });

  it("ends a stalled body when the deadline fires, with the deadline's reason, whatever fetch does with its signal", async () => {
    // Prepare: the deadline fires as soon as the reader waits for a chunk that never comes
    const deadline = new AbortController();
    const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const body = stalledBody('{"client_id":"c', () => queueMicrotask(() => deadline.abort(reason)));
    const controller = new AbortController();

    // Act
    const attempt = readBoundedBody(new Response(body.stream), { maxBytes: CAP, controller, signal: deadline.signal });

    // Assess
    await expect(attempt).rejects.toBe(reason);
    expect(body.cancelled).toBe(true);
    expect(controller.signal.aborted).toBe(true);
  });

  it('does not start reading when the deadline has already passed', async () => {
    const deadline = new AbortController();
    deadline.abort(new Error('late'));
    const body = endlessBody();
    await expect(
      readBoundedBody(new Response(body.stream), { maxBytes: CAP, controller: new AbortController(), signal: deadline.signal }),
    ).rejects.toThrow('late');
    expect(body.bytesPulled).toBe(0);
  });

  it('reads an empty body as empty text', async () => {
    expect(await readBoundedBody(new Response(null, { status: 204 }), { maxBytes: CAP, controller: new AbortController() })).toEqual({
      tooLarge: false,
      text: '',
      bytesRead: 0,
    });
  });
});
