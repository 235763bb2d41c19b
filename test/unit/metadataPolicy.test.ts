import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMetadataPolicy, assertRecordFits, fieldLabel, type MetadataPolicy } from '../../functions/core/config/metadataPolicy.js';
import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import { CALLER_SETTABLE_FIELDS } from '../../functions/core/config/targetConfig.js';
import { InvalidClientMetadataError, PayloadTooLargeError } from '../../functions/core/errors.js';
import { MAX_REQUEST_BODY_BYTES, MAX_SECRET_BYTES, RESERVED_RECORD_BYTES } from '../../functions/core/options.js';
import { Logger } from '../../functions/core/logger.js';
import type { UseCaseDependencies } from '../../functions/core/useCases/dependencies.js';
import { registerTenant } from '../../functions/core/useCases/registerTenant.js';
import { anyClient, GUARDED, hostileValue, validCase } from '../helpers/metadataArbitraries.js';

const RUNS = 1000;
/** Generated `client` objects handed to the policy, per property (reported in afterAll). */
const tried: Record<string, number> = {};
const count = (property: string) => {
  tried[property] = (tried[property] ?? 0) + 1;
};

function attempt(target: MetadataPolicy, client: unknown) {
  try {
    return { result: applyMetadataPolicy(target, client) as Record<string, unknown> };
  } catch (error) {
    return { error };
  }
}

const pinnedOf = (target: MetadataPolicy) =>
  Object.entries(target.clientMetadata).filter(([field]) => !(target.callerMetadata as string[]).includes(field));

afterAll(() => {
  const total = Object.values(tried).reduce((sum, n) => sum + n, 0);
  console.info(`metadataPolicy: ${total} generated client objects tried`, tried);
});

describe('applyMetadataPolicy (properties)', () => {
  it('(a) refuses any field the target does not open, naming it', () => {
    const foreignCase = validCase.chain(({ target, client }) =>
      fc.record({
        target: fc.constant(target),
        client: fc.constant(client),
        key: fc
          .oneof(
            fc.constantFrom(...GUARDED, 'scope', 'response_types', 'software_statement', '__proto__', 'constructor'),
            fc.constantFrom(...CALLER_SETTABLE_FIELDS),
            fc.string({ maxLength: 80 }),
          )
          .filter((key) => !(target.callerMetadata as string[]).includes(key)),
        value: hostileValue,
        position: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(foreignCase, ({ target, client, key, value, position }) => {
        const entries: [string, unknown][] = Object.entries(client);
        entries.splice(position % (entries.length + 1), 0, [key, value]);
        count('a');
        const { error } = attempt(target, Object.fromEntries(entries));
        expect(error).toBeInstanceOf(InvalidClientMetadataError);
        expect((error as InvalidClientMetadataError).code).toBe('invalid_client_metadata');
        expect((error as Error).message).toContain(fieldLabel(key));
      }),
      { numRuns: RUNS, seed: 13_001 },
    );
  });

  it('(b) keeps every pinned field with the pinned value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyClient, ({ target, client }) => {
        count('b');
        const { result } = attempt(target, client);
        if (!result) return;
        accepted++;
        for (const [field, value] of pinnedOf(target)) expect(result[field]).toEqual(value);
      }),
      { numRuns: RUNS, seed: 13_002 },
    );
    expect(accepted).toBeGreaterThan(RUNS / 10);
  });

  it("(c) never yields token_endpoint_auth_method, jwks, jwks_uri or grant_types other than the target's", () => {
    fc.assert(
      fc.property(anyClient, ({ target, client }) => {
        count('c');
        const { result } = attempt(target, client);
        if (!result) return;
        for (const field of GUARDED) expect(result[field]).toEqual((target.clientMetadata as Record<string, unknown>)[field]);
      }),
      { numRuns: RUNS, seed: 13_003 },
    );
  });

  it('(d) yields only redirect_uris on an allowed origin (or the pinned ones), as any parser reads them', () => {
    let callerRedirects = 0;
    fc.assert(
      fc.property(anyClient, ({ target, client }) => {
        count('d');
        const { result } = attempt(target, client);
        if (!result?.redirect_uris || result.redirect_uris === target.clientMetadata.redirect_uris) return;
        if ((result.redirect_uris as string[]).length) callerRedirects++;
        for (const uri of result.redirect_uris as string[]) {
          expect(target.allowedRedirectOrigins).toContain(new URL(uri).origin);
          // A naive reading (scheme://authority up to the first / ? #) names the same origin.
          expect(target.allowedRedirectOrigins).toContain(/^[a-z]+:\/\/[^/?#]*/.exec(uri)?.[0]);
        }
      }),
      { numRuns: RUNS, seed: 13_004 },
    );
    expect(callerRedirects).toBeGreaterThan(0);
  });

  it("(e) passes valid input through unchanged, over the target's metadata", () => {
    fc.assert(
      fc.property(validCase, ({ target, client }) => {
        count('e');
        const before = structuredClone(client);
        const result = applyMetadataPolicy(target, client);
        expect(result).toEqual({ ...target.clientMetadata, ...before });
        expect(client).toEqual(before);
      }),
      { numRuns: RUNS, seed: 13_005 },
    );
  });
});

