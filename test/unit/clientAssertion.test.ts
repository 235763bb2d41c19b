import { constants, createPublicKey, generateKeyPairSync, type JsonWebKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLIENT_KEY_ALGORITHMS, generateClientKeyPair } from '../../functions/core/clientKeys.js';
import { ConfigurationError } from '../../functions/core/errors.js';
import { signClientAssertion } from '../../functions/core/idp/clientAssertion.js';

const NOW = new Date('2026-03-01T10:00:00.900Z');
const AUDIENCE = 'https://idp.example.com/oauth2/token';

function decode(jwt: string) {
  const [header, claims, signature] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(String(header), 'base64url').toString()),
    claims: JSON.parse(Buffer.from(String(claims), 'base64url').toString()),
    signingInput: Buffer.from(`${header}.${claims}`),
    signature: Buffer.from(String(signature), 'base64url'),
  };
}

/** Verifies a JWS the way RFC 7518 defines each algorithm, with node:crypto alone. */
function verifies(jwt: string, publicJwk: JsonWebKey): boolean {
  const { header, signingInput, signature } = decode(jwt);
  const key = createPublicKey({ key: publicJwk, format: 'jwk' });
  switch (header.alg) {
    case 'ES256':
      return signature.length === 64 && verify('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'RS256':
      return verify('sha256', signingInput, key, signature);
    case 'PS256':
      return verify('sha256', signingInput, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    case 'EdDSA':
      return verify(null, signingInput, key, signature);
    default:
      return false;
  }
}

describe('signClientAssertion', () => {
  it.each(CLIENT_KEY_ALGORITHMS)('%s: RFC 7523 claims, alg and kid in the header, a signature the public key verifies', (algorithm) => {
    // Prepare
    const { publicJwk, privateJwk } = generateClientKeyPair(algorithm);

    // Act
    const jwt = signClientAssertion({ clientId: 'client-1', audience: AUDIENCE, privateJwk, now: NOW });

    // Assess
    const { header, claims } = decode(jwt);
    expect(header).toEqual({ alg: algorithm, typ: 'JWT', kid: publicJwk.kid });
    expect(claims).toEqual({ iss: 'client-1', sub: 'client-1', aud: AUDIENCE, jti: expect.any(String), iat: 1772359200, exp: 1772359260 });
    expect(claims.jti.length).toBeGreaterThanOrEqual(32);
    expect(verifies(jwt, publicJwk)).toBe(true);
  });

  it('a signature made with one key does not verify with another, nor after a claim is changed', () => {
    // Prepare
    const { privateJwk, publicJwk } = generateClientKeyPair('ES256');
    const other = generateClientKeyPair('ES256');
    const jwt = signClientAssertion({ clientId: 'client-1', audience: AUDIENCE, privateJwk, now: NOW });
    const [header, , signature] = jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decode(jwt).claims, sub: 'client-2' })).toString('base64url');

    // Assess
    expect(verifies(jwt, other.publicJwk)).toBe(false);
    expect(verifies(`${header}.${forged}.${signature}`, publicJwk)).toBe(false);
  });

  it('every assertion has a new jti', () => {
    const { privateJwk } = generateClientKeyPair('EdDSA');
    const jtis = new Set(
      Array.from({ length: 5 }, () => decode(signClientAssertion({ clientId: 'c', audience: AUDIENCE, privateJwk, now: NOW })).claims.jti),
    );
    expect(jtis.size).toBe(5);
  });

  it.each([
    ['EC P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'ES256'],
    ['RSA', generateKeyPairSync('rsa', { modulusLength: 2048 }), 'RS256'],
    ['OKP Ed25519', generateKeyPairSync('ed25519'), 'EdDSA'],
  ])('a %s key without alg signs with %s and a header without kid', (_name, pair, expected) => {
    // Prepare
    const privateJwk = pair.privateKey.export({ format: 'jwk' });

    // Act
    const jwt = signClientAssertion({ clientId: 'c', audience: AUDIENCE, privateJwk, now: NOW });

    // Assess
    expect(decode(jwt).header).toEqual({ alg: expected, typ: 'JWT' });
    expect(verifies(jwt, pair.publicKey.export({ format: 'jwk' }))).toBe(true);
  });

  it('refuses an alg it cannot sign with and a key type without a default', () => {
    const { privateJwk } = generateClientKeyPair('ES256');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' });
    const sign = (jwk: JsonWebKey) => () => signClientAssertion({ clientId: 'c', audience: AUDIENCE, privateJwk: jwk, now: NOW });
    expect(sign({ ...privateJwk, alg: 'HS256' })).toThrow(ConfigurationError);
    expect(sign({ ...privateJwk, alg: 'none' })).toThrow(ConfigurationError);
    expect(sign(p384)).toThrow(ConfigurationError);
  });
});
