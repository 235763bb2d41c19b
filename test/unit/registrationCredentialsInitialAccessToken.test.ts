import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretStore } from '../../functions/core/aws/SecretsManagerSecretStore.js';
import { ConfigurationError } from '../../functions/core/errors.js';
import { parseInitialAccessToken } from '../../functions/core/registrationCredentials/initialAccessToken.js';
import {
  SecretRegistrationCredentials,
  type SecretRegistrationCredentialsOptions,
} from '../../functions/core/registrationCredentials/SecretRegistrationCredentials.js';
import { MAX_CREDENTIAL_LENGTH } from '../../functions/core/options.js';
import { scrubSecrets } from '../../functions/core/redaction.js';

const secretsManager = mockClient(SecretsManagerClient);
/** The former InitialAccessTokens API over the registration credentials port: the token the Bearer header carries. */
class InitialAccessTokens {
  readonly #credentials: SecretRegistrationCredentials;
  constructor(secrets: SecretsManagerSecretStore, cacheTtlMs?: number, now?: () => number) {
    const options: SecretRegistrationCredentialsOptions = { cacheTtlMs, now };
    this.#credentials = new SecretRegistrationCredentials(secrets, options);
  }
  async get(secretId: string, options: { refresh?: boolean } = {}): Promise<string | undefined> {
    const header = await this.#credentials.authorization({ type: 'initialAccessToken', secretId }, options);
    expect(header?.name).toBe('Authorization');
    return header?.value.replace(/^Bearer /, '');
  }
}

const answer = (SecretString: string) => ({ SecretString, ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:iat', Name: 'iat' });

describe('InitialAccessTokens', () => {
  beforeEach(() => secretsManager.reset());

  it('reads the token once and serves it from cache until the TTL passes', async () => {
    // Prepare
    let now = 0;
    secretsManager.on(GetSecretValueCommand).resolvesOnce(answer('first-token')).resolves(answer('second-token'));
    const tokens = new InitialAccessTokens(new SecretsManagerSecretStore(new SecretsManagerClient({})), 1000, () => now);

    // Act
    const a = await tokens.get('iat');
    const b = await tokens.get('iat');
    now = 1001;
    const c = await tokens.get('iat');

    // Assess
    expect([a, b, c]).toEqual(['first-token', 'first-token', 'second-token']);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('shares one read among concurrent first callers', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(answer('shared-token'));
    const tokens = new InitialAccessTokens(new SecretsManagerSecretStore(new SecretsManagerClient({})));
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.get('iat')));
    expect(new Set(all)).toEqual(new Set(['shared-token']));
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('re-reads on demand after a refusal', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce(answer('old')).resolves(answer('regenerated'));
    const tokens = new InitialAccessTokens(new SecretsManagerSecretStore(new SecretsManagerClient({})));
    expect(await tokens.get('iat')).toBe('old');
    expect(await tokens.get('iat', { refresh: true })).toBe('regenerated');
  });

  it('fails with a configuration error when the secret is missing or empty', async () => {
    const tokens = new InitialAccessTokens(new SecretsManagerSecretStore(new SecretsManagerClient({})));
    secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error('no'), { name: 'ResourceNotFoundException' }));
    await expect(tokens.get('missing')).rejects.toThrow(ConfigurationError);
    secretsManager.on(GetSecretValueCommand).resolves(answer('{"initialAccessToken":""}'));
    await expect(tokens.get('empty')).rejects.toThrow('holds no token');
  });
});

describe('InitialAccessTokens refusing a token no header can carry', () => {
  beforeEach(() => secretsManager.reset());

  it.each([
    ['a line break', 'first-half-of-token\nsecond-half-of-token'],
    ['a carriage return', 'first-half-of-token\rsecond-half-of-token'],
    ['a NUL', 'first-half-of-token\u0000second-half'],
    ['a space', 'first-half-of-token second-half'],
    ['a non-ASCII character', 'first-half-of-token\u00e9second-half'],
    ['a JSON value with a tab', JSON.stringify({ initialAccessToken: 'first-half-of-token\tsecond-half' })],
  ])('%s: a configuration error naming the secret id, never the value', async (_, value) => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves(answer(value));
    const tokens = new InitialAccessTokens(new SecretsManagerSecretStore(new SecretsManagerClient({})));

    // Act
    const error = (await tokens.get('dcr/iat/broken').then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('dcr/iat/broken');
    expect(error.message).toMatch(/control characters, spaces or non-ASCII/);
    for (const text of [error.message, error.stack ?? '', String(error)]) expect(text).not.toContain('first-half-of-token');
    // The value was remembered before it was refused, so no later output can print it either.
    expect(scrubSecrets(`echo ${value}`)).not.toContain('first-half-of-token');
  });

  it('refuses an absurdly long token by its length, not its value', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(answer('L'.repeat(MAX_CREDENTIAL_LENGTH + 1)));
    const tokens = new InitialAccessTokens(new SecretsManagerSecretStore(new SecretsManagerClient({})));
    const error = (await tokens.get('dcr/iat/long').then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(`the initial access token from secret dcr/iat/long is longer than ${MAX_CREDENTIAL_LENGTH} characters`);
  });

  it('accepts a token exactly at the limit, and trims the line break an editor leaves at the end', async () => {
    const atLimit = 'a'.repeat(MAX_CREDENTIAL_LENGTH);
    secretsManager.on(GetSecretValueCommand).resolves(answer(`${atLimit}\n`));
    const tokens = new InitialAccessTokens(new SecretsManagerSecretStore(new SecretsManagerClient({})));
    expect(await tokens.get('dcr/iat/ok')).toBe(atLimit);
  });
});

describe('parseInitialAccessToken', () => {
  it.each([
    ['raw-token', 'raw-token'],
    ['  raw-token\n', 'raw-token'],
    ['{"initialAccessToken":"json-token"}', 'json-token'],
    ['{"other":"x"}', undefined],
    ['{broken', undefined],
    ['', undefined],
  ])('%j → %j', (value, token) => {
    expect(parseInitialAccessToken(value)).toBe(token);
  });
});
