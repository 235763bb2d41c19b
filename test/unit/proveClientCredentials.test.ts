import { describe, expect, it } from 'vitest';
import { HttpIdentityProvider } from '../../functions/core/idp/HttpIdentityProvider.js';
import type { ProofOptions } from '../../functions/core/ports/IdentityProvider.js';

const credentials = { client_id: 'c1', client_secret: 'client-secret-value', token_endpoint_auth_method: 'client_secret_post' };
const WITHOUT_GRANT: ProofOptions = { grantTypes: ['authorization_code', 'refresh_token'] };
const WITH_GRANT: ProofOptions = { grantTypes: ['client_credentials'] };

function answering(status: number, body?: unknown) {
  const sent: string[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    sent.push(String(init.body));
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { sent, idp: new HttpIdentityProvider({ fetch }) };
}
const prove = (status: number, body: unknown, options: ProofOptions) =>
  answering(status, body)
    .idp.proveClientCredentials('https://idp.example.com/token', credentials, options)
    .catch((error: Error) => error);

describe('HttpIdentityProvider.proveClientCredentials', () => {
  it('resolves "token" when a token is issued, sending the target\'s tokenRequest', async () => {
    // Prepare
    const { sent, idp } = answering(200, { access_token: 'at-1', token_type: 'Bearer' });

    // Act
    const proof = await idp.proveClientCredentials('https://idp.example.com/token', credentials, {
      ...WITH_GRANT,
      tokenRequest: { scope: 'api', resource: 'https://api.example.com/' },
    });

    // Assess
    expect(proof).toBe('token');
    expect([...new URLSearchParams(sent[0])].filter(([name]) => name !== 'client_secret')).toEqual([
      ['grant_type', 'client_credentials'],
      ['scope', 'api'],
      ['resource', 'https://api.example.com/'],
      ['client_id', 'c1'],
    ]);
  });

  it.each([
    [400, 'unauthorized_client'],
    [400, 'unsupported_grant_type'],
    [400, 'invalid_grant'],
    [400, 'invalid_scope'],
    [400, 'invalid_target'],
    [403, 'unauthorized_client'],
  ])('a client without the grant refused with %i %s is "authenticated"', async (status, error) => {
    expect(await prove(status, { error }, WITHOUT_GRANT)).toBe('authenticated');
  });

  it.each([
    ['the same refusal for a client registered for the grant', 400, { error: 'unauthorized_client' }, WITH_GRANT, 'UpstreamError'],
    [
      'a refusal without options (the caller did not say the client lacks the grant)',
      400,
      { error: 'unauthorized_client' },
      {},
      'UpstreamError',
    ],
    ['invalid_client at 401', 401, { error: 'invalid_client' }, WITHOUT_GRANT, 'InvalidClientError'],
    ['invalid_client at 400', 400, { error: 'invalid_client' }, WITHOUT_GRANT, 'InvalidClientError'],
    [
      "Salesforce's invalid_client_id",
      400,
      { error: 'invalid_client_id', error_description: 'client identifier invalid' },
      WITHOUT_GRANT,
      'InvalidClientError',
    ],
    ['a bare 401', 401, undefined, WITHOUT_GRANT, 'InvalidClientError'],
    ['a bare 403 (scope missing at Glewlwyd)', 403, undefined, WITHOUT_GRANT, 'UpstreamError'],
    ['invalid_request (may come before authentication)', 400, { error: 'invalid_request' }, WITHOUT_GRANT, 'UpstreamError'],
    ['a 400 without an error code', 400, { message: 'no' }, WITHOUT_GRANT, 'UpstreamError'],
    ['a 503', 503, { error: 'temporarily_unavailable' }, WITHOUT_GRANT, 'TemporarilyUnavailableError'],
    ['a 200 without access_token', 200, { token_type: 'Bearer' }, WITH_GRANT, 'UpstreamError'],
  ])('%s is not a proof (%i)', async (_name, status, body, options, name) => {
    const outcome = await prove(status, body, options);
    expect(outcome).toMatchObject({ name });
    expect((outcome as Error).message).not.toContain('client-secret-value');
  });
});
