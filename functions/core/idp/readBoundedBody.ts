/** A body read whole, or the sign that it was larger than allowed (and was not read further). */
export type BoundedBody = { tooLarge: false; text: string; bytesRead: number } | { tooLarge: true; bytesRead: number };

export interface BoundedBodyOptions {
  /** Most bytes accepted; one byte more and the read stops. */
  maxBytes: number;
  /** Aborts the whole exchange (the request and its socket) when the body is too large. */
  controller: AbortController;
  /** The request's deadline: a body still arriving when it fires ends with its reason (a slow drip too). */
  signal?: AbortSignal;
}

/**
 * Reads a response body as UTF-8 text through a byte cap. A `Content-Length` above the cap is refused
 * before reading anything; otherwise chunks are counted as they arrive and, past the cap, the reader is
 * cancelled and the request aborted, so a provider streaming without end costs at most `maxBytes` plus
 * one chunk of memory. The deadline is honoured here too, whatever `fetch` does with its signal.
 */
export async function readBoundedBody(response: Response, options: BoundedBodyOptions): Promise<BoundedBody> {
  const { maxBytes, controller, signal } = options;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discard(response, controller);
    return { tooLarge: true, bytesRead: 0 };
  }
  if (!response.body) return { tooLarge: false, text: '', bytesRead: 0 };

  signal?.throwIfAborted();
  const reader = response.body.getReader();
  const { promise: deadline, stop } = rejectOnAbort(signal);
  const chunks: Uint8Array[] = [];
  let bytesRead = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      bytesRead += value.byteLength;
      if (bytesRead > maxBytes) {
        controller.abort(new Error('response body over the size limit'));
        reader.cancel().catch(() => undefined);
        return { tooLarge: true, bytesRead };
      }
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    controller.abort(error);
    throw error;
  } finally {
    stop();
  }
  return { tooLarge: false, text: new TextDecoder().decode(Buffer.concat(chunks)), bytesRead };
}

async function discard(response: Response, controller: AbortController): Promise<void> {
  controller.abort(new Error('response body over the size limit'));
  await response.body?.cancel().catch(() => undefined);
}

/** A promise that rejects with the signal's reason when it aborts; `stop` detaches the listener. */
function rejectOnAbort(signal: AbortSignal | undefined): { promise: Promise<never>; stop: () => void } {
  if (!signal) return { promise: new Promise<never>(() => undefined), stop: () => undefined };
  let onAbort: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, stop: () => signal.removeEventListener('abort', onAbort) };
}
