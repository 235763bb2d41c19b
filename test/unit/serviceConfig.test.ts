import { describe, expect, it } from 'vitest';
import { parseServiceConfig, resolveTarget, secretNameFor } from '../../functions/core/config/serviceConfig.js';
import { isAllowedEndpoint } from '../../functions/core/config/targetConfig.js';
import { ConfigurationError } from '../../functions/core/errors.js';

const target = {
  profile: 'salesforce',
  registrationEndpoint: 'https://login.salesforce.com/services/oauth2/register',
  initialAccessTokenSecretId: 'dcr/iat/default',
};
const parse = (config: unknown) => parseServiceConfig(JSON.stringify(config), 'ssm:/dcr/config');

describe('parseServiceConfig', () => {
  it('applies defaults and keeps extra keys for later features', () => {
    // Act
    const config = parse({ targets: { default: target }, futureFeature: { on: true } });

    // Assess
    expect(config.secretNamePrefix).toBe('dcr/clients/');
    expect(config.defaultTarget).toBe('default');
    expect(config.targets.default?.clientMetadata).toEqual({});
    expect((config as Record<string, unknown>).futureFeature).toEqual({ on: true });
  });

  it.each([
    [
      'a non-loopback http endpoint',
      { targets: { default: { ...target, registrationEndpoint: 'http://idp.example.com/reg' } } },
      'targets.default.registrationEndpoint',
    ],
    ['an unknown profile', { targets: { default: { ...target, profile: 'okta' } } }, 'targets.default.profile'],
    ['a bad target name', { targets: { Default: target } }, 'targets.Default'],
    ['a default target that does not exist', { defaultTarget: 'other', targets: { default: target } }, 'defaultTarget'],
    ['no targets', { targets: {} }, 'targets'],
    ['a bad token endpoint', { targets: { default: { ...target, tokenEndpoint: 'ftp://x' } } }, 'targets.default.tokenEndpoint'],
    ['a prefix with spaces', { secretNamePrefix: 'a b/', targets: { default: target } }, 'secretNamePrefix'],
  ])('rejects %s, naming the field', (_, config, field) => {
    expect(() => parse(config)).toThrow(ConfigurationError);
    expect(() => parse(config)).toThrow(new RegExp(`ssm:/dcr/config is invalid: .*${field.replace('.', '\\.')}`));
  });

  it('rejects a document that is not JSON', () => {
    expect(() => parseServiceConfig('{', 'ssm:/x')).toThrow('configuration in ssm:/x is not valid JSON');
  });
});

describe('targets and secret names', () => {
  it('resolves the default or a named target and composes the secret name', () => {
    const config = parse({ secretNamePrefix: 'dcr/clients/', targets: { default: target, eu: target } });
    expect(resolveTarget(config, undefined)?.name).toBe('default');
    expect(resolveTarget(config, 'eu')?.name).toBe('eu');
    expect(resolveTarget(config, 'toString')).toBeUndefined();
    expect(secretNameFor(config, 'eu', 'acme')).toBe('dcr/clients/eu/acme');
  });
});

describe('isAllowedEndpoint', () => {
  it.each([
    ['https://login.salesforce.com/services/oauth2/register', true],
    ['http://127.0.0.1:8080/reg', true],
    ['http://127.10.0.3/reg', true],
    ['http://localhost:3000/reg', true],
    ['http://[::1]:3000/reg', true],
    ['http://10.0.0.1/reg', false],
    ['http://localhost.example.com/reg', false],
    ['https://user:pass@idp.example.com/reg', false],
    ['https://idp.example.com/reg#x', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedEndpoint(url)).toBe(allowed);
  });
});
