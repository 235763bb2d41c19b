/**
 * Response bodies that misbehave on purpose, for unit tests with a fake `fetch`: each records how
 * much of it was pulled and whether the reader cancelled it.
 */
export interface ObservedStream {
  stream: ReadableStream<Uint8Array>;
  /** Bytes handed to the reader so far. */
  readonly bytesPulled: number;
  readonly cancelled: boolean;
}

/** An endless body of `chunkBytes` chunks, bounded at `maxChunks` so a broken reader cannot hang the test. */
export function endlessBody(chunkBytes = 16 * 1024, maxChunks = 10_000): ObservedStream {
  const chunk = new Uint8Array(chunkBytes).fill(0x61);
  const state = { bytesPulled: 0, cancelled: false, chunks: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.chunks++ >= maxChunks) {
          controller.close();
          return;
        }
        state.bytesPulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return observed(stream, state);
}

/**
 * A body that sends `first` and then nothing more, ever (a stalled provider): only the reader's
 * deadline can end it. `onStall` runs when the reader asks for more after the first chunk.
 */
export function stalledBody(first: string, onStall: () => void = () => undefined): ObservedStream {
  const state = { bytesPulled: 0, cancelled: false, pulls: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulls++ === 0) {
          const bytes = new TextEncoder().encode(first);
          state.bytesPulled += bytes.byteLength;
          controller.enqueue(bytes);
          return;
        }
        onStall();
        return new Promise<void>(() => undefined);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return observed(stream, state);
}

/** `text` split into chunks of `size` bytes (multi-byte characters may straddle two chunks). */
export function chunkedBody(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

function observed(stream: ReadableStream<Uint8Array>, state: { bytesPulled: number; cancelled: boolean }): ObservedStream {
  return {
    stream,
    get bytesPulled() {
      return state.bytesPulled;
    },
    get cancelled() {
      return state.cancelled;
    },
  };
}
