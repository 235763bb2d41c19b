import { describe, expect, it } from 'vitest';
import { TemporarilyUnavailableError, UnusableRegistrationError } from '../../functions/core/errors.js';
import { Logger } from '../../functions/core/logger.js';
import { dispatch } from '../../functions/register/dispatch.js';
import type { Runtime } from '../../functions/register/runtime.js';
import { quoteSafely, redactError, rememberSecret, rememberSecretsIn, scrubSecrets } from '../../functions/core/redaction.js';

const SECRET = 'Zx9-never-seen-before_value.0123456789';

describe('scrubSecrets patterns (values this process never read)', () => {
  it.each([
    ['a Bearer header', `Authorization: Bearer ${SECRET}`],
    ['a lower-case bearer', `authorization: bearer ${SECRET}`],
    ['Basic credentials', `Basic ${Buffer.from(`client:${SECRET}`).toString('base64')}`],
    ['an Okta SSWS key', `SSWS ${SECRET}`],
    ['a DPoP-bound token', `DPoP ${SECRET}`],
    ['client_secret in JSON', `{"client_id":"abc","client_secret":"${SECRET}"}`],
    ['registration_access_token in JSON with spaces', `{ "registration_access_token" : "${SECRET}" }`],
    ['access_token in JSON', `{"access_token":"${SECRET}","token_type":"Bearer"}`],
    ['refresh_token in JSON', `{"refresh_token":"${SECRET}"}`],
    ['id_token in JSON', `{"id_token":"${SECRET}"}`],
    ['initialAccessToken in JSON', `{"initialAccessToken":"${SECRET}"}`],
    ['a camelCase clientSecret', `{"clientSecret":"${SECRET}"}`],
    ['a value with escaped quotes', `{"client_secret":"${SECRET}\\"${SECRET}"}`],
    ['an unterminated value (a cut body)', `{"client_secret":"${SECRET}`],
    ['JSON inside a JSON string', JSON.stringify({ body: JSON.stringify({ client_secret: SECRET }) })],
    [
      'JSON inside a string inside a string',
      JSON.stringify({ a: JSON.stringify({ b: JSON.stringify({ registration_access_token: SECRET }) }) }),
    ],
    ['a form-encoded client_secret', `grant_type=client_credentials&client_secret=${SECRET}&client_id=abc`],
    ['a key: value line', `registration_access_token: ${SECRET}`],
    ['a private_key_jwk object', `{"private_key_jwk":{"kty":"RSA","n":"pub","d":"${SECRET}"}}`],
    ['a JWK private exponent in a key set', `{"keys":[{"kty":"EC","x":"pub","d":"${SECRET}"}]}`],
    ['a symmetric JWK', `{"kty":"oct","k":"${SECRET}"}`],
    ['a JWT', `token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIke1NFQ1JFVH0ifQ.${SECRET} here`],
    ['a JWE', `eyJhbGciOiJSU0EtT0FFUCJ9.${SECRET}.iv-part.${SECRET}.tag`],
  ])('redacts %s', (_, text) => {
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).not.toContain(SECRET);
    expect(scrubbed).toContain('[REDACTED]');
  });

  it.each([
    '{"token_endpoint":"https://idp.example.com/token","client_secret_expires_at":0}',
    '{"token_endpoint_auth_method":"client_secret_basic","secretName":"dcr/clients/default/acme"}',
    'initial access token secret dcr/iat/salesforce holds no token',
    'identity provider answered 400 to registration (invalid_client_metadata: redirect_uris must be https)',
    '{"kid":"local","error":"invalid_token","secretArn":"arn:aws:secretsmanager:us-east-1:1:secret:x"}',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(scrubSecrets(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = scrubSecrets(`Bearer ${SECRET} {"client_secret":"${SECRET}"} client_secret=${SECRET}`);
    expect(scrubSecrets(once)).toBe(once);
  });

  it('scrubs a remembered value in its raw and its JSON-escaped form', () => {
    const value = 'quote"and\\backslash-secret';
    rememberSecret(value);
    expect(scrubSecrets(`raw ${value}`)).toBe('raw [REDACTED]');
    expect(scrubSecrets(JSON.stringify({ message: `json ${value}` }))).toBe('{"message":"json [REDACTED]"}');
  });
});

describe('rememberSecretsIn', () => {
  it('remembers every secret-named string of a stored record, at any depth, and nothing else', () => {
    // Prepare
    const record = {
      dcr_status: 'registered',
      client_id: 'client-id-visible',
      client_secret: 'record-client-secret-1',
      registration_access_token: 'record-rat-1',
      nested: { initialAccessToken: 'record-iat-1' },
      private_key_jwk: { kty: 'RSA', n: 'public-modulus-1', d: 'record-private-d-1' },
      registration_client_uri: 'https://idp.example.com/register/client-id-visible',
    };

    // Act
    rememberSecretsIn(JSON.stringify(record));
    const scrubbed = scrubSecrets(
      'record-client-secret-1 record-rat-1 record-iat-1 record-private-d-1 client-id-visible https://idp.example.com/register/client-id-visible',
    );

    // Assess
    expect(scrubbed).toBe(
      '[REDACTED] [REDACTED] [REDACTED] [REDACTED] client-id-visible https://idp.example.com/register/client-id-visible',
    );
  });

  it('remembers a raw (non-JSON) secret such as an initial access token, trimmed or not', () => {
    rememberSecretsIn('raw-initial-access-token-7\n');
    expect(scrubSecrets('refused raw-initial-access-token-7 today')).toBe('refused [REDACTED] today');
  });
});

describe('quoteSafely', () => {
  it('makes one short line: control, format and separator characters removed, cut with an ellipsis', () => {
    const quoted = quoteSafely(`first\r\nsecond\u0000\u202ereversed\u200b\u2028${'x'.repeat(500)}`, 40);
    expect(quoted).toMatch(/^first second reversed x+…$/);
    expect(quoted).toHaveLength(40);
  });

  it('redacts before cutting, so a cut never leaves half a credential', () => {
    const quoted = quoteSafely(`${'a'.repeat(30)} Bearer ${SECRET}`, 45);
    expect(quoted).not.toContain(SECRET.slice(0, 6));
  });

  it('catches a remembered value split by a line break', () => {
    rememberSecret('multi\nline-remembered-secret');
    expect(quoteSafely('echo multi\nline-remembered-secret', 200)).toBe('echo [REDACTED]');
  });
});

describe('redactError', () => {
  it('keeps class, name, code and retryable; scrubs message and stack; drops cause and other properties', () => {
    // Prepare
    rememberSecret('thrown-secret-value-1');
    const original = Object.assign(
      new TemporarilyUnavailableError('provider said thrown-secret-value-1 and Bearer fresh-token-42', 3, {
        cause: new Error('thrown-secret-value-1'),
      }),
      { $response: { body: 'thrown-secret-value-1' } },
    );

    // Act
    const safe = redactError(original);

    // Assess
    expect(safe).toBeInstanceOf(TemporarilyUnavailableError);
    expect(safe).toMatchObject({
      name: 'TemporarilyUnavailableError',
      code: 'temporarily_unavailable',
      retryable: true,
      retryAfterSeconds: 3,
    });
    expect(safe.cause).toBeUndefined();
    for (const text of [safe.message, safe.stack ?? '', String(safe), JSON.stringify(safe)]) {
      expect(text).not.toContain('thrown-secret-value-1');
      expect(text).not.toContain('fresh-token-42');
    }
    expect(safe.stack).toMatch(/^TemporarilyUnavailableError: provider said \[REDACTED\] and Bearer \[REDACTED\]\n\s+at /);
  });

  it('never exposes the registration an unusable answer carried', () => {
    const original = new UnusableRegistrationError('no client_secret', { client_id: 'c', registration_access_token: 'unusable-rat-1' });
    const safe = redactError(original);
    expect(JSON.stringify(safe)).not.toContain('unusable-rat-1');
    expect(Object.getOwnPropertyNames(safe)).not.toContain('client');
  });

  it('turns a thrown non-error into an Error without its content', () => {
    const safe = redactError({ client_secret: 'object-thrown-secret' });
    expect(safe).toBeInstanceOf(Error);
    expect(`${safe.message}${safe.stack}`).not.toContain('object-thrown-secret');
  });
});

describe('dispatch: what reaches the Lambda runtime', () => {
  const event = { id: 'e-1', 'detail-type': 'TenantOnboarded', source: 'tenants', detail: { tenantId: 'acme' } };
  const failingRuntime = (error: Error): Runtime => ({ logger: new Logger({ sink: () => {} }), dependencies: () => Promise.reject(error) });

  it('still throws a retryable failure (so Lambda retries), redacted and without its cause', async () => {
    // Prepare
    rememberSecret('dispatch-remembered-iat');
    const failure = new TemporarilyUnavailableError('provider echoed Bearer dispatch-fresh-rat', 2, {
      cause: new Error('dispatch-remembered-iat'),
    });

    // Act
    const thrown = (await dispatch(event, failingRuntime(failure)).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;

    // Assess
    expect(thrown).toBeInstanceOf(TemporarilyUnavailableError);
    expect(thrown).toMatchObject({ code: 'temporarily_unavailable', retryable: true });
    expect(thrown.cause).toBeUndefined();
    const rendered = [thrown.message, thrown.stack, String(thrown), JSON.stringify(thrown)].join('\n');
    expect(rendered).not.toContain('dispatch-fresh-rat');
    expect(rendered).not.toContain('dispatch-remembered-iat');
  });

  it('redacts an unexpected fault such as the HTTP client refusing a header value', async () => {
    rememberSecret('dispatch-header-iat', { pin: true });
    const failure = new TypeError('Headers.append: "Bearer dispatch-header-iat" is an invalid header value.');
    const thrown = (await dispatch(event, failingRuntime(failure)).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(thrown).toBeInstanceOf(TypeError);
    expect(`${thrown.message}${thrown.stack}`).not.toContain('dispatch-header-iat');
  });
});
