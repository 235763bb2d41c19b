import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import type { RegistrationCredential } from '../../functions/core/config/targetConfig.js';
import {
  ConfigurationError,
  InitialAccessTokenRejectedError,
  TemporarilyUnavailableError,
  UpstreamError,
} from '../../functions/core/errors.js';
import { scrubSecrets } from '../../functions/core/redaction.js';
import { SecretRegistrationCredentials } from '../../functions/core/registrationCredentials/SecretRegistrationCredentials.js';
import { registerTenant } from '../../functions/core/useCases/registerTenant.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';
import { ScriptedIdentityProvider } from '../helpers/scriptedIdentityProvider.js';
import { unitDependencies } from '../helpers/unitDependencies.js';

const TOKEN_ENDPOINT = 'https://idp.example.com/oauth2/v1/token';
const CLIENT_SECRET = 'registration-client-secret-0123456789';
const minting: RegistrationCredential = { type: 'clientCredentials', tokenEndpoint: TOKEN_ENDPOINT, secretId: 'dcr/reg-client' };

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: URLSearchParams;
}

/** A token endpoint in memory: answers each request with the next scripted answer, else a fresh token. */
function tokenEndpoint(answers: [number, unknown][] = [], expiresIn: number | undefined = 100) {
  const sent: Sent[] = [];
  let issued = 0;
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, headers: init.headers as Record<string, string>, body: new URLSearchParams(String(init.body)) });
    const [status, body] = answers.shift() ?? [
      200,
      { access_token: `minted-token-${++issued}-abcdef`, token_type: 'Bearer', expires_in: expiresIn },
    ];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { sent, fetch };
}

async function storeWith(value: Record<string, unknown>): Promise<MemorySecretStore> {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: 'dcr/reg-client', value: JSON.stringify(value) });
  return secrets;
}

const oneAttempt = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1_000 };

