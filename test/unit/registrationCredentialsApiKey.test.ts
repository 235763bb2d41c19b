import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { ConfigurationError } from '../../functions/core/errors.js';
import { scrubSecrets } from '../../functions/core/redaction.js';
import { SecretRegistrationCredentials } from '../../functions/core/registrationCredentials/SecretRegistrationCredentials.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';

describe('an API key and open registration', () => {
  it.each([
    [{}, 'okta-api-key-0123456789', { name: 'Authorization', value: 'SSWS okta-api-key-0123456789' }],
    [{ header: 'X-Api-Key', scheme: '' }, '{"apiKey":"bare-api-key-0123456789"}', { name: 'X-Api-Key', value: 'bare-api-key-0123456789' }],
    [{ scheme: 'Token' }, 'token-api-key-0123456789\n', { name: 'Authorization', value: 'Token token-api-key-0123456789' }],
  ])('%j with the secret %j sends %j', async (options, value, header) => {
    // Prepare
    const secrets = new MemorySecretStore();
    await secrets.create({ name: 'dcr/api-key', value });
    const config = parseServiceConfig(
      JSON.stringify({
        targets: {
          default: {
            profile: 'rfc7591',
            registrationEndpoint: 'https://idp.example.com/reg',
            registrationCredential: { type: 'apiKey', secretId: 'dcr/api-key', ...options },
          },
        },
      }),
      'test',
    );

    // Act
    const sent = await new SecretRegistrationCredentials(secrets).authorization(config.targets.default!.registrationCredential);

    // Assess
    expect(sent).toEqual(header);
    expect(scrubSecrets(`key ${header.value}`)).not.toMatch(/api-key-0123456789/);
  });

  it('an API key no header can carry is refused by its secret id', async () => {
    const secrets = new MemorySecretStore();
    await secrets.create({ name: 'dcr/api-key', value: 'first-half-of-key second-half' });
    const error = (await new SecretRegistrationCredentials(secrets)
      .authorization({ type: 'apiKey', secretId: 'dcr/api-key', header: 'Authorization', scheme: 'SSWS' })
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/the API key from secret dcr\/api-key has control characters, spaces/);
    expect(error.message).not.toContain('first-half-of-key');
  });

  it('open registration sends no header and reads no secret', async () => {
    const secrets = new MemorySecretStore();
    expect(await new SecretRegistrationCredentials(secrets).authorization({ type: 'none' })).toBeNull();
    expect(secrets.calls).toEqual([]);
  });
});
