/**
 * One cold start, in a fresh process (bundled into a temp dir): import a bundle — the function's
 * production bundle or the SDK-only baseline — and time its init (the module scope, what Lambda runs in
 * the INIT phase), then, for kind `handler` or `baseline`, the first invocation. Reports through IPC.
 */
import { httpApiEvent } from '../sandbox/lambdaEvents.js';

export interface ColdReport {
  /** Process start to the line before the import (node bootstrap), ms. */
  bootMs: number;
  /** Import of the bundle including its module scope, ms. */
  initMs: number;
  /** First invocation after init: config load, IAT read, registration, secret writes, ms. */
  firstMs: number;
  cpuMs: number;
  rssBytes: number;
}

const bootMs = performance.now();
const [bundle = '', kind = '', tenantId = ''] = process.argv.slice(2);
const start = performance.now();
const mod = (await import(bundle)) as {
  handler?: (event: unknown) => Promise<{ statusCode?: number; body?: string }>;
  registerRaw?: (tenantId: string) => Promise<string>;
};
const initMs = performance.now() - start;
const invoked = performance.now();
if (kind === 'handler') {
  const result = await mod.handler?.(
    httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify({ tenantId, client: { client_name: tenantId } }) }),
  );
  if (result?.statusCode !== 201) throw new Error(`first invocation answered ${result?.statusCode}: ${result?.body}`);
} else if (kind === 'baseline') {
  await mod.registerRaw?.(tenantId);
}
const firstMs = performance.now() - invoked;
const cpu = process.cpuUsage();
const report: ColdReport = { bootMs, initMs, firstMs, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage.rss() };
process.send?.(report, () => process.exit(0));
