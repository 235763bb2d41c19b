import { describe, expect, it } from 'vitest';
import { Logger, rememberSecret } from '../../functions/core/logger.js';

function capture() {
  const lines: string[] = [];
  return { lines, logger: new Logger({ sink: (line) => lines.push(line), level: 'DEBUG' }) };
}

describe('Logger', () => {
  it('writes one JSON object per line with level, message, service and fields', () => {
    // Prepare
    const { lines, logger } = capture();

    // Act
    logger.child({ requestId: 'r-1' }).info('client registered', { tenantId: 'acme' });

    // Assess
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'INFO',
      message: 'client registered',
      service: 'dcr-onboarding',
      requestId: 'r-1',
      tenantId: 'acme',
    });
  });

  it('redacts secret-named fields at any depth but keeps endpoints and expiry times', () => {
    // Prepare
    const { lines, logger } = capture();

    // Act
    logger.info('x', {
      record: {
        client_secret: 'a',
        registration_access_token: 'b',
        initialAccessToken: 'c',
        token_endpoint: 'https://t',
        client_secret_expires_at: 0,
      },
      headers: { authorization: 'Bearer d' },
    });

    // Assess
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      record: {
        client_secret: '[REDACTED]',
        registration_access_token: '[REDACTED]',
        initialAccessToken: '[REDACTED]',
        token_endpoint: 'https://t',
        client_secret_expires_at: 0,
      },
      headers: { authorization: '[REDACTED]' },
    });
  });

  it('scrubs remembered secret values wherever they appear, including error messages and causes', () => {
    // Prepare
    const { lines, logger } = capture();
    rememberSecret('iat-value-0123456789');

    // Act
    logger.error('failed', { error: new Error('refused iat-value-0123456789', { cause: new Error('iat-value-0123456789') }) });

    // Assess
    expect(lines[0]).not.toContain('iat-value-0123456789');
    expect(lines[0]).toContain('refused [REDACTED]');
  });

  it('redacts a private key object and the private members of any JWK it logs', () => {
    // Prepare
    const { lines, logger } = capture();

    // Act
    logger.info('x', {
      private_key_jwk: { kty: 'RSA', n: 'public-n', d: 'private-d-value' },
      jwks: { keys: [{ kty: 'EC', x: 'public-x', d: 'ec-private-value' }] },
      point: { d: 'not-a-jwk-member' },
    });

    // Assess
    const line = JSON.parse(lines[0] ?? '');
    expect(line).toMatchObject({
      private_key_jwk: '[REDACTED]',
      jwks: { keys: [{ kty: 'EC', x: 'public-x', d: '[REDACTED]' }] },
    });
    expect(lines[0]).not.toContain('private-d-value');
    expect(lines[0]).not.toContain('ec-private-value');
  });

  it('redacts credentials in free text it was never told about (a fresh container)', () => {
    // Prepare
    const { lines, logger } = capture();
    const echoed = 'never-remembered-rat-0001';

    // Act
    logger.warn('identity provider said', {
      description: `Bearer ${echoed}`,
      body: JSON.stringify({ registration_access_token: echoed, note: `client_secret=${echoed}` }),
      error: new Error(`refused {"client_secret":"${echoed}"}`),
    });

    // Assess
    expect(lines[0]).not.toContain(echoed);
    expect(JSON.parse(lines[0] ?? '').description).toBe('Bearer [REDACTED]');
  });

  it('drops lines below the threshold', () => {
    const lines: string[] = [];
    new Logger({ sink: (line) => lines.push(line), level: 'WARN' }).info('quiet');
    expect(lines).toEqual([]);
  });
});

describe('remembered secrets', () => {
  it('keeps a pinned initial access token redacted after 600 newer client secrets', () => {
    // Prepare
    const lines: string[] = [];
    const logger = new Logger({ sink: (line) => lines.push(line) });
    rememberSecret('pinned-initial-access-token', { pin: true });
    rememberSecret('recently-used-client-secret-0');
    for (let i = 1; i <= 600; i++) rememberSecret(`client-secret-number-${i}`);

    // Act
    logger.info('echo pinned-initial-access-token client-secret-number-600 client-secret-number-1');

    // Assess: the pinned and the newest stay redacted; the oldest plain ones were evicted
    expect(lines[0]).not.toContain('pinned-initial-access-token');
    expect(lines[0]).not.toContain('client-secret-number-600');
    expect(lines[0]).toContain('client-secret-number-1');
  });

  it('refreshes a value handled again, so it is not the next one evicted', () => {
    const lines: string[] = [];
    const logger = new Logger({ sink: (line) => lines.push(line) });
    rememberSecret('refreshed-secret-value');
    for (let i = 0; i < 400; i++) rememberSecret(`filler-secret-a-${i}`);
    rememberSecret('refreshed-secret-value');
    for (let i = 0; i < 400; i++) rememberSecret(`filler-secret-b-${i}`);
    logger.info('refreshed-secret-value');
    expect(lines[0]).not.toContain('refreshed-secret-value');
  });
});
