import { describe, expect, it } from 'vitest';
import { RegistrationAccessTokenRejectedError } from '../../functions/core/errors.js';
import { loadManagementCredentials } from '../../functions/core/managementCredentials.js';
import { reconcileClients } from '../../functions/core/useCases/reconcileClients.js';
import { maintenanceSetup, PREFIX } from '../helpers/maintenanceSetup.js';

/** The provider's copy of a client, edited behind the service's back. */
function editAtProvider(
  setup: Awaited<ReturnType<typeof maintenanceSetup>>,
  clientId: string,
  edit: (metadata: Record<string, unknown>) => void,
) {
  const client = setup.idp.clients.get(clientId);
  if (!client?.metadata) throw new Error(`no client ${clientId}`);
  edit(client.metadata);
}

describe('reconcileClients', () => {
  it('reports a client gone at the provider as missing, marks the record once, publishes ClientDrifted (missing) once', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    const gone = await setup.register('gone');
    await setup.register('kept');
    setup.idp.clients.delete(gone.clientId ?? '');

    // Act
    const first = await reconcileClients({}, setup.deps);
    const second = await reconcileClients({ target: 'rfc' }, setup.deps);

    // Assess
    expect(first).toMatchObject({ checked: 2, missing: [{ tenantId: 'gone', target: 'rfc' }], drifted: [], failed: [] });
    expect(second.missing).toEqual([{ tenantId: 'gone', target: 'rfc' }]);
    const record = await setup.record('rfc', 'gone');
    expect(record.drift).toMatchObject({ status: 'missing' });
    expect(Date.parse(record.drift.detected_at)).toBe(setup.clock.now.getTime());
    expect((await setup.record('rfc', 'kept')).drift).toBeUndefined();
    const drifted = setup.events.filter((event) => event.type === 'ClientDrifted');
    expect(drifted.map((event) => event.detail)).toEqual([{ tenantId: 'gone', target: 'rfc', clientId: gone.clientId, reason: 'missing' }]);
    expect(setup.metric('ClientDrifted')).toBe(2); // one per run while it stays missing
  });

  it('tells a 401 apart: missing when the client credentials are refused too, a failure (not missing) when only the token is bad', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    const gone = await setup.register('gone');
    await setup.register('badtoken');
    const rejected = () => new RegistrationAccessTokenRejectedError('identity provider answered 401 to client read (invalid_token)', 401);
    setup.idp.failNext('readClient', rejected(), rejected());
    setup.idp.clients.delete(gone.clientId ?? '');

    // Act
    const result = await reconcileClients({}, setup.deps, { concurrency: 1 });

    // Assess
    expect(result.missing).toEqual([{ tenantId: 'gone', target: 'rfc' }]);
    expect(result.failed).toEqual([{ tenantId: 'badtoken', target: 'rfc', error: 'upstream_error' }]);
    expect((await setup.record('rfc', 'badtoken')).drift).toBeUndefined();
  });

  it('reports drifted pinned fields by name, ignores provider-added and caller-settable fields, and leaves them with fix off', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    const acme = await setup.register('acme');
    editAtProvider(setup, acme.clientId ?? '', (metadata) => {
      metadata.scope = 'read admin';
      metadata.grant_types = ['authorization_code'];
      metadata.client_name = 'renamed'; // caller-settable: not pinned
      metadata.provider_added = true;
    });

    // Act
    const result = await reconcileClients({}, setup.deps);

    // Assess
    expect(result.drifted).toEqual([{ tenantId: 'acme', target: 'rfc', fields: ['grant_types', 'scope'] }]);
    expect(setup.idp.updated).toEqual([]);
    const event = setup.events.find((e) => e.type === 'ClientDrifted');
    expect(event?.detail).toEqual({
      tenantId: 'acme',
      target: 'rfc',
      clientId: acme.clientId,
      reason: 'metadata',
      fields: ['grant_types', 'scope'],
    });
  });

  it('compares lists as sets: a reordered value, or values the provider added to a configured list, are no drift', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    const acme = await setup.register('acme');
    editAtProvider(setup, acme.clientId ?? '', (metadata) => {
      metadata.scope = 'write  read openid';
      metadata.grant_types = ['authorization_code', 'client_credentials'];
    });

    // Act
    const result = await reconcileClients({}, setup.deps);

    // Assess
    expect(result.drifted).toEqual([]);
  });

  it('with fix, restores the pinned fields by RFC 7592 PUT and stores the new secret the provider issued', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    const acme = await setup.register('acme');
    const before = await setup.record('rfc', 'acme');
    editAtProvider(setup, acme.clientId ?? '', (metadata) => {
      metadata.scope = 'read admin';
    });

    // Act
    const result = await reconcileClients({ fix: true }, setup.deps);
    const again = await reconcileClients({}, setup.deps);

    // Assess
    expect(result.drifted).toEqual([{ tenantId: 'acme', target: 'rfc', fields: ['scope'], fixed: true }]);
    expect(setup.idp.clients.get(acme.clientId ?? '')?.metadata?.scope).toBe('read write');
    const after = await setup.record('rfc', 'acme');
    expect(after.client_secret).toBe(setup.idp.clients.get(acme.clientId ?? '')?.clientSecret);
    expect(after.client_secret).not.toBe(before.client_secret);
    expect(setup.events.map((event) => event.type)).toContain('ClientSecretRotated');
    expect(again.drifted).toEqual([]);
  });

  it('with fix, keeps a private_key_jwt client’s key registered when the provider’s answer leaves jwks out', async () => {
    // Prepare
    const setup = await maintenanceSetup({
      keyed: {
        profile: 'rfc7591',
        registrationEndpoint: 'https://keyed.example.com/register',
        tokenEndpoint: 'https://keyed.example.com/token',
        initialAccessTokenSecretId: 'dcr/iat',
        clientMetadata: {
          client_name: 'acme',
          grant_types: ['client_credentials'],
          scope: 'read write',
          token_endpoint_auth_method: 'private_key_jwt',
        },
      },
    });
    const acme = await setup.register('acme', 'keyed');
    const { private_key_jwk: key } = await setup.record('keyed', 'acme');
    editAtProvider(setup, acme.clientId ?? '', (metadata) => {
      metadata.scope = 'read admin';
      delete metadata.jwks;
    });

    // Act
    const result = await reconcileClients({ target: 'keyed', fix: true }, setup.deps);

    // Assess
    expect(result.drifted).toEqual([{ tenantId: 'acme', target: 'keyed', fields: ['scope'], fixed: true }]);
    const held = setup.idp.clients.get(acme.clientId ?? '')?.metadata;
    expect(held?.scope).toBe('read write');
    expect(held?.jwks).toEqual({ keys: [expect.objectContaining({ kid: key.kid, kty: key.kty })] });
    expect(JSON.stringify(held?.jwks)).not.toContain(key.d);
  });

  it('stores every registration access token a Keycloak-like provider rotates on GET and PUT', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    const acme = await setup.register('acme');
    setup.idp.rotateRegistrationAccessToken = true;
    editAtProvider(setup, acme.clientId ?? '', (metadata) => {
      metadata.scope = 'read';
    });
    const secretName = `${PREFIX}rfc/acme`;

    // Act
    await reconcileClients({ fix: true }, setup.deps);
    const second = await reconcileClients({}, setup.deps);

    // Assess: each call used the newest token (an old one would answer 401), and the newest is stored
    expect(second).toMatchObject({ checked: 1, missing: [], drifted: [], failed: [] });
    const stored = await loadManagementCredentials(setup.deps, secretName, await setup.record('rfc', 'acme'));
    expect(stored.registration_access_token).toBe(setup.idp.clients.get(acme.clientId ?? '')?.registrationAccessToken);
  });

  it('counts clients without RFC 7592 credentials as unmanaged and never calls the provider for them', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    await setup.register('acme', 'plain');

    // Act
    const result = await reconcileClients({}, setup.deps);

    // Assess
    expect(result).toMatchObject({ checked: 1, unmanaged: 1, missing: [], drifted: [], failed: [] });
    expect(setup.idp.read).toEqual([]);
  });

  it('clears a missing mark when the provider knows the client again, and never logs or publishes a secret', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    const acme = await setup.register('acme');
    const held = setup.idp.clients.get(acme.clientId ?? '');
    setup.idp.clients.delete(acme.clientId ?? '');
    await reconcileClients({}, setup.deps);
    if (held) setup.idp.clients.set(acme.clientId ?? '', held);

    // Act
    const result = await reconcileClients({}, setup.deps);

    // Assess
    expect(result.missing).toEqual([]);
    expect((await setup.record('rfc', 'acme')).drift).toBeUndefined();
    const published = JSON.stringify(setup.events) + setup.lines.join('\n');
    for (const secret of setup.idp.issuedSecrets) expect(published).not.toContain(secret);
  });
});
