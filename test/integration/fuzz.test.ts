import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BODY_BYTES } from '../../functions/core/options.js';
import { eventBridgeEvent, httpApiEvent } from '../../sandbox/lambdaEvents.js';
import { leakedSecrets } from '../helpers/logCapture.js';
import { type RegistrationEnvironment, startRegistrationEnvironment } from '../helpers/registrationEnvironment.js';

let env: RegistrationEnvironment;
let unhandled = 0;
const RUNS = 150;

const totalRequests = () => [...env.salesforce.requests.values(), ...env.rfc7591.requests.values()].reduce((sum, n) => sum + n, 0);

/** Tenant ids that break ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$, and values that are not strings at all. */
const badTenantId = fc.oneof(
  fc.constantFrom('', '.hidden', '-dash', '../etc', 'a/b', 'a b', 'ü', 'x'.repeat(65), 'a\u0000b', '${jndi:x}'),
  fc.string().map((s) => `/${s}`),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const badTarget = fc.oneof(fc.constantFrom('Default', 'nope', '-x', 'a'.repeat(33), 'toString', '__proto__'), fc.integer());
const badClient = fc.oneof(
  fc.constantFrom('string', 42, true),
  fc.record({ redirect_uris: fc.oneof(fc.string(), fc.integer()) }),
  fc.record({ grant_types: fc.array(fc.integer(), { minLength: 1, maxLength: 3 }) }),
  fc.record({ client_name: fc.constantFrom('', 'x'.repeat(300)) }),
);
/** A detail that the schema must refuse: at least one field is wrong. */
const badDetail = fc.oneof(
  fc.record({ tenantId: badTenantId }),
  fc.record({ tenantId: fc.constant('valid-tenant'), target: badTarget }),
  fc.record({ tenantId: fc.constant('valid-tenant'), client: badClient }),
  fc.record({ target: fc.constant('default') }),
  fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 })),
);
const badBody = fc.oneof(
  badDetail.map((detail) => ({ text: JSON.stringify(detail) ?? 'null', base64: false })),
  fc
    .string()
    .filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    })
    .map((text) => ({ text, base64: false })),
  fc.constant({ text: '', base64: false }),
  fc.constant({ text: 'x'.repeat(70_000), base64: false }),
  badDetail.map((detail) => ({ text: Buffer.from(JSON.stringify(detail) ?? '').toString('base64'), base64: true })),
  fc.string().map((text) => ({ text: `%%${text}`, base64: true })),
);
const headers = fc.dictionary(
  fc.constantFrom('content-type', 'authorization', 'x-forwarded-host', 'host', 'x-registration-endpoint'),
  fc.oneof(fc.string(), fc.constantFrom('http://169.254.169.254/', 'application/json', 'text/plain')),
);

const asText = (value: unknown) => (typeof value === 'string' ? value : (JSON.stringify(value) ?? 'x'));

async function invokeCounting(event: unknown): Promise<any> {
  try {
    return await env.invoke(event);
  } catch {
    unhandled++;
    return undefined;
  }
}

beforeAll(async () => {
  env = await startRegistrationEnvironment();
});

afterAll(async () => {
  expect(leakedSecrets([...env.logs, ...env.responses], await env.secretValues())).toEqual([]);
  await env.close();
});

