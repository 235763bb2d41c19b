import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

type Handler = (event: unknown, context?: { awsRequestId: string }) => Promise<unknown>;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Lambda's asynchronous invocation, compressed in time: the first try and two retries on a throw,
 * then the event lands in the dead-letter queue (returned as false).
 */
export async function deliverAsync(handler: Handler, event: unknown, attempts = 3, delayMs = 100): Promise<boolean> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await handler(event, { awsRequestId: `async-${attempt}` });
      return true;
    } catch {
      if (attempt < attempts) await sleep(delayMs * attempt);
    }
  }
  return false;
}

/** An HTTPS caller that retries 5xx answers, honouring Retry-After up to `maxWaitMs`. */
export async function callWithRetries(
  handler: Handler,
  event: unknown,
  attempts = 10,
  maxWaitMs = 300,
): Promise<APIGatewayProxyStructuredResultV2> {
  let response: APIGatewayProxyStructuredResultV2 = { statusCode: 0 };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    response = (await handler(event, { awsRequestId: `http-${attempt}` })) as APIGatewayProxyStructuredResultV2;
    if ((response.statusCode ?? 0) < 500) return response;
    const retryAfter = Number(response.headers?.['retry-after'] ?? 0) * 1000;
    await sleep(Math.min(maxWaitMs, Math.max(50, retryAfter)));
  }
  return response;
}

/** Runs `tasks` with at most `concurrency` at once, in order of the list. */
export async function runPool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  });
  await Promise.all(workers);
  return results;
}
