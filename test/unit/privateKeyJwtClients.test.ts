import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwkThumbprint } from '../../functions/core/clientKeys.js';
import { applyMetadataPolicy } from '../../functions/core/config/metadataPolicy.js';
import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import { targetSchemas, type ClientMetadata, type EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { InvalidClientMetadataError, UnusableRegistrationError, UpstreamError } from '../../functions/core/errors.js';
import {
  type ClientCredentials,
  type ClientRegistration,
  type CredentialsProof,
  InvalidClientError,
  type ManagedClient,
  type ProofOptions,
  type RegistrationAuthorization,
} from '../../functions/core/ports/IdentityProvider.js';
import { registerTenant } from '../../functions/core/useCases/registerTenant.js';
import { requestNewSecret } from '../../functions/core/useCases/rotateClientSecret.js';
import { loadTarget } from '../../functions/core/useCases/targets.js';
import { parseRegistrationResponse } from '../../functions/core/idp/parseRegistrationResponse.js';
import type { RegisteredRecord } from '../../functions/core/secretRecord.js';
import { runCanary } from '../../functions/core/useCases/runCanary.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';
import { ScriptedIdentityProvider } from '../helpers/scriptedIdentityProvider.js';
import { unitDependencies } from '../helpers/unitDependencies.js';

const PREFIX = 'dcr/clients/';
const IAT_SECRET = 'dcr/iat';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

const keyedTarget = (extra: Record<string, unknown> = {}) => ({
  profile: 'rfc7591',
  registrationEndpoint: 'https://idp.example.com/register',
  tokenEndpoint: 'https://idp.example.com/token',
  initialAccessTokenSecretId: IAT_SECRET,
  clientMetadata: { client_name: 'keyed', grant_types: ['client_credentials'], token_endpoint_auth_method: 'private_key_jwt' },
  ...extra,
});

/**
 * The scripted provider, for private_key_jwt clients: registers the `jwks` it is sent (no secret),
 * replaces it on RFC 7592 PUT, and accepts a proof only from the private key of a registered kid.
 */
class KeyedIdentityProvider extends ScriptedIdentityProvider {
  readonly sentMetadata: Record<string, unknown>[] = [];
  readonly keys = new Map<string, JsonWebKey[]>();
  /** What the next answer's method is, when not the one requested. */
  answerMethod?: string;
  /** Makes the next update answer without the key it was sent (a provider that ignored it). */
  ignoreNextKey = false;
  /** Registers every client without its keys. */
  forgetKeys = false;

  override async register(
    target: EndpointTarget,
    metadata: ClientMetadata,
    authorization: RegistrationAuthorization,
  ): Promise<ClientRegistration> {
    this.sentMetadata.push(structuredClone(metadata));
    const registration = await super.register(target, metadata, authorization);
    const method = this.answerMethod ?? metadata.token_endpoint_auth_method ?? 'client_secret_basic';
    if (method === 'private_key_jwt') delete registration.client_secret;
    this.keys.set(registration.client_id, this.forgetKeys ? [] : ((metadata.jwks as { keys: JsonWebKey[] } | undefined)?.keys ?? []));
    return { ...registration, token_endpoint_auth_method: method };
  }

  // Rest arguments: the scripted base declares updateClient without parameters.
  override async updateClient(...args: unknown[]): Promise<ClientRegistration> {
    const [, client, metadata] = args as [EndpointTarget, ManagedClient, Record<string, unknown>];
    this.sentMetadata.push(structuredClone(metadata));
    const clientId = String(metadata.client_id);
    if (!this.clients.has(clientId) || this.clients.get(clientId)?.registrationAccessToken !== client.registration_access_token) {
      throw new UpstreamError('identity provider answered 401 to client update (invalid_token)', 401);
    }
    const ignored = this.ignoreNextKey;
    this.ignoreNextKey = false;
    if (!ignored) this.keys.set(clientId, (metadata.jwks as { keys: JsonWebKey[] }).keys);
    const { client_id: _id, ...rest } = metadata;
    return {
      client_id: clientId,
      token_endpoint_auth_method: String(metadata.token_endpoint_auth_method),
      metadata: { ...rest, jwks: { keys: this.keys.get(clientId) } },
    };
  }

  override async proveClientCredentials(
    tokenEndpoint: string,
    credentials: ClientCredentials,
    options: ProofOptions = {},
  ): Promise<CredentialsProof> {
    if (credentials.token_endpoint_auth_method !== 'private_key_jwt')
      return super.proveClientCredentials(tokenEndpoint, credentials, options);
    this.proved.push(credentials.client_id);
    const jwk = credentials.private_key_jwk;
    const registered = this.keys.get(credentials.client_id) ?? [];
    const publicHalf = jwk && createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'jwk' });
    if (!publicHalf || !registered.some((key) => key.kid === jwkThumbprint(publicHalf))) {
      throw new InvalidClientError('identity provider answered 401 to token request (invalid_client)', 401);
    }
    return 'token';
  }
}

