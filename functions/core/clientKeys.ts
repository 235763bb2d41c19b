import { createHash, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';

export const CLIENT_KEY_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;
export type ClientKeyAlgorithm = (typeof CLIENT_KEY_ALGORITHMS)[number];

export interface ClientKeyPair {
  /** What the provider gets in `jwks`: public members, `kid`, `use: 'sig'`, `alg`. */
  publicJwk: JsonWebKey;
  /** What the tenant secret keeps as `private_key_jwk`: the full private JWK, `kid`, `alg`. */
  privateJwk: JsonWebKey;
}

/** RSA keys of 2048 bits: the minimum RFC 7518 §3.3 demands and what providers expect. */
const RSA_MODULUS_BITS = 2048;

/**
 * A fresh signing key pair for a `private_key_jwt` client. The `kid` is the key's RFC 7638 thumbprint,
 * so the same key always has the same id and a new key a new one.
 */
export function generateClientKeyPair(algorithm: ClientKeyAlgorithm): ClientKeyPair {
  const { publicKey, privateKey } = generate(algorithm);
  const publicMembers = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(publicMembers);
  return {
    publicJwk: { ...publicMembers, kid, use: 'sig', alg: algorithm },
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: algorithm },
  };
}

function generate(algorithm: ClientKeyAlgorithm): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (algorithm) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: RSA_MODULUS_BITS });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
  }
}

/** The members RFC 7638 §3.2 hashes for each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/** RFC 7638 JWK thumbprint: base64url SHA-256 of the required members, as JSON without whitespace. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)];
  if (members === undefined) throw new TypeError('JWK key type has no thumbprint members');
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])));
  return createHash('sha256').update(canonical).digest('base64url');
}
