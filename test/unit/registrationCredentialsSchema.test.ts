import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { ConfigurationError } from '../../functions/core/errors.js';

const base = { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/register' };

function parseTarget(extra: Record<string, unknown>) {
  return parseServiceConfig(JSON.stringify({ targets: { default: { ...base, ...extra } } }), 'test').targets.default!;
}

function refusal(extra: Record<string, unknown>): string {
  try {
    parseTarget(extra);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('the target was accepted');
}

describe('registrationCredential in the target schema', () => {
  it('normalises initialAccessTokenSecretId to {type: "initialAccessToken"}', () => {
    // Act
    const target = parseTarget({ initialAccessTokenSecretId: 'dcr/iat/default' });

    // Assess
    expect(target.registrationCredential).toEqual({ type: 'initialAccessToken', secretId: 'dcr/iat/default' });
  });

  it.each([
    [
      { type: 'initialAccessToken', secretId: 'iat' },
      { type: 'initialAccessToken', secretId: 'iat' },
    ],
    [
      { type: 'clientCredentials', tokenEndpoint: 'https://idp.example.com/token', secretId: 'reg-client' },
      { type: 'clientCredentials', tokenEndpoint: 'https://idp.example.com/token', secretId: 'reg-client' },
    ],
    [
      {
        type: 'clientCredentials',
        tokenEndpoint: 'http://127.0.0.1:8443/token',
        secretId: 'reg-client',
        scope: 'okta.clients.register',
        authMethod: 'private_key_jwt',
      },
      {
        type: 'clientCredentials',
        tokenEndpoint: 'http://127.0.0.1:8443/token',
        secretId: 'reg-client',
        scope: 'okta.clients.register',
        authMethod: 'private_key_jwt',
      },
    ],
    [
      { type: 'apiKey', secretId: 'okta-key' },
      { type: 'apiKey', secretId: 'okta-key', header: 'Authorization', scheme: 'SSWS' },
    ],
    [
      { type: 'apiKey', secretId: 'k', header: 'X-Api-Key', scheme: '' },
      { type: 'apiKey', secretId: 'k', header: 'X-Api-Key', scheme: '' },
    ],
    [{ type: 'none' }, { type: 'none' }],
  ])('accepts %j', (credential, normalised) => {
    // Act
    const target = parseTarget({ registrationCredential: credential });

    // Assess
    expect(target.registrationCredential).toEqual(normalised);
  });

  it('refuses a target with neither: open registration is never a default', () => {
    expect(refusal({})).toMatch(/registrationCredential: give exactly one of registrationCredential and initialAccessTokenSecretId/);
  });

  it('refuses a target with both', () => {
    expect(refusal({ initialAccessTokenSecretId: 'iat', registrationCredential: { type: 'none' } })).toMatch(/give exactly one/);
  });

  it.each([
    ['an unknown type', { type: 'password', secretId: 's' }],
    ['a missing secretId', { type: 'initialAccessToken' }],
    ['an empty secretId', { type: 'apiKey', secretId: '' }],
    ['a secretId on none', { type: 'none', secretId: 's' }],
    ['an unknown field', { type: 'initialAccessToken', secretId: 's', token: 'inline' }],
    ['a missing tokenEndpoint', { type: 'clientCredentials', secretId: 's' }],
    ['a plain-http tokenEndpoint', { type: 'clientCredentials', tokenEndpoint: 'http://idp.example.com/token', secretId: 's' }],
    ['a tokenEndpoint with credentials', { type: 'clientCredentials', tokenEndpoint: 'https://u:p@idp.example.com/token', secretId: 's' }],
    [
      'an unknown authMethod',
      { type: 'clientCredentials', tokenEndpoint: 'https://idp.example.com/t', secretId: 's', authMethod: 'tls_client_auth' },
    ],
    ['a scope with a line break', { type: 'clientCredentials', tokenEndpoint: 'https://idp.example.com/t', secretId: 's', scope: 'a\nb' }],
    ['a header with a space', { type: 'apiKey', secretId: 's', header: 'X Api Key' }],
    ['a header with a colon', { type: 'apiKey', secretId: 's', header: 'Authorization:' }],
    ['a header with a line break', { type: 'apiKey', secretId: 's', header: 'X-Key\r\nInjected' }],
    ['an empty header', { type: 'apiKey', secretId: 's', header: '' }],
    ['a non-ASCII header', { type: 'apiKey', secretId: 's', header: 'X-Schlüssel' }],
    ['the Host header', { type: 'apiKey', secretId: 's', header: 'Host' }],
    ['the Content-Type header', { type: 'apiKey', secretId: 's', header: 'content-type' }],
    ['a scheme with a space', { type: 'apiKey', secretId: 's', scheme: 'SSWS x' }],
    ['a scheme with a line break', { type: 'apiKey', secretId: 's', scheme: 'SSWS\n' }],
  ])('refuses %s, naming the field', (_, credential) => {
    expect(refusal({ registrationCredential: credential })).toMatch(/targets\.default\.registrationCredential/);
  });
});
