import { createHash, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CLIENT_KEY_ALGORITHMS } from './config/targetConfig.js';
import { rememberSecret } from './redaction.js';

export { CLIENT_KEY_ALGORITHMS };
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

/**
 * The JWK to register for a stored private key, as generateClientKeyPair made it: public members, the
 * thumbprint `kid`, `use: 'sig'`, the key's `alg`. For a full-metadata RFC 7592 PUT (drift repair) of a
 * private_key_jwt client whose provider does not echo `jwks`: without it the PUT would drop the key.
 */
export function publicJwkOf(privateJwk: JsonWebKey): JsonWebKey {
  const publicMembers = createPublicKey({ key: privateJwk, format: 'jwk' }).export({ format: 'jwk' });
  return { ...publicMembers, kid: jwkThumbprint(publicMembers), use: 'sig', ...(privateJwk.alg !== undefined && { alg: privateJwk.alg }) };
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

/** A key pair's private members (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/**
 * For a `private_key_jwt` client, a new key pair and the metadata to send with it: `jwks` holds the
 * new public key alone (never a `jwks_uri`). The private members are remembered for redaction before
 * the key leaves this function. Any other client: the metadata as it is, and no key.
 */
export function withNewClientKey<M extends Record<string, unknown>>(
  metadata: M,
  algorithm: ClientKeyAlgorithm = 'ES256',
): { metadata: M; privateJwk?: JsonWebKey } {
  if (metadata.token_endpoint_auth_method !== 'private_key_jwt') return { metadata };
  const { publicJwk, privateJwk } = generateClientKeyPair(algorithm);
  for (const member of PRIVATE_MEMBERS) rememberSecret(privateJwk[member]);
  const { jwks_uri: _ignored, ...rest } = metadata;
  return { metadata: { ...rest, jwks: { keys: [publicJwk] } } as unknown as M, privateJwk };
}

/**
 * Whether an answer's metadata shows the key registered: its `jwks` lists the key's `kid`. An answer
 * without `jwks` is taken at its word (RFC 7591 §3.2.1 echoes metadata, but not every server does).
 */
export function answerHoldsKey(answered: Record<string, unknown>, privateJwk: JsonWebKey): boolean {
  const jwks = answered.jwks as { keys?: unknown } | undefined;
  if (jwks === undefined) return true;
  return Array.isArray(jwks?.keys) && jwks.keys.some((key) => (key as { kid?: unknown } | null)?.kid === privateJwk.kid);
}