describe('applyMetadataPolicy (examples)', () => {
  const target: MetadataPolicy = {
    clientMetadata: {
      client_name: 'Acme integration',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    callerMetadata: ['client_name', 'contacts', 'redirect_uris', 'logo_uri', 'software_version'],
    allowedRedirectOrigins: ['https://app.example.com'],
  };
  const refusal = (client: unknown, t: MetadataPolicy = target) => {
    count('examples');
    const { error } = attempt(t, client);
    return error instanceof InvalidClientMetadataError ? error.message : `accepted or other: ${String(error)}`;
  };

  it("lets a caller replace a default it may set, and keeps the target's metadata otherwise", () => {
    // Act
    const result = applyMetadataPolicy(target, { client_name: 'Tenant 7' });

    // Assess
    expect(result).toEqual({ ...target.clientMetadata, client_name: 'Tenant 7' });
    expect(applyMetadataPolicy(target, undefined)).toEqual(target.clientMetadata);
  });

  it.each([
    ['an array', ['client_name']],
    ['null', null],
    ['a string', 'client_name=x'],
    ['an object with a prototype', new URL('https://x.example')],
  ])('refuses a client that is %s', (_, client) => {
    expect(refusal(client)).toBe('client must be a JSON object');
  });

  it.each([
    ['client_name', 'empty', ''],
    ['client_name', 'blank', '   '],
    ['client_name', '256 characters', 'x'.repeat(256)],
    ['client_name', 'with a bidi override', 'Good\u202Eevil'],
    ['client_name', 'with a line break', 'line\r\nInjected: yes'],
    ['client_name', 'a number', 42],
    ['contacts', 'a string', 'ops@example.com'],
    ['contacts', 'not an email', ['not an email']],
    ['contacts', 'with a nested object', ['a@b.example', { nested: true }]],
    ['contacts', '21 entries', Array.from({ length: 21 }, (_, i) => `c${i}@example.com`)],
    [
      'contacts',
      'an email over 320 characters',
      [`${'a'.repeat(64)}@${Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.')}.example`],
    ],
    ['redirect_uris', 'on a foreign origin', ['https://evil.example/cb']],
    ['redirect_uris', 'with a fragment', ['https://app.example.com/cb#frag']],
    ['redirect_uris', 'over 2048 characters', [`https://app.example.com/${'p'.repeat(2048)}`]],
    ['redirect_uris', '21 entries', Array.from({ length: 21 }, (_, i) => `https://app.example.com/${i}`)],
    ['logo_uri', 'http', 'http://cdn.example.com/logo.png'],
    ['logo_uri', 'with credentials', 'https://user:pw@cdn.example.com/logo.png'],
    ['logo_uri', 'a data: URL', 'data:image/png;base64,AAAA'],
    ['software_version', '65 characters', 'v'.repeat(65)],
  ])('refuses client.%s %s, naming the field', (field, _, value) => {
    expect(refusal({ [field]: value })).toMatch(new RegExp(`^client\\.${field}`));
  });

  it('refuses every caller redirect when the target lists no allowed origins', () => {
    expect(refusal({ redirect_uris: ['https://app.example.com/cb'] }, { ...target, allowedRedirectOrigins: [] })).toContain(
      'lists no allowedRedirectOrigins',
    );
  });

  it('accepts a loopback http redirect only on an allowed loopback origin', () => {
    const loopback = { ...target, allowedRedirectOrigins: ['http://127.0.0.1:8080'] };
    expect(applyMetadataPolicy(loopback, { redirect_uris: ['http://127.0.0.1:8080/cb'] }).redirect_uris).toEqual([
      'http://127.0.0.1:8080/cb',
    ]);
    expect(refusal({ redirect_uris: ['http://127.0.0.1:9090/cb'] }, loopback)).toContain('not on an origin');
  });

  it('names at most five foreign fields, quoted and escaped', () => {
    const client = Object.fromEntries(['jwks', 'scope', 'a\nb', 'x'.repeat(100), 'e', 'f', 'g'].map((k) => [k, 1]));
    const message = refusal(client);
    expect(message).toContain('"jwks", "scope", "a\\nb"');
    expect(message).toContain('and 2 more');
    expect(message).not.toContain('x'.repeat(65));
  });

  it('refuses caller metadata larger than the request cap with 413', () => {
    // Prepare: 20 redirect URIs of ~2000 characters each, every one valid on its own
    const client = { redirect_uris: Array.from({ length: 20 }, (_, i) => `https://app.example.com/${i}/${'p'.repeat(1990)}`) };

    // Act + Assess
    count('examples');
    expect(() => applyMetadataPolicy(target, client)).toThrow(PayloadTooLargeError);
    expect(JSON.stringify(client).length).toBeGreaterThan(MAX_REQUEST_BODY_BYTES);
  });
});

describe('assertRecordFits', () => {
  const sized = (bytes: number) => ({ client_name: 'x'.repeat(bytes - '{"client_name":""}'.length) });

  it("accepts metadata up to the room left beside the provider's answer, and refuses one byte more", () => {
    const room = MAX_SECRET_BYTES - RESERVED_RECORD_BYTES;
    expect(() => assertRecordFits(sized(room))).not.toThrow();
    expect(() => assertRecordFits(sized(room + 1))).toThrow(InvalidClientMetadataError);
  });

  it("is applied to the target's own metadata too, before anything is registered", () => {
    const huge = {
      clientMetadata: { tos_uri: `https://x.example/${'t'.repeat(MAX_SECRET_BYTES)}` },
      callerMetadata: [],
      allowedRedirectOrigins: [],
    };
    expect(() => applyMetadataPolicy(huge, undefined)).toThrow(/Secrets Manager/);
  });
});

describe('registerTenant applies the policy first', () => {
  it('refuses foreign metadata before any secret read, claim or provider call', async () => {
    // Prepare: every port records a call and fails it
    const touched: string[] = [];
    const port = (name: string) =>
      new Proxy(
        {},
        {
          get: (_, method) => () => {
            touched.push(`${name}.${String(method)}`);
            throw new Error(`${name} must not be called`);
          },
        },
      );
    const deps = {
      config: serviceConfigSchema().parse({
        secretNamePrefix: 'dcr/',
        defaultTarget: 'default',
        targets: {
          default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/reg', initialAccessTokenSecretId: 'iat' },
        },
      }),
      secrets: port('secrets'),
      idp: port('idp'),
      registrationCredentials: port('registrationCredentials'),
      logger: new Logger({ sink: () => {} }),
      events: { publish: async (type: string) => void touched.push(`events.${type}`) },
    } as unknown as UseCaseDependencies;

    // Act
    const outcome = registerTenant({ tenantId: 'acme', client: { token_endpoint_auth_method: 'none' } }, deps);

    // Assess
    await expect(outcome).rejects.toThrow(/"token_endpoint_auth_method" may not be set/);
    expect(touched).toEqual(['events.ClientRegistrationFailed']);
  });
});
