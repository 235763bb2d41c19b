import { describe, expect, it } from 'vitest';
import { InvalidRequestError, TemporarilyUnavailableError } from '../../functions/core/errors.js';
import { InvalidClientError } from '../../functions/core/ports/IdentityProvider.js';
import { confirmReadiness, parseReadinessCheck } from '../../functions/core/useCases/confirmReadiness.js';
import { parseLaneMessage } from '../../functions/register/triggers/laneMessage.js';
import { maintenanceSetup } from '../helpers/maintenanceSetup.js';

const notYet = () => new InvalidClientError('identity provider answered 401 to token request (invalid_client)', 401);
const READY = { readiness: { timeoutSeconds: 300, intervalSeconds: 30 } };
const withReadiness = () =>
  maintenanceSetup({
    slow: {
      profile: 'rfc7591',
      registrationEndpoint: 'https://slow.example.com/register',
      tokenEndpoint: 'https://slow.example.com/token',
      initialAccessTokenSecretId: 'dcr/iat',
      clientMetadata: { grant_types: ['client_credentials'] },
      ...READY,
    },
  });

/** Runs each scheduled check in turn (as the lane would after its delay), the clock moved by the delay. */
async function drainChecks(setup: Awaited<ReturnType<typeof maintenanceSetup>>, limit = 20) {
  const statuses: string[] = [];
  for (let round = 0; round < limit && setup.scheduled.length; round++) {
    const next = setup.scheduled.shift();
    if (!next) break;
    setup.clock.now = new Date(setup.clock.now.getTime() + next.delaySeconds * 1000);
    const message = parseLaneMessage(JSON.stringify(next.check), `m-${round}`);
    statuses.push(((await message.run(setup.deps)) as { status: string }).status);
  }
  return statuses;
}

describe('readiness', () => {
  it('without readiness, ClientReady (unchecked) follows ClientRegistered at once and nothing is scheduled', async () => {
    // Prepare
    const setup = await maintenanceSetup();

    // Act
    const outcome = await setup.register('acme');

    // Assess
    expect(setup.events.map((event) => event.type)).toEqual(['ClientRegistered', 'ClientReady']);
    expect(setup.events[1]?.detail).toEqual({
      tenantId: 'acme',
      target: 'rfc',
      clientId: outcome.clientId,
      secretArn: outcome.secretArn,
      readiness: 'unchecked',
    });
    expect(setup.scheduled).toEqual([]);
  });

  it('with readiness, schedules a check instead of waiting, and announces ClientReady only once a token was obtained', async () => {
    // Prepare
    const setup = await withReadiness();
    setup.idp.failNext('proveClientCredentials', notYet(), notYet(), notYet());

    // Act
    const outcome = await setup.register('acme', 'slow');
    const afterRegistration = setup.events.map((event) => event.type);
    const statuses = await drainChecks(setup);

    // Assess
    expect(afterRegistration).toEqual(['ClientRegistered']);
    expect(statuses).toEqual(['pending', 'pending', 'pending', 'ready']);
    const ready = setup.events.filter((event) => event.type === 'ClientReady');
    expect(ready.map((event) => event.detail)).toEqual([
      { tenantId: 'acme', target: 'slow', clientId: outcome.clientId, secretArn: outcome.secretArn, attempts: 4, readiness: 'confirmed' },
    ]);
    expect(setup.metric('ClientNotReady')).toBe(0);
  });

  it('past the deadline: ClientNotReady, ClientReady (timed-out), no further check, and the client stays registered', async () => {
    // Prepare
    const setup = await withReadiness();
    setup.idp.failNext('proveClientCredentials', ...Array.from({ length: 30 }, notYet));

    // Act
    await setup.register('acme', 'slow');
    const statuses = await drainChecks(setup);

    // Assess: 300 s at 30 s intervals: ten checks, the tenth at the deadline
    expect(statuses).toEqual([...Array(9).fill('pending'), 'timed-out']);
    expect(setup.scheduled).toEqual([]);
    expect(setup.metric('ClientNotReady')).toBe(1);
    const ready = setup.events.filter((event) => event.type === 'ClientReady');
    expect(ready.map((event) => event.detail)).toEqual([
      expect.objectContaining({ readiness: 'timed-out', error: 'invalid_client', attempts: 10 }),
    ]);
    expect((await setup.record('slow', 'acme')).dcr_status).toBe('registered');
  });

  it('a transient failure throws (the lane retries the message); a tenant re-registered since is superseded', async () => {
    // Prepare
    const setup = await withReadiness();
    await setup.register('acme', 'slow');
    const check = setup.scheduled[0]?.check;
    if (!check) throw new Error('no check scheduled');
    setup.idp.failNext('proveClientCredentials', new TemporarilyUnavailableError('identity provider answered 503 to token request'));

    // Act
    const transient = confirmReadiness(check, setup.deps);
    const superseded = await confirmReadiness({ ...check, clientId: 'another-client' }, setup.deps);

    // Assess
    await expect(transient).rejects.toThrow(TemporarilyUnavailableError);
    expect(superseded).toEqual({ status: 'superseded' });
  });

  it('a check the scheduler cannot take is logged and announced as timed-out at once; the registration still succeeds', async () => {
    // Prepare
    const setup = await withReadiness();
    setup.deps.readiness = { schedule: () => Promise.reject(new TemporarilyUnavailableError('SQS unavailable')) };

    // Act
    const outcome = await setup.register('acme', 'slow');

    // Assess
    expect(outcome.status).toBe('registered');
    expect(setup.events.map((event) => event.type)).toEqual(['ClientRegistered', 'ClientReady']);
    expect(setup.events[1]?.detail).toMatchObject({ readiness: 'timed-out', error: 'readiness_not_scheduled' });
    expect(setup.metric('ClientNotReady')).toBe(1);
  });

  it('refuses a malformed confirmReady message (the lane drops it)', () => {
    // Act / Assess
    for (const bad of [
      { action: 'confirmReady', tenantId: 'acme', target: 'slow', clientId: 'c', attempt: 0, deadline: '2030-01-01T00:00:00Z' },
      { action: 'confirmReady', tenantId: '../x', target: 'slow', clientId: 'c', attempt: 1, deadline: '2030-01-01T00:00:00Z' },
      { action: 'confirmReady', tenantId: 'acme', target: 'slow', clientId: 'c', attempt: 1, deadline: 'tomorrow' },
      { action: 'confirmReady', tenantId: 'acme', target: 'slow', clientId: 'c', attempt: 1, deadline: '2030-01-01T00:00:00Z', extra: 1 },
    ]) {
      expect(() => parseReadinessCheck(bad)).toThrow(InvalidRequestError);
      expect(() => parseLaneMessage(JSON.stringify(bad), 'm')).toThrow(InvalidRequestError);
    }
  });
});
