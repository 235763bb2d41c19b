import { describe, expect, it } from 'vitest';
import { TemporarilyUnavailableError } from '../../functions/core/errors.js';
import { renewExpiringSecrets } from '../../functions/core/useCases/renewExpiringSecrets.js';
import { todaysWindow } from '../../functions/core/useCases/tenantSweep.js';
import { maintenanceSetup } from '../helpers/maintenanceSetup.js';

const DAY = 86_400;
const later = (clock: { now: Date }, seconds: number) => {
  clock.now = new Date(clock.now.getTime() + seconds * 1000);
};

describe('renewExpiringSecrets', () => {
  it('renews a secret expiring within renewBeforeSeconds and leaves a later one and a never-expiring one alone', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    setup.idp.secretLifetimeSeconds = 30 * DAY;
    await setup.register('soon');
    setup.idp.secretLifetimeSeconds = 60 * DAY;
    await setup.register('later');
    setup.idp.secretLifetimeSeconds = undefined;
    await setup.register('never');
    const before = await setup.record('rfc', 'soon');
    later(setup.clock, 24 * DAY); // 'soon' expires in 6 days: within the default 7
    setup.idp.secretLifetimeSeconds = 90 * DAY;

    // Act
    const result = await renewExpiringSecrets({}, setup.deps);

    // Assess
    expect(result).toMatchObject({ checked: 3, renewed: [{ tenantId: 'soon', target: 'rfc' }], failed: [], expired: [], deferred: 0 });
    const after = await setup.record('rfc', 'soon');
    expect(after.client_secret).not.toBe(before.client_secret);
    expect(after.client_secret_expires_at).toBeGreaterThan(before.client_secret_expires_at);
    expect(after.rotation_request_ids).toEqual([`renew-${before.client_secret_expires_at}`]);
    expect((await setup.record('rfc', 'never')).client_secret_expires_at).toBe(0);
    expect(setup.idp.updated).toHaveLength(1);
    expect(setup.events.map((event) => event.type)).toContain('ClientSecretRotated');
    expect(setup.events.map((event) => event.type)).not.toContain('ClientSecretRenewalFailed');
  });

  it('renews nothing twice: a second run, and a run where the provider kept the date, rotate nothing', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    setup.idp.secretLifetimeSeconds = 3 * DAY;
    await setup.register('acme');
    setup.idp.secretLifetimeSeconds = 60 * DAY;
    await renewExpiringSecrets({}, setup.deps);

    // Act
    const second = await renewExpiringSecrets({}, setup.deps);

    // Assess
    expect(second.renewed).toEqual([]);
    expect(setup.idp.updated).toHaveLength(1);
  });

  it('does not rotate again for the same expiry even when the provider answered without a new date', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    setup.idp.secretLifetimeSeconds = 3 * DAY;
    await setup.register('acme');
    const expiresAt = (await setup.record('rfc', 'acme')).client_secret_expires_at;
    setup.idp.secretLifetimeSeconds = undefined;
    const update = setup.idp.updateClient.bind(setup.idp);
    setup.idp.updateClient = async (...args) => ({ ...(await update(...args)), client_secret_expires_at: expiresAt });

    // Act
    await renewExpiringSecrets({}, setup.deps);
    const second = await renewExpiringSecrets({}, setup.deps);

    // Assess
    expect(second.renewed).toEqual([]);
    expect(setup.idp.updated).toHaveLength(1);
  });

  it('still renews an expired secret, and reports it: ClientSecretExpired and ClientSecretRenewalFailed (expired)', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    setup.idp.secretLifetimeSeconds = DAY;
    await setup.register('acme');
    setup.idp.secretLifetimeSeconds = 60 * DAY;
    later(setup.clock, 2 * DAY);

    // Act
    const result = await renewExpiringSecrets({ target: 'rfc' }, setup.deps);

    // Assess
    expect(result.expired).toEqual([{ tenantId: 'acme', target: 'rfc' }]);
    expect(result.renewed).toEqual([{ tenantId: 'acme', target: 'rfc' }]);
    expect(setup.metric('ClientSecretExpired')).toBe(1);
    expect(setup.metric('SecretRenewalFailed')).toBe(0);
    const event = setup.events.find((e) => e.type === 'ClientSecretRenewalFailed');
    expect(event?.detail).toMatchObject({ tenantId: 'acme', target: 'rfc', reason: 'expired', renewed: true });
  });

  it('reports a failed renewal (event reason failed, SecretRenewalFailed) and tries again on the next run', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    setup.idp.secretLifetimeSeconds = 3 * DAY;
    await setup.register('acme');
    const before = await setup.record('rfc', 'acme');
    setup.idp.failNext('updateClient', new TemporarilyUnavailableError('identity provider answered 503 to client update'));

    // Act
    const first = await renewExpiringSecrets({}, setup.deps);
    const second = await renewExpiringSecrets({}, setup.deps);

    // Assess
    expect(first.failed).toEqual([{ tenantId: 'acme', target: 'rfc', error: 'temporarily_unavailable' }]);
    expect(first.renewed).toEqual([]);
    expect(setup.metric('SecretRenewalFailed')).toBe(1);
    const event = setup.events.find((e) => e.type === 'ClientSecretRenewalFailed');
    expect(event?.detail).toMatchObject({ reason: 'failed', error: 'temporarily_unavailable', expiresAt: before.client_secret_expires_at });
    expect(second.renewed).toEqual([{ tenantId: 'acme', target: 'rfc' }]);
    expect(JSON.stringify(setup.events) + setup.lines.join('\n')).not.toContain(before.client_secret);
  });

  it('honours a target renewBeforeSeconds, and a provider without RFC 7592 fails the renewal (reported)', async () => {
    // Prepare
    const setup = await maintenanceSetup({
      short: {
        profile: 'rfc7591',
        registrationEndpoint: 'https://short.example.com/register',
        initialAccessTokenSecretId: 'dcr/iat',
        renewBeforeSeconds: 3_600,
      },
    });
    setup.idp.secretLifetimeSeconds = 2 * DAY;
    await setup.register('acme', 'short');
    await setup.register('acme', 'plain');

    // Act
    const result = await renewExpiringSecrets({}, setup.deps);

    // Assess
    expect(result.renewed).toEqual([]);
    expect(result.failed).toEqual([{ tenantId: 'acme', target: 'plain', error: 'not_supported' }]);
  });

  it('reads at most maxTenants per run, and each day starts one window further on', async () => {
    // Prepare
    const setup = await maintenanceSetup();
    for (const tenant of ['a', 'b', 'c', 'd', 'e']) await setup.register(tenant);

    // Act
    const result = await renewExpiringSecrets({}, setup.deps, { maxTenants: 2 });

    // Assess
    expect(result).toMatchObject({ checked: 2, deferred: 3 });
    const days = [0, 1, 2].map((day) => todaysWindow(['a', 'b', 'c', 'd', 'e'], 2, new Date(day * 86_400_000)));
    expect(days).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'a'],
    ]);
  });
});
