import { describe, expect, it } from 'vitest';
import { targetSchemas } from '../../functions/core/config/targetConfig.js';
import { generateClientKeyPair } from '../../functions/core/clientKeys.js';
import { clientCredentialsRequest } from '../../functions/core/idp/clientCredentialsRequest.js';

const basic = { client_id: 'c 1', client_secret: 's3cret:+/=', token_endpoint_auth_method: 'client_secret_basic' };
const post = { ...basic, token_endpoint_auth_method: 'client_secret_post' };
const form = (body: string) => [...new URLSearchParams(body)];

describe('clientCredentialsRequest', () => {
  it('sends only the grant without a tokenRequest, with Basic credentials form-urlencoded before base64', () => {
    // Act
    const { headers, body } = clientCredentialsRequest(basic);

    // Assess
    expect(form(body)).toEqual([['grant_type', 'client_credentials']]);
    expect(headers.authorization).toBe(`Basic ${Buffer.from('c%201:s3cret%3A%2B%2F%3D').toString('base64')}`);
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('adds scope, audience, every resource and the extra parameters', () => {
    // Act
    const { body } = clientCredentialsRequest(basic, {
      scope: 'api://orders/.default read',
      audience: 'https://api.example.com',
      resource: ['https://a.example.com/', 'https://b.example.com/'],
      extraParams: { tenant: 'acme & co', 'x.version': '2' },
    });

    // Assess
    expect(form(body)).toEqual([
      ['grant_type', 'client_credentials'],
      ['scope', 'api://orders/.default read'],
      ['audience', 'https://api.example.com'],
      ['resource', 'https://a.example.com/'],
      ['resource', 'https://b.example.com/'],
      ['tenant', 'acme & co'],
      ['x.version', '2'],
    ]);
  });

  it('sends a single resource once', () => {
    expect(form(clientCredentialsRequest(basic, { resource: 'urn:example:api' }).body)).toEqual([
      ['grant_type', 'client_credentials'],
      ['resource', 'urn:example:api'],
    ]);
  });

  it('puts client_secret_post credentials after the parameters, so nothing configured replaces them', () => {
    // Act
    const { headers, body } = clientCredentialsRequest(post, { scope: 'api', extraParams: { foo: 'bar' } });

    // Assess
    expect(headers.authorization).toBeUndefined();
    expect(form(body)).toEqual([
      ['grant_type', 'client_credentials'],
      ['scope', 'api'],
      ['foo', 'bar'],
      ['client_id', 'c 1'],
      ['client_secret', 's3cret:+/='],
    ]);
  });

  it.each(['grant_type', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'Grant_Type', 'scope'])(
    'refuses extraParams naming %s even when the schema was bypassed, without sending anything',
    (name) => {
      expect(() => clientCredentialsRequest(post, { extraParams: { [name]: 'x' } })).toThrow(
        expect.objectContaining({ name: 'ConfigurationError' }),
      );
    },
  );

  it('refuses an auth method it cannot send (none, client_secret_jwt)', () => {
    for (const method of ['none', 'client_secret_jwt']) {
      expect(() => clientCredentialsRequest({ ...basic, token_endpoint_auth_method: method })).toThrow(
        expect.objectContaining({ name: 'NotSupportedError' }),
      );
    }
  });

  describe('private_key_jwt', () => {
    const { privateJwk } = generateClientKeyPair('ES256');
    const keyed = { client_id: 'c 1', private_key_jwk: privateJwk, token_endpoint_auth_method: 'private_key_jwt' };
    const context = { tokenEndpoint: 'https://idp.example.com/token', now: new Date('2026-03-01T10:00:00Z') };

    it('sends client_id and a signed assertion for the token endpoint after the parameters, and no Authorization header', () => {
      // Act
      const { headers, body } = clientCredentialsRequest(keyed, { scope: 'api', extraParams: { foo: 'bar' } }, context);

      // Assess
      const sent = form(body);
      expect(sent.map(([name]) => name)).toEqual(['grant_type', 'scope', 'foo', 'client_id', 'client_assertion_type', 'client_assertion']);
      expect(new URLSearchParams(body).get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      const claims = JSON.parse(
        Buffer.from(String(new URLSearchParams(body).get('client_assertion')).split('.')[1] ?? '', 'base64url').toString(),
      );
      expect(claims).toMatchObject({ iss: 'c 1', sub: 'c 1', aud: context.tokenEndpoint, iat: 1772359200 });
      expect(headers.authorization).toBeUndefined();
      expect(body).not.toContain(String(privateJwk.d));
    });

    it('refuses without a private key or without the token endpoint, sending nothing', () => {
      expect(() => clientCredentialsRequest({ ...keyed, private_key_jwk: undefined }, {}, context)).toThrow(
        expect.objectContaining({ name: 'ConfigurationError' }),
      );
      expect(() => clientCredentialsRequest(keyed)).toThrow(expect.objectContaining({ name: 'ConfigurationError' }));
    });
  });
});

describe('tokenRequest in a target', () => {
  const target = (tokenRequest: unknown) =>
    targetSchemas().targetConfigSchema.safeParse({
      profile: 'rfc7591',
      registrationEndpoint: 'https://idp.example.com/reg',
      initialAccessTokenSecretId: 'iat',
      tokenRequest,
    });

  it('accepts the documented shapes (Okta, Entra ID, Auth0, RFC 8707)', () => {
    for (const tokenRequest of [
      { scope: 'dcr.canary' },
      { scope: 'api://11111111-2222-3333-4444-555555555555/.default' },
      { audience: 'https://api.example.com' },
      { resource: ['https://a.example.com/', 'https://b.example.com/'], extraParams: { tenant: 'acme' } },
    ]) {
      expect(target(tokenRequest).success).toBe(true);
    }
  });

  it('never sends a __proto__ parameter, nor changes the prototype of what it parsed', () => {
    // Prepare
    const parsed = targetSchemas().tokenRequestSchema.parse(JSON.parse('{"extraParams":{"__proto__":{"polluted":"x"},"ok":"1"}}'));

    // Act
    const { body } = clientCredentialsRequest(post, parsed);

    // Assess
    expect(form(body).map(([name]) => name)).toEqual(['grant_type', 'ok', 'client_id', 'client_secret']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['an extra parameter overriding the grant', { extraParams: { grant_type: 'password' } }],
    ['an extra client_secret', { extraParams: { client_secret: 'x' } }],
    ['an extra client_assertion', { extraParams: { client_assertion_type: 'x' } }],
    ['scope given twice', { extraParams: { SCOPE: 'x' } }],
    ['a name with a space', { extraParams: { 'a b': 'x' } }],
    ['a value with a line break', { scope: 'a\r\nb' }],
    ['an empty scope', { scope: '' }],
    ['an unknown field', { scopes: ['a'] }],
    ['eleven extra parameters', { extraParams: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 'x'])) }],
    ['six resources', { resource: Array(6).fill('https://a.example.com/') }],
    ['a 2049-character value', { audience: 'a'.repeat(2049) }],
  ])('refuses %s', (_name, tokenRequest) => {
    expect(targetSchemas().tokenRequestSchema.safeParse(tokenRequest).success).toBe(false);
    expect(target(tokenRequest).success).toBe(false);
  });
});
