import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import { registerTenant } from '../../functions/core/useCases/registerTenant.js';
import { type Schema, validate } from '../helpers/jsonSchemaSubset.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';
import { ScriptedIdentityProvider } from '../helpers/scriptedIdentityProvider.js';
import { unitDependencies } from '../helpers/unitDependencies.js';

const schema = JSON.parse(readFileSync(new URL('../../docs/tenant-secret.schema.json', import.meta.url), 'utf8')) as Schema & {
  required: string[];
};
const IAT_SECRET = 'dcr/iat';

/** Registers tenant `acme` at a target shaped by `target` and returns the stored tenant secret, parsed. */
async function registeredRecord(target: Record<string, unknown>, discovered?: { registrationEndpoint: string; tokenEndpoint?: string }) {
  const secrets = new MemorySecretStore();
  await secrets.create({ name: IAT_SECRET, value: 'initial-access-token-value' });
  const discoveries: string[] = [];
  const deps = unitDependencies({
    config: serviceConfigSchema().parse({
      targets: { default: { initialAccessTokenSecretId: IAT_SECRET, ...target } },
    }),
    secrets,
    idp: new ScriptedIdentityProvider(),
    lines: [],
    ...(discovered && {
      discovery: {
        discover: async (issuer: string) => {
          discoveries.push(issuer);
          return discovered;
        },
      },
    }),
  });
  await registerTenant({ tenantId: 'acme', target: 'default' }, deps);
  const stored = await secrets.get('dcr/clients/default/acme');
  return { record: JSON.parse(stored?.value ?? '{}') as Record<string, unknown>, discoveries };
}

const rfc7591 = {
  profile: 'rfc7591',
  issuer: 'https://idp.example.com/realms/acme',
  registrationEndpoint: 'https://idp.example.com/realms/acme/clients-registrations/openid-connect',
  tokenEndpoint: 'https://idp.example.com/realms/acme/protocol/openid-connect/token',
};

describe('the tenant secret meets docs/tenant-secret.schema.json', () => {
  it('the validator reports what it should (it is no rubber stamp)', () => {
    expect(validate({ type: 'integer' }, 1.5)).toHaveLength(1);
    expect(validate({ required: ['a'], properties: { b: false } }, { b: 1 })).toEqual(['$.a: required', '$.b: must be absent']);
    expect(() => validate({ oneOf: [] }, {})).toThrow(/outside the subset/);
  });

  it('a record registerTenant stored (rfc7591, issuer and token endpoint configured) is valid', async () => {
    // Act
    const { record } = await registeredRecord(rfc7591);

    // Assess
    expect(validate(schema, record)).toEqual([]);
    expect(record).toMatchObject({
      schema_version: 1,
      issuer: rfc7591.issuer,
      token_endpoint: rfc7591.tokenEndpoint,
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret_expires_at: 0,
    });
  });

  it('profile salesforce: the issuer is the instance URL and the token endpoint its /services/oauth2/token', async () => {
    // Act
    const { record } = await registeredRecord({
      profile: 'salesforce',
      registrationEndpoint: 'https://acme.my.salesforce.com/services/oauth2/register',
    });

    // Assess
    expect(validate(schema, record)).toEqual([]);
    expect(record).toMatchObject({
      issuer: 'https://acme.my.salesforce.com',
      token_endpoint: 'https://acme.my.salesforce.com/services/oauth2/token',
      token_endpoint_auth_method: 'client_secret_post',
    });
  });

  it('a configured issuer without a token endpoint: the token endpoint is discovered', async () => {
    // Act
    const { tokenEndpoint: _configured, ...withoutTokenEndpoint } = rfc7591;
    const { record, discoveries } = await registeredRecord(withoutTokenEndpoint, {
      registrationEndpoint: rfc7591.registrationEndpoint,
      tokenEndpoint: 'https://idp.example.com/realms/acme/discovered/token',
    });

    // Assess
    expect(discoveries).toEqual([rfc7591.issuer]);
    expect(record.token_endpoint).toBe('https://idp.example.com/realms/acme/discovered/token');
    expect(validate(schema, record)).toEqual([]);
  });

  it('neither issuer nor token endpoint (not salesforce): nothing is guessed, and the record is outside the contract', async () => {
    // Act
    const { record } = await registeredRecord({ profile: 'rfc7591', registrationEndpoint: rfc7591.registrationEndpoint });

    // Assess
    expect(record).not.toHaveProperty('issuer');
    expect(record).not.toHaveProperty('token_endpoint');
    expect(validate(schema, record)).toEqual(['$.issuer: required', '$.token_endpoint: required']);
  });

  it.each(schema.required)('fails when the required field %s is dropped', async (field) => {
    // Prepare
    const { record } = await registeredRecord(rfc7591);
    delete record[field];

    // Act
    const errors = validate(schema, record);

    // Assess
    expect(errors).toContain(`$.${field}: required`);
  });

  it.each(['client_secret', 'client_secret_expires_at'])('fails when a client_secret_basic record lacks %s', async (field) => {
    // Prepare
    const { record } = await registeredRecord(rfc7591);
    delete record[field];

    // Assess
    expect(validate(schema, record)).toEqual([`$.${field}: required`]);
  });

  it('fails when a private_key_jwt record lacks its private_key_jwk', async () => {
    // Prepare
    const { record } = await registeredRecord(rfc7591);
    const keyed: Record<string, unknown> = { ...record, token_endpoint_auth_method: 'private_key_jwt' };
    delete keyed.client_secret;

    // Assess
    expect(validate(schema, keyed)).toEqual(['$.private_key_jwk: required']);
    expect(validate(schema, { ...keyed, private_key_jwk: { kty: 'EC' } })).toEqual([]);
  });

  it.each(['registration_access_token', 'registration_client_uri'])('fails when the management credential %s is in it', async (field) => {
    // Prepare
    const { record } = await registeredRecord(rfc7591);

    // Assess
    expect(validate(schema, { ...record, [field]: 'x' })).toEqual([`$.${field}: must be absent`]);
  });

  it('accepts fields it does not know (readers must too)', async () => {
    const { record } = await registeredRecord(rfc7591);
    expect(validate(schema, { ...record, added_in_a_later_release: { any: 'thing' } })).toEqual([]);
  });
});