describe('a registration token minted by client credentials', () => {
  it('is reused until the skew before expires_in, then minted anew', async () => {
    // Prepare
    let now = 0;
    const peer = tokenEndpoint([], 100);
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
      expirySkewMs: 10_000,
      now: () => now,
    });

    // Act
    const first = await credentials.authorization(minting);
    now = 89_999;
    const beforeSkew = await credentials.authorization(minting);
    now = 90_000;
    const atSkew = await credentials.authorization(minting);

    // Assess
    expect(first).toEqual({ name: 'Authorization', value: 'Bearer minted-token-1-abcdef' });
    expect(beforeSkew).toEqual(first);
    expect(atSkew).toEqual({ name: 'Authorization', value: 'Bearer minted-token-2-abcdef' });
    expect(peer.sent).toHaveLength(2);
  });

  it('a lifetime shorter than twice the skew is reused for half of it', async () => {
    let now = 0;
    const peer = tokenEndpoint([], 2);
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
      now: () => now,
    });
    await credentials.authorization(minting);
    now = 999;
    await credentials.authorization(minting);
    now = 1_000;
    await credentials.authorization(minting);
    expect(peer.sent).toHaveLength(2);
  });

  it('concurrent first callers share one mint', async () => {
    // Prepare
    const peer = tokenEndpoint();
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
    });

    // Act
    const all = await Promise.all(Array.from({ length: 20 }, () => credentials.authorization(minting)));

    // Assess
    expect(new Set(all.map((header) => header?.value))).toEqual(new Set(['Bearer minted-token-1-abcdef']));
    expect(peer.sent).toHaveLength(1);
  });

  it('is minted again once when the registration endpoint refuses it, and the refusal stands after that', async () => {
    // Prepare
    const peer = tokenEndpoint();
    const secrets = await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET });
    const idp = new ScriptedIdentityProvider();
    const refused = () => new InitialAccessTokenRejectedError('identity provider refused the initial access token for registration', 401);
    idp.failNext('register', refused(), refused(), refused());
    const config = parseServiceConfig(
      JSON.stringify({
        targets: { default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/reg', registrationCredential: minting } },
      }),
      'test',
    );
    const lines: string[] = [];
    const deps = unitDependencies({
      config,
      secrets,
      idp,
      lines,
      registrationCredentials: new SecretRegistrationCredentials(secrets, { fetch: peer.fetch }),
    });

    // Act
    const error = await registerTenant({ tenantId: 'acme' }, deps).catch((caught: unknown) => caught);
    const second = await registerTenant({ tenantId: 'globex' }, deps);

    // Assess
    expect(error).toBeInstanceOf(InitialAccessTokenRejectedError);
    expect(idp.authorizations.slice(0, 2)).toEqual([
      { name: 'Authorization', value: 'Bearer minted-token-1-abcdef' },
      { name: 'Authorization', value: 'Bearer minted-token-2-abcdef' },
    ]);
    // globex: refused once more with token 2, then registered with token 3.
    expect(second.status).toBe('registered');
    expect(idp.authorizations.slice(2)).toEqual([
      { name: 'Authorization', value: 'Bearer minted-token-2-abcdef' },
      { name: 'Authorization', value: 'Bearer minted-token-3-abcdef' },
    ]);
    expect(peer.sent).toHaveLength(3);
    expect(lines.join('\n')).not.toMatch(/minted-token|registration-client-secret/);
  });

  it.each([
    ['client_secret_basic', undefined],
    ['client_secret_post', 'client_secret_post'],
  ] as const)('authenticates by %s, with the configured scope', async (method, authMethod) => {
    // Prepare
    const peer = tokenEndpoint();
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg client', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
    });

    // Act
    await credentials.authorization({
      ...minting,
      scope: 'okta.clients.register',
      ...(authMethod ? { authMethod } : {}),
    } as RegistrationCredential);

    // Assess
    const [request] = peer.sent;
    expect(request?.url).toBe(TOKEN_ENDPOINT);
    expect(request?.body.get('grant_type')).toBe('client_credentials');
    expect(request?.body.get('scope')).toBe('okta.clients.register');
    if (method === 'client_secret_basic') {
      expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`reg%20client:${CLIENT_SECRET}`).toString('base64')}`);
      expect(request?.body.get('client_secret')).toBeNull();
    } else {
      expect(request?.headers.authorization).toBeUndefined();
      expect([request?.body.get('client_id'), request?.body.get('client_secret')]).toEqual(['reg client', CLIENT_SECRET]);
    }
  });

  it.each([
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), { dsaEncoding: 'ieee-p1363' as const }, 'sha256'],
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), {}, 'sha256'],
    ['EdDSA', () => generateKeyPairSync('ed25519'), {}, null],
  ] as const)(
    'authenticates by private_key_jwt (%s): an RFC 7523 assertion for the token endpoint',
    async (alg, generate, options, digest) => {
      // Prepare
      const { privateKey } = generate();
      const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'k1' };
      const peer = tokenEndpoint();
      const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', private_key_jwk: privateJwk }), {
        fetch: peer.fetch,
      });

      // Act
      await credentials.authorization(minting);

      // Assess
      const body = peer.sent[0]?.body;
      expect(body?.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(peer.sent[0]?.headers.authorization).toBeUndefined();
      const [header, claims, signature] = String(body?.get('client_assertion')).split('.') as [string, string, string];
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg, kid: 'k1' });
      const payload = JSON.parse(Buffer.from(claims, 'base64url').toString());
      expect(payload).toMatchObject({ iss: 'reg', sub: 'reg', aud: TOKEN_ENDPOINT });
      expect(payload.jti).toEqual(expect.any(String));
      expect(payload.exp - payload.iat).toBeGreaterThan(0);
      expect(payload.exp - payload.iat).toBeLessThanOrEqual(300);
      const key = createPublicKey({ key: privateJwk, format: 'jwk' });
      expect(verify(digest, Buffer.from(`${header}.${claims}`), { key, ...options }, Buffer.from(signature, 'base64url'))).toBe(true);
      expect(String(body)).not.toContain(String(privateJwk.d));
    },
  );

  it.each([
    [429, { error: 'rate_limited' }],
    [503, {}],
  ])('a %i from the token endpoint is retryable', async (status, body) => {
    const peer = tokenEndpoint([[status, body]]);
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
      retry: oneAttempt,
    });
    await expect(credentials.authorization(minting)).rejects.toBeInstanceOf(TemporarilyUnavailableError);
  });

  it('retries a 503 within the retry policy and then succeeds', async () => {
    const peer = tokenEndpoint([[503, {}]]);
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1_000 },
    });
    expect((await credentials.authorization(minting))?.value).toBe('Bearer minted-token-1-abcdef');
    expect(peer.sent).toHaveLength(2);
  });

  it.each([
    [400, { error: 'invalid_client', error_description: `bad secret ${CLIENT_SECRET}` }],
    [401, { error: 'invalid_client' }],
    [403, {}],
  ])('a %i is a configuration error naming the secret id, never a value', async (status, body) => {
    // Prepare
    const peer = tokenEndpoint([[status, body]]);
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1_000 },
    });

    // Act
    const error = (await credentials.authorization(minting).catch((caught: unknown) => caught)) as Error;

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('dcr/reg-client');
    expect(error.message).toContain(String(status));
    expect(`${error.message} ${error.stack}`).not.toContain(CLIENT_SECRET);
    expect(peer.sent).toHaveLength(1);
  });

  it.each([
    ['no access_token', { token_type: 'Bearer' }],
    ['a DPoP token', { access_token: 'dpop-bound-token-123', token_type: 'DPoP' }],
  ])('a 200 with %s is refused', async (_, body) => {
    const peer = tokenEndpoint([[200, body]]);
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
    });
    await expect(credentials.authorization(minting)).rejects.toBeInstanceOf(UpstreamError);
  });

  it('a minted token with a line break is refused by its secret id, and remembered so nothing prints it', async () => {
    const peer = tokenEndpoint([[200, { access_token: 'first-half-of-minted\nInjected: 1', token_type: 'bearer' }]]);
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
    });
    const error = (await credentials.authorization(minting).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/dcr\/reg-client .*control characters/);
    expect(error.message).not.toContain('first-half-of-minted');
    expect(scrubSecrets('sent first-half-of-minted\nInjected: 1')).not.toContain('first-half-of-minted');
  });

  it('every minted token and the client secret are remembered for redaction', async () => {
    const peer = tokenEndpoint();
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: peer.fetch,
    });
    await credentials.authorization(minting);
    expect(scrubSecrets(`token minted-token-1-abcdef secret ${CLIENT_SECRET}`)).not.toMatch(/minted-token-1|registration-client-secret/);
  });

  it.each([
    ['no client_id', { client_secret: CLIENT_SECRET }, /has no client_id/],
    ['no client_secret', { client_id: 'reg' }, /has no client_secret for client_secret_basic/],
    ['not JSON', 'just-a-string', /is not a JSON object/],
  ])('a secret with %s is a configuration error naming the secret', async (_, value, message) => {
    const secrets = new MemorySecretStore();
    await secrets.create({ name: 'dcr/reg-client', value: typeof value === 'string' ? value : JSON.stringify(value) });
    const peer = tokenEndpoint();
    const error = (await new SecretRegistrationCredentials(secrets, { fetch: peer.fetch })
      .authorization(minting)
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('dcr/reg-client');
    expect(peer.sent).toHaveLength(0);
  });

  it('private_key_jwt without a private key is a configuration error', async () => {
    const credentials = new SecretRegistrationCredentials(await storeWith({ client_id: 'reg', client_secret: CLIENT_SECRET }), {
      fetch: tokenEndpoint().fetch,
    });
    await expect(credentials.authorization({ ...minting, authMethod: 'private_key_jwt' } as RegistrationCredential)).rejects.toThrow(
      /dcr\/reg-client has no private_key_jwk/,
    );
  });
});
