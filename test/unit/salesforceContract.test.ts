import { describe, expect, it } from 'vitest';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import type { EndpointTarget } from '../../functions/core/config/targetConfig.js';
import { HttpIdentityProvider } from '../../functions/core/idp/HttpIdentityProvider.js';
import { buildRegisteredRecord } from '../../functions/core/secretRecord.js';
import { loadSeed000 } from '../helpers/seedFixture.js';

const seed = loadSeed000();
const values = {
  clientId: '3MVG9seedclient',
  clientSecret: 'seed-client-secret-value',
  registrationAccessToken: 'seed-rat-value',
  issuedAt: 1700150648,
};

function providerAnswering(status: number, body: string) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fakeFetch = (async (url: string, init: RequestInit) => {
    requests.push({ url, init });
    return new Response(body, { status, headers: { 'content-type': 'application/json;charset=UTF-8' } });
  }) as unknown as typeof fetch;
  return { idp: new HttpIdentityProvider({ fetch: fakeFetch }), requests };
}

const config = parseServiceConfig(
  JSON.stringify({
    targets: {
      default: {
        profile: 'salesforce',
        registrationEndpoint: 'https://login.salesforce.com/services/oauth2/register',
        initialAccessTokenSecretId: 'dcr/iat/default',
        clientMetadata: seed.request,
      },
    },
  }),
  'test',
);
const target = { name: 'default', config: config.targets.default! as EndpointTarget };

describe('Salesforce profile against the seed 000 fixture', () => {
  it('sends the seed request body unchanged, with the bearer IAT and JSON headers', async () => {
    // Prepare
    const { idp, requests } = providerAnswering(seed.responseStatus, seed.responseBody(values));

    // Act
    await idp.register(target.config, target.config.clientMetadata, 'the-initial-access-token');

    // Assess
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe('https://login.salesforce.com/services/oauth2/register');
    expect(request?.init.method).toBe('POST');
    expect(request?.init.headers).toMatchObject({
      authorization: 'Bearer the-initial-access-token',
      'content-type': 'application/json',
      accept: 'application/json',
    });
    expect(JSON.parse(String(request?.init.body))).toEqual(seed.request);
  });

  it("parses the sample 201 into a stored record with the same meaning, keeping Salesforce's extras", async () => {
    // Prepare
    const { idp } = providerAnswering(seed.responseStatus, seed.responseBody(values));
    const sample = JSON.parse(seed.responseBody(values));

    // Act
    const registration = await idp.register(target.config, target.config.clientMetadata, 'iat');
    const record = buildRegisteredRecord('acme', target, registration, new Date('2026-11-23T00:00:00Z'));

    // Assess
    expect(seed.responseStatus).toBe(201);
    expect(record).toMatchObject({
      client_id: values.clientId,
      client_secret: values.clientSecret,
      client_id_issued_at: values.issuedAt,
      client_secret_expires_at: 0,
      token_endpoint_auth_method: 'client_secret_post',
      tenant_id: 'acme',
      target: 'default',
      profile: 'salesforce',
      registered_at: '2026-11-23T00:00:00.000Z',
    });
    for (const key of ['redirect_uris', 'response_types', 'grant_types', 'contacts', 'client_name', 'scopes']) {
      expect(record.client_metadata[key]).toEqual(sample[key]);
    }
    expect(record.client_metadata.grant_types).toContain('hybrid_auth_code');
    // The RFC 7592 credentials are parsed, and kept for the management secret, not the tenant record.
    expect(registration).toMatchObject({
      registration_access_token: values.registrationAccessToken,
      registration_client_uri: `https://login.salesforce.com/services/oauth2/register/${values.clientId}`,
    });
    expect(record).not.toHaveProperty('registration_access_token');
  });
});
