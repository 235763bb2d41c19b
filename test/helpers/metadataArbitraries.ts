import fc from 'fast-check';
import type { MetadataPolicy } from '../../functions/core/config/metadataPolicy.js';
import { CALLER_SETTABLE_FIELDS, type CallerSettableField } from '../../functions/core/config/targetConfig.js';

// Generators of targets and caller `client` objects for the metadata policy's property tests.

const ORIGINS = ['https://app.example.com', 'https://b.example.org:8443', 'http://127.0.0.1:8080', 'http://localhost:3000'];
/** What a caller may never change, whatever the target opens. */
export const GUARDED = ['token_endpoint_auth_method', 'jwks', 'jwks_uri', 'grant_types'] as const;

const printable = (min: number, max: number) =>
  fc
    .string({ minLength: min, maxLength: max, unit: 'grapheme' })
    .filter(
      (s) =>
        s.length >= min &&
        s.length <= max &&
        s.trim().length > 0 &&
        !/[\p{Cc}\p{Cs}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(s),
    );

const pinnedMetadata = fc.record(
  {
    client_name: fc.constant('Pinned name'),
    contacts: fc.constant(['ops@example.com']),
    redirect_uris: fc.constant(['https://pinned.example.com/cb']),
    token_endpoint_auth_method: fc.constantFrom('client_secret_basic', 'private_key_jwt'),
    grant_types: fc.constant(['client_credentials']),
    jwks_uri: fc.constant('https://keys.example.com/jwks'),
    jwks: fc.constant({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] }),
    scope: fc.constant('api'),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<MetadataPolicy['clientMetadata']>;

const targetArb: fc.Arbitrary<MetadataPolicy> = fc.record({
  clientMetadata: pinnedMetadata,
  callerMetadata: fc.subarray([...CALLER_SETTABLE_FIELDS]),
  allowedRedirectOrigins: fc.subarray(ORIGINS),
});

const httpsUrl = fc.webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true }).filter((u) => u.length <= 2048);

function validValue(field: CallerSettableField, target: MetadataPolicy): fc.Arbitrary<unknown> {
  switch (field) {
    case 'client_name':
      return printable(1, 255);
    case 'software_version':
      return printable(1, 64);
    case 'contacts':
      return fc.array(
        fc.emailAddress().filter((e) => e.length <= 320),
        { maxLength: 20 },
      );
    case 'redirect_uris':
      return fc.array(
        fc
          .tuple(fc.constantFrom(...target.allowedRedirectOrigins), fc.webPath(), fc.option(fc.webQueryParameters(), { nil: undefined }))
          .map(([origin, path, query]) => `${origin}${path}${query === undefined ? '' : `?${query}`}`)
          .filter((u) => u.length <= 2048),
        { maxLength: 5 },
      );
    default:
      return httpsUrl;
  }
}

/** A target and a `client` that only sets fields the target opens, each with a valid value. */
export const validCase = targetArb.chain((target) => {
  const fields = target.callerMetadata.filter((f) => f !== 'redirect_uris' || target.allowedRedirectOrigins.length > 0);
  const shape = Object.fromEntries(fields.map((f) => [f, validValue(f, target)]));
  return fc.record({
    target: fc.constant(target),
    client: fc.record(shape, { requiredKeys: [] }) as fc.Arbitrary<Record<string, unknown>>,
  });
});

/** Values a hostile caller tries: wrong types, nesting, oversize strings, control characters. */
export const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom('none', '', 'x'.repeat(300), 'Bank\u202Egnp.exe', 'a\nb', ['client_credentials', 'authorization_code', 'implicit']),
  fc.constant({ keys: [{ kty: 'RSA', n: 'attacker', e: 'AQAB' }] }),
  fc.constant({ a: { b: { c: { d: { e: { f: 'deep' } } } } } }),
);

/** Redirect URIs that try to look like an allowed origin. */
const trickyRedirect = fc.oneof(
  fc.constantFrom(...ORIGINS).chain((o) => fc.webPath().map((p) => `${o}${p}`)),
  fc.constantFrom(
    'https://app.example.com.evil.com/cb',
    'https://app.example.com@evil.com/cb',
    'https://evil.com\\@app.example.com/cb',
    'https://app.example.com\\@evil.com/cb',
    'https://app.example.com\\.evil.com/cb',
    'https://APP.example.com/cb',
    'https://app.example.com:443/cb',
    'https://app.example.com./cb',
    'http://127.0.0.1:8080\\@evil.com/cb',
    'http://localhost:3000%09@evil.com/',
    'https://evil.com#@app.example.com/cb',
    'https://evil.com?@app.example.com/cb',
    'HTTPS://APP.EXAMPLE.COM/cb',
    'https://app.example.com:443/cb',
    'http://app.example.com/cb',
    'https://app.example.com\t.evil.com/cb',
    ' https://app.example.com/cb',
    'javascript://app.example.com/%0aalert(1)',
    'https://app.example.com%2f@evil.com/',
    'https://evil.com/https://app.example.com/',
    'http://127.0.0.1:8080.evil.com/cb',
    'https://evil.com/cb',
  ),
);

/** A `client` mixing valid, foreign and hostile fields. */
export const anyClient = targetArb.chain((target) =>
  fc.record({
    target: fc.constant(target),
    client: fc.oneof(
      validCase.map((c) => c.client),
      fc.dictionary(fc.constantFrom(...CALLER_SETTABLE_FIELDS, ...GUARDED, 'scope', 'response_types', '__proto__'), hostileValue, {
        maxKeys: 4,
      }),
      fc.record({ redirect_uris: fc.array(trickyRedirect, { minLength: 1, maxLength: 4 }) }),
    ),
  }),
);