async function setup(target: Record<string, unknown> = keyedTarget()) {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: IAT_SECRET, value: 'initial-access-token-value' });
  const idp = new KeyedIdentityProvider();
  const lines: string[] = [];
  const deps = unitDependencies({
    config: serviceConfigSchema().parse({ secretNamePrefix: PREFIX, defaultTarget: 'keyed', targets: { keyed: target } }),
    secrets,
    idp,
    lines,
  });
  const record = async (tenant = 'acme') => JSON.parse((await secrets.get(`${PREFIX}keyed/${tenant}`))?.value ?? 'null');
  return { secrets, idp, lines, deps, record };
}

describe('registering a private_key_jwt client', () => {
  it.each(['ES256', 'RS256', 'PS256', 'EdDSA'])(
    '%s: registers the public key alone and stores the private key, without a client_secret',
    async (algorithm) => {
      // Prepare
      const { idp, deps, record, lines } = await setup(keyedTarget({ clientKeyAlgorithm: algorithm }));

      // Act
      await registerTenant({ tenantId: 'acme', target: 'keyed' }, deps);

      // Assess
      const sent = idp.sentMetadata[0] as { jwks: { keys: JsonWebKey[] }; jwks_uri?: string };
      expect(sent.jwks.keys).toHaveLength(1);
      const [publicJwk] = sent.jwks.keys;
      expect(publicJwk).toMatchObject({ alg: algorithm, use: 'sig', kid: expect.any(String) });
      expect(Object.keys(publicJwk ?? {}).filter((name) => PRIVATE_MEMBERS.includes(name))).toEqual([]);
      const stored = await record();
      expect(stored.client_secret).toBeUndefined();
      expect(stored.token_endpoint_auth_method).toBe('private_key_jwt');
      expect(stored.private_key_jwk).toMatchObject({ alg: algorithm, kid: publicJwk?.kid, d: expect.any(String) });
      expect(jwkThumbprint(createPublicKey({ key: stored.private_key_jwk, format: 'jwk' }).export({ format: 'jwk' }))).toBe(publicJwk?.kid);
      expect(lines.join('\n')).not.toContain(stored.private_key_jwk.d);
    },
  );

  it('a registration that fails leaves no key in any secret', async () => {
    // Prepare
    const { idp, deps, secrets } = await setup();
    idp.failNext('register', new UpstreamError('identity provider answered 400 to registration (invalid_client_metadata)', 400));

    // Act
    const outcome = await registerTenant({ tenantId: 'acme', target: 'keyed' }, deps).catch((error: unknown) => error);

    // Assess
    expect(outcome).toBeInstanceOf(UpstreamError);
    const sentKid = String((idp.sentMetadata[0] as { jwks: { keys: JsonWebKey[] } }).jwks.keys[0]?.kid);
    for (const name of secrets.names()) {
      expect((await secrets.get(name))?.value).not.toContain('private_key_jwk');
      expect((await secrets.get(name))?.value).not.toContain(sentKid);
    }
  });

  it('an answer with another method the target accepts stores that method, its secret and no key; one it does not accept is refused', async () => {
    // Prepare
    const accepting = await setup(keyedTarget({ acceptedAuthMethods: ['client_secret_basic'] }));
    accepting.idp.answerMethod = 'client_secret_basic';

    // Act
    await registerTenant({ tenantId: 'acme', target: 'keyed' }, accepting.deps);

    // Assess
    const stored = await accepting.record();
    expect(stored).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', client_secret: expect.any(String) });
    expect(stored.private_key_jwk).toBeUndefined();
  });

  it('a caller may not send jwks or jwks_uri, and a target may not pin them for private_key_jwt', () => {
    // Prepare
    const policy = {
      clientMetadata: { token_endpoint_auth_method: 'private_key_jwt' },
      callerMetadata: ['client_name' as const],
      allowedRedirectOrigins: [],
    };
    const attackerKey = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] };

    // Act
    const refusals = [{ jwks: attackerKey }, { jwks_uri: 'https://attacker.example.com/jwks' }].map((client) => {
      try {
        return applyMetadataPolicy(policy, client);
      } catch (error) {
        return error;
      }
    });
    const pinned = [{ jwks: attackerKey }, { jwks_uri: 'https://idp.example.com/jwks' }].map(
      (extra) =>
        targetSchemas().targetConfigSchema.safeParse(
          keyedTarget({ clientMetadata: { token_endpoint_auth_method: 'private_key_jwt', ...extra } }),
        ).success,
    );

    // Assess
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(InvalidClientMetadataError);
    expect(pinned).toEqual([false, false]);
    expect(targetSchemas().targetConfigSchema.safeParse(keyedTarget({ clientKeyAlgorithm: 'HS256' })).success).toBe(false);
  });
});

