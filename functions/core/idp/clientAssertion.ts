import { constants, createPrivateKey, type JsonWebKey, randomUUID, sign } from 'node:crypto';
import { ConfigurationError } from '../errors.js';

/** RFC 7521 §4.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Lifetime of a client assertion: long enough for one request, short enough to be useless if seen. */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60;

export interface ClientAssertionInput {
  clientId: string;
  /** The token endpoint (RFC 7523 §3: the authorization server as audience). */
  audience: string;
  /** A private JWK (`d` present), with `kid` and preferably `alg`. */
  privateJwk: JsonWebKey;
  now: Date;
}

/**
 * An RFC 7523 client assertion: a JWT with iss = sub = client_id, aud = the token endpoint, a random
 * jti and a 60 s lifetime, signed with `node:crypto` alone. The header's `alg` is the JWK's, else the
 * one its key type implies (ES256 for P-256, RS256 for RSA, EdDSA for Ed25519).
 */
export function signClientAssertion({ clientId, audience, privateJwk, now }: ClientAssertionInput): string {
  const alg = signingAlgorithm(privateJwk);
  const iat = Math.floor(now.getTime() / 1000);
  const header = { alg, typ: 'JWT', ...(typeof privateJwk.kid === 'string' ? { kid: privateJwk.kid } : {}) };
  const claims = { iss: clientId, sub: clientId, aud: audience, jti: randomUUID(), iat, exp: iat + CLIENT_ASSERTION_LIFETIME_SECONDS };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const signature = sign(SIGNERS[alg].digest, Buffer.from(signingInput), { key, ...SIGNERS[alg].options });
  return `${signingInput}.${signature.toString('base64url')}`;
}

type SigningAlgorithm = keyof typeof SIGNERS;

const SIGNERS = {
  ES256: { digest: 'sha256', options: { dsaEncoding: 'ieee-p1363' } },
  ES384: { digest: 'sha384', options: { dsaEncoding: 'ieee-p1363' } },
  RS256: { digest: 'sha256', options: {} },
  PS256: { digest: 'sha256', options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } },
  EdDSA: { digest: null, options: {} },
} as const;

/** The JWS `alg` for a JWK: its own `alg` member when we can sign with it, else its key type's default. */
export function signingAlgorithm(jwk: JsonWebKey): SigningAlgorithm {
  if (typeof jwk.alg === 'string') {
    if (Object.hasOwn(SIGNERS, jwk.alg)) return jwk.alg as SigningAlgorithm;
    throw new ConfigurationError(`client key algorithm ${jwk.alg.slice(0, 16)} is not supported`);
  }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new ConfigurationError('client key type is not supported');
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