describe('malformed input reaches nothing', () => {
  it(`answers ${RUNS} malformed HTTP requests with 400, calling no provider and writing no secret`, async () => {
    // Prepare
    const requestsBefore = totalRequests();

    // Act + Assess (per generated case)
    await fc.assert(
      fc.asyncProperty(badBody, headers, async (body, extraHeaders) => {
        const event = httpApiEvent({ method: 'POST', path: '/registrations', body: body.text, headers: extraHeaders });
        event.isBase64Encoded = body.base64;
        const response = await invokeCounting(event);
        const answer = JSON.parse(response?.body ?? '{}');
        if (Buffer.byteLength(body.text, body.base64 ? 'base64' : 'utf8') > MAX_REQUEST_BODY_BYTES) {
          expect([response?.statusCode, answer.error]).toEqual([413, 'payload_too_large']);
          return;
        }
        expect(response?.statusCode).toBe(400);
        // A wrong field in `client` is refused by the target's metadata policy, the rest by the schema.
        expect(['invalid_request', 'invalid_client_metadata']).toContain(answer.error);
      }),
      { numRuns: RUNS, seed: 20261123 },
    );
    await fc.assert(
      fc.asyncProperty(badTarget.map(asText), badTenantId.map(asText), async (target, tenant) => {
        const path = `/registrations/${encodeURIComponent(target)}/${encodeURIComponent(tenant)}`;
        const response = await invokeCounting(httpApiEvent({ method: 'GET', path }));
        expect([400, 404]).toContain(response?.statusCode);
      }),
      { numRuns: 50, seed: 7 },
    );

    // Assess (whole run)
    expect(unhandled).toBe(0);
    expect(totalRequests()).toBe(requestsBefore);
    const written = await env.secretsClient.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [env.prefix] }] }));
    expect(written.SecretList ?? []).toEqual([]);
  });

  it(`drops ${RUNS} malformed events with a log line, throwing nothing`, async () => {
    // Prepare
    const requestsBefore = totalRequests();
    const anyEvent = fc.oneof(
      badDetail.map((detail) => eventBridgeEvent('TenantOnboarded', detail)),
      fc.string().map((type) => eventBridgeEvent(type, { tenantId: 'valid-tenant' })),
      // Secrets Manager rotation events with a bad token or step (the function refuses to rotate on them).
      fc.record({
        SecretId: fc.string(),
        ClientRequestToken: fc.string({ maxLength: 31 }),
        Step: fc.constantFrom('createSecret', 'finishSecret'),
      }),
      fc.record({ SecretId: fc.string(), ClientRequestToken: fc.uuid(), Step: fc.string().filter((step) => !step.endsWith('Secret')) }),
      fc.dictionary(fc.string(), fc.anything(), { maxKeys: 4 }),
      fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.array(fc.anything(), { maxLength: 2 })),
    );

    // Act + Assess (per generated case)
    await fc.assert(
      fc.asyncProperty(anyEvent, async (event) => {
        const linesBefore = env.logs.length;
        const outcome = await invokeCounting(event);
        if (outcome?.statusCode !== undefined) {
          // A random object that happens to look like an HTTP event is answered as one.
          expect(outcome.statusCode).toBeGreaterThanOrEqual(400);
          return;
        }
        // A detail whose `client` breaks the target's metadata policy fails terminally (not retried).
        expect([{ status: 'dropped' }, { status: 'failed', error: 'invalid_client_metadata' }]).toContainEqual(
          outcome?.status === 'failed' ? outcome : { status: outcome?.status },
        );
        expect(env.logs.length).toBeGreaterThan(linesBefore);
      }),
      { numRuns: RUNS, seed: 20261124 },
    );

    // Assess (whole run)
    expect(unhandled).toBe(0);
    expect(totalRequests()).toBe(requestsBefore);
  });

  it('fails on every malformed canary schedule input (it is configuration: the invocation must alarm), calling nothing', async () => {
    // Prepare
    const requestsBefore = totalRequests();
    const badSchedule = fc.oneof(
      fc.record({ action: fc.oneof(fc.string(), fc.integer()), target: fc.string() }),
      fc.record({ action: fc.constant('canary'), target: badTarget }),
    );

    // Act + Assess (per generated case)
    await fc.assert(
      fc.asyncProperty(badSchedule, async (event) => {
        await expect(env.invoke(event)).rejects.toMatchObject({ code: expect.stringMatching(/^(invalid_request|server_error)$/) });
      }),
      { numRuns: 50, seed: 20261124 },
    );
    expect(totalRequests()).toBe(requestsBefore);
  });
});
