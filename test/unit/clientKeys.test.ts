import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLIENT_KEY_ALGORITHMS, generateClientKeyPair, jwkThumbprint } from '../../functions/core/clientKeys.js';

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