// The rotation's core, shared by `rotate` and the Secrets Manager rotation steps (the lease and the
// write around it are tested on moto: test/integration/privateKeyJwt.test.ts).
describe('rotating a private_key_jwt client (requestNewSecret)', () => {
  async function rotate(context: Awaited<ReturnType<typeof setup>>) {
    const target = await loadTarget('keyed', context.deps);
    return requestNewSecret(await registeredRecord(context), target, context.deps);
  }
  async function registeredRecord(context: Awaited<ReturnType<typeof setup>>): Promise<RegisteredRecord> {
    const stored = await context.record();
    // The provider's RFC 7592 credentials, wherever the service keeps them: the scripted provider knows them.
    const token = context.idp.clients.get(stored.client_id)?.registrationAccessToken;
    return { ...stored, registration_client_uri: `https://idp.example.com/register/${stored.client_id}`, registration_access_token: token };
  }

  it('registers a new public key by RFC 7592 PUT and keeps the new private key: the old one no longer proves the client', async () => {
    // Prepare
    const context = await setup();
    const { idp, deps, record } = context;
    await registerTenant({ tenantId: 'acme', target: 'keyed' }, deps);
    const before = await record();

    // Act
    const { rotated: after, newSecret } = await rotate(context);

    // Assess
    expect(newSecret).toBe(true);
    const put = idp.sentMetadata[1] as { jwks: { keys: JsonWebKey[] }; client_id: string };
    expect(put.client_id).toBe(before.client_id);
    expect(put.jwks.keys.map((key) => key.kid)).toEqual([after.private_key_jwk?.kid]);
    expect(after.private_key_jwk?.kid).not.toBe(before.private_key_jwk.kid);
    expect(after.rotated_at).toEqual(expect.any(String));
    await expect(idp.proveClientCredentials('https://idp.example.com/token', after)).resolves.toBe('token');
    await expect(idp.proveClientCredentials('https://idp.example.com/token', before)).rejects.toBeInstanceOf(InvalidClientError);
  });

  it('refuses the answer when the provider did not take the new public key: the stored key still works', async () => {
    // Prepare
    const context = await setup();
    const { idp, deps, record } = context;
    await registerTenant({ tenantId: 'acme', target: 'keyed' }, deps);
    const before = await record();
    idp.ignoreNextKey = true;

    // Act
    const outcome = await rotate(context).catch((error: unknown) => error);

    // Assess
    expect(outcome).toBeInstanceOf(UpstreamError);
    expect((outcome as Error).message).toContain('did not register the new public key');
    await expect(idp.proveClientCredentials('https://idp.example.com/token', before)).resolves.toBe('token');
  });
});

describe('canary for a private_key_jwt target', () => {
  it('proves the client with the private key the service stored, and fails when the provider no longer has its public key', async () => {
    // Prepare
    const { idp, deps } = await setup();

    // Act
    const first = await runCanary('keyed', deps);
    idp.forgetKeys = true; // the provider loses every public key, and ignores those it is sent
    for (const clientId of idp.keys.keys()) idp.keys.set(clientId, []);
    const second = await runCanary('keyed', deps).catch((error: unknown) => error);

    // Assess
    expect(first).toMatchObject({ ok: true, proof: 'token', tokenObtained: true });
    expect(second).toBeInstanceOf(InvalidClientError);
  });
});

describe('reading the answer to a private_key_jwt registration', () => {
  const methods = { requested: 'private_key_jwt', accepted: [] as string[], profileDefault: 'client_secret_basic' };

  it('needs no client_secret for private_key_jwt', () => {
    expect(parseRegistrationResponse('{"client_id":"c1","token_endpoint_auth_method":"private_key_jwt"}', methods)).toMatchObject({
      client_id: 'c1',
      token_endpoint_auth_method: 'private_key_jwt',
    });
  });

  it('refuses another method unless the target accepts it, and then wants its secret', () => {
    const answer = '{"client_id":"c1","token_endpoint_auth_method":"client_secret_basic"}';
    expect(() => parseRegistrationResponse(answer, methods)).toThrow(UnusableRegistrationError);
    expect(() => parseRegistrationResponse(answer, { ...methods, accepted: ['client_secret_basic'] })).toThrow(/no client_secret/);
  });
});
