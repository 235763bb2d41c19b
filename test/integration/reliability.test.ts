import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgeEvent, httpApiEvent } from '../../sandbox/lambdaEvents.js';
import type { FaultProxy } from '../helpers/faultProxy.js';
import { callWithRetries, deliverAsync, runPool } from '../helpers/lambdaDelivery.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type ProxiedEnvironment, startProxiedEnvironment } from '../helpers/proxiedEnvironment.js';
import { takeCensus } from '../helpers/secretCensus.js';

const TENANTS = 500;
const CONCURRENCY = 20;
const FAULT_RATE = 0.2;
const SEED = Number(process.env.FAULT_SEED ?? 20261123);

let env: ProxiedEnvironment;
const responses: string[] = [];

beforeAll(async () => {
  env = await startProxiedEnvironment({
    // A stall outlasts the client's timeout (IDP_TIMEOUT_MS / AWS_REQUEST_TIMEOUT_MS below).
    faults: { rate: FAULT_RATE, seed: SEED, kinds: ['429', '500', '503', 'reset', 'stall'], stallMs: 4_000 },
    functionEnv: {
      // Generous against a loaded machine: a genuine answer slower than this is an ambiguous outcome
      // (the client may exist), which is what orphans a client; injected stalls still time out.
      IDP_TIMEOUT_MS: '3000',
      IDP_RETRY_BUDGET_MS: '8000',
      AWS_REQUEST_TIMEOUT_MS: '1500',
      AWS_MAX_ATTEMPTS: '4',
      CLAIM_WAIT_MS: '2000',
      // Longer than any one invocation can last with the budgets above, as the function timeout is in AWS.
      CLAIM_STALE_SECONDS: '60',
    },
  });
});

afterAll(async () => {
  await env?.close();
});

describe('exactly one client per tenant under faults and duplicates', () => {
  it(`onboards ${TENANTS} tenants through ~${FAULT_RATE * 100} % injected faults with 0 lost, 0 doubled, 0 orphaned`, async () => {
    // Prepare: every tenant once, half by HTTP and half by event; every 10th delivered twice,
    // alternately at the same moment (adjacent in the pool) and again at the end.
    const tenants = Array.from({ length: TENANTS }, (_, i) => `t-${String(i).padStart(4, '0')}`);
    const deliveries: { tenant: string; via: 'http' | 'event' }[] = [];
    const late: typeof deliveries = [];
    tenants.forEach((tenant, i) => {
      const via = i % 2 === 0 ? 'http' : 'event';
      deliveries.push({ tenant, via });
      if (i % 10 === 0) (i % 20 === 0 ? deliveries : late).push({ tenant, via: via === 'http' ? 'event' : 'http' });
    });
    deliveries.push(...late);
    const deadLetters: string[] = [];
    const httpStatuses = new Map<number, number>();
    const { handler, idp, idpProxy, motoProxy } = env;
    const deliver = async ({ tenant, via }: { tenant: string; via: 'http' | 'event' }) => {
      const detail = { tenantId: tenant, client: { client_name: `tenant ${tenant}` } };
      if (via === 'event') {
        if (!(await deliverAsync(handler, eventBridgeEvent('TenantOnboarded', detail)))) deadLetters.push(tenant);
        return;
      }
      const response = await callWithRetries(
        handler,
        httpApiEvent({ method: 'POST', path: '/registrations', body: JSON.stringify(detail) }),
      );
      responses.push(JSON.stringify(response));
      httpStatuses.set(response.statusCode ?? 0, (httpStatuses.get(response.statusCode ?? 0) ?? 0) + 1);
    };
    const started = performance.now();

    // Act: the run, then an operator's redrive of the dead-letter queue (as many rounds as needed, at most 5)
    await runPool(
      deliveries.map((delivery) => () => deliver(delivery)),
      CONCURRENCY,
    );
    const deadLettered = deadLetters.length;
    let redriveRounds = 0;
    while (deadLetters.length && redriveRounds < 5) {
      redriveRounds++;
      const batch = deadLetters.splice(0);
      await runPool(
        batch.map((tenant) => () => deliver({ tenant, via: 'event' })),
        CONCURRENCY,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const census = await takeCensus(env.direct, `${env.prefix}clients/`, idp, tenants);

    // Assess
    const faults = (proxy: FaultProxy) =>
      Object.entries(proxy.counts)
        .filter(([k]) => k !== 'forwarded')
        .reduce((n, [, v]) => n + v, 0);
    const total = (proxy: FaultProxy) => faults(proxy) + proxy.counts.forwarded;
    console.log(
      [
        `reliability run (seed ${SEED}): ${deliveries.length} deliveries for ${TENANTS} tenants, concurrency ${CONCURRENCY}, ${seconds.toFixed(1)} s`,
        `  identity provider requests ${total(idpProxy)}, faults ${faults(idpProxy)} ${JSON.stringify(idpProxy.counts)}`,
        `  AWS requests ${total(motoProxy)}, faults ${faults(motoProxy)} ${JSON.stringify(motoProxy.counts)}`,
        `  HTTP final statuses ${JSON.stringify(Object.fromEntries(httpStatuses))}; events dead-lettered ${deadLettered}, redrive rounds ${redriveRounds}`,
        `  secrets ${census.secrets}, clients at the provider ${census.clients}`,
        `  tenants without a secret: ${census.tenantsWithoutSecret.length}`,
        `  tenants with two clients: ${census.tenantsWithTwoClients.length}`,
        `  clients without a secret: ${census.clientsWithoutSecret.length}`,
        `  pending claims left: ${census.pendingClaims.length}`,
      ].join('\n'),
    );
    // A failed run says why: the function's log lines of every tenant the census flags (bounded).
    const flagged = [...census.tenantsWithoutSecret, ...census.tenantsWithTwoClients, ...census.pendingClaims];
    if (flagged.length) {
      const quoted = flagged.map((tenant) => `"${tenant}"`);
      console.log(
        env.logs
          .filter((line) => quoted.some((tenant) => line.includes(tenant)))
          .slice(0, 200)
          .join('\n'),
      );
    }
    expect(faults(idpProxy) / total(idpProxy)).toBeGreaterThan(0.15);
    expect(faults(motoProxy) / total(motoProxy)).toBeGreaterThan(0.15);
    expect(census.tenantsWithoutSecret).toEqual([]);
    expect(census.tenantsWithTwoClients).toEqual([]);
    expect(census.clientsWithoutSecret).toEqual([]);
    expect(census.pendingClaims).toEqual([]);
    expect(census.clients).toBe(TENANTS);
    expect([...httpStatuses.keys()].every((status) => status === 200 || status === 201)).toBe(true);

    // No secret value reached a log line or a response during the whole run.
    expect(leakedSecrets([...env.logs, ...responses], idp.issuedSecrets).length).toBe(0);
    expect(idp.issuedSecrets.length).toBeGreaterThanOrEqual(TENANTS * 2);
  }, 240_000);
});
