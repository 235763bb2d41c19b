import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerHoldsKey,
  CLIENT_KEY_ALGORITHMS,
  generateClientKeyPair,
  jwkThumbprint,
  publicJwkOf,
  withNewClientKey,
} from '../../functions/core/clientKeys.js';
import { scrubSecrets } from '../../functions/core/redaction.js';

// RFC 7638 §3.1: the example RSA key and its thumbprint.
const RFC7638_KEY = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describe('jwkThumbprint', () => {
  it("computes RFC 7638's example thumbprint, ignoring the members it does not hash", () => {
    expect(jwkThumbprint(RFC7638_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('refuses a key type it has no member list for', () => {
    expect(() => jwkThumbprint({ kty: 'oct', k: 'AAAA' })).toThrow(TypeError);
  });
});

describe('generateClientKeyPair', () => {
  const expectedKeys: Record<string, Partial<JsonWebKey>> = {
    ES256: { kty: 'EC', crv: 'P-256' },
    RS256: { kty: 'RSA', e: 'AQAB' },
    PS256: { kty: 'RSA', e: 'AQAB' },
    EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  };

  it.each(CLIENT_KEY_ALGORITHMS)('%s: a public JWK without private members, a private JWK, the same thumbprint kid', (algorithm) => {
    // Act
    const { publicJwk, privateJwk } = generateClientKeyPair(algorithm);

    // Assess
    expect(publicJwk).toMatchObject({ ...expectedKeys[algorithm], use: 'sig', alg: algorithm });
    expect(privateJwk).toMatchObject({ ...expectedKeys[algorithm], alg: algorithm, kid: publicJwk.kid });
    expect(Object.keys(publicJwk).filter((name) => PRIVATE_MEMBERS.includes(name))).toEqual([]);
    expect(typeof privateJwk.d).toBe('string');
    // The kid is the thumbprint of the public key, recomputed here from the JWK node:crypto derives.
    const derived = createPublicKey({ key: privateJwk, format: 'jwk' }).export({ format: 'jwk' });
    expect(publicJwk.kid).toBe(independentThumbprint(derived));
  });

  it('RSA keys have a 2048-bit modulus', () => {
    const { publicJwk } = generateClientKeyPair('RS256');
    expect(Buffer.from(String(publicJwk.n), 'base64url').length * 8).toBe(2048);
  });

  it('each call makes a new key with a new kid', () => {
    const first = generateClientKeyPair('ES256');
    const second = generateClientKeyPair('ES256');
    expect(second.publicJwk.kid).not.toBe(first.publicJwk.kid);
    expect(second.privateJwk.d).not.toBe(first.privateJwk.d);
  });
});

describe('publicJwkOf', () => {
  it.each(CLIENT_KEY_ALGORITHMS)('%s: gives back exactly the public JWK registered for the key', (algorithm) => {
    const { publicJwk, privateJwk } = generateClientKeyPair(algorithm);
    expect(publicJwkOf(privateJwk)).toEqual(publicJwk);
  });
});

describe('withNewClientKey', () => {
  it('leaves a client that authenticates otherwise unchanged, without a key', () => {
    const metadata = { client_name: 'x', token_endpoint_auth_method: 'client_secret_basic' };
    expect(withNewClientKey(metadata)).toEqual({ metadata });
  });

  it('gives a private_key_jwt client an ES256 key by default, jwks with its public half only, no jwks_uri', () => {
    // Act
    const { metadata, privateJwk } = withNewClientKey({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'https://x.example/jwks',
    });

    // Assess
    expect(privateJwk).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(metadata).toEqual({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [expect.objectContaining({ kid: privateJwk?.kid, use: 'sig' })] },
    });
    expect(JSON.stringify(metadata)).not.toContain(String(privateJwk?.d));
  });

  it('remembers the private members for redaction before returning the key', () => {
    const { privateJwk } = withNewClientKey({ token_endpoint_auth_method: 'private_key_jwt' }, 'RS256');
    const members = ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((member) => String(privateJwk?.[member]));
    const scrubbed = scrubSecrets(`values: ${members.join(' ')}`);
    for (const value of members) expect(scrubbed).not.toContain(value);
  });
});

describe('answerHoldsKey', () => {
  const { privateJwk, publicJwk } = generateClientKeyPair('EdDSA');
  it.each([
    ['an answer listing the kid', { jwks: { keys: [{ kid: 'other' }, publicJwk] } }, true],
    ['an answer without jwks (not echoed)', {}, true],
    ['an answer with other keys only', { jwks: { keys: [{ kid: 'other' }] } }, false],
    ['an answer with a malformed jwks', { jwks: 'x' }, false],
  ])('%s', (_name, answered, expected) => {
    expect(answerHoldsKey(answered, privateJwk)).toBe(expected);
  });
});

/** RFC 7638 written out by hand: required members in lexicographic order, no whitespace. */
function independentThumbprint(jwk: JsonWebKey): string {
  const json =
    jwk.kty === 'EC'
      ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
      : jwk.kty === 'RSA'
        ? `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`
        : `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`;
  return createHash('sha256').update(json).digest('base64url');
}
