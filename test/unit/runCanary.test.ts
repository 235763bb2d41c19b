import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidRequestError, UpstreamError } from '../../functions/core/errors.js';
import { KEPT_CANARY_TENANT, runCanary } from '../../functions/core/useCases/runCanary.js';
import { handleSchedule, INVALID_SCHEDULE_TARGET } from '../../functions/register/triggers/schedule.js';

import { canarySetup, KEPT } from '../helpers/canarySetup.js';

describe('runCanary on a target with RFC 7592 (throw-away client)', () => {
  it('registers, proves, then deletes the client and its secret, leaving nothing', async () => {
    // Prepare
    const { idp, deps, metrics, clientSecrets } = await canarySetup();

    // Act
    const result = await runCanary('managed', deps);

    // Assess
    expect(result).toMatchObject({ ok: true, mode: 'throw-away', registered: true, tokenObtained: true });
    expect(result.tenantId).toMatch(/^canary-\d{14}-[0-9a-f]{8}$/);
    expect(idp.deleted).toEqual([result.clientId]);
    expect(idp.clients.size).toBe(0);
    expect(clientSecrets()).toEqual([]);
    expect(metrics()).toEqual([expect.objectContaining({ Target: 'managed', CanarySuccess: 1, ClientOrphaned: 0 })]);
  });

  it('deletes client and secret even when the token proof fails, and throws the proof failure', async () => {
    // Prepare
    const { idp, deps, metrics, clientSecrets } = await canarySetup();
    const refused = new UpstreamError('identity provider answered 400 to token request (unauthorized_client)', 400);
    idp.failNext('proveClientCredentials', refused);

    // Act
    const run = runCanary('managed', deps);

    // Assess
    await expect(run).rejects.toBe(refused);
    expect(idp.registered).toHaveLength(1);
    expect(idp.deleted).toEqual(idp.registered);
    expect(idp.clients.size).toBe(0);
    expect(clientSecrets()).toEqual([]);
    expect(metrics()).toEqual([expect.objectContaining({ CanarySuccess: 0, ClientOrphaned: 0 })]);
  });

  it('records a client it cannot delete (log with client id, ClientOrphaned metric and event), keeps its secret and throws', async () => {
    // Prepare
    const { idp, deps, lines, events, entries, metrics, secrets, clientSecrets } = await canarySetup();
    const refused = new UpstreamError('identity provider answered 403 to client deletion', 403);
    idp.failNext('deleteClient', refused);

    // Act
    const run = runCanary('managed', deps);

    // Assess
    await expect(run).rejects.toBe(refused);
    const [clientId] = idp.registered;
    expect(idp.clients.has(clientId as string)).toBe(true);
    const orphanLog = entries().find((entry) => entry.orphanedClient === 1);
    expect(orphanLog).toMatchObject({ level: 'ERROR', clientId, target: 'managed' });
    expect(metrics()).toEqual([expect.objectContaining({ Target: 'managed', CanarySuccess: 0, ClientOrphaned: 1 })]);
    expect(events.filter((e) => e.type === 'ClientOrphaned')).toEqual([
      { type: 'ClientOrphaned', detail: expect.objectContaining({ target: 'managed', clientId, error: 'upstream_error' }) },
    ]);
    // The secret keeps the only copy of the registration access token, so `dcr delete` can still remove the client.
    const [kept] = clientSecrets();
    expect(kept).toMatch(/^dcr\/clients\/managed\/canary-/);
    expect(JSON.parse((await secrets.get(kept as string))?.value ?? '{}')).toMatchObject({ client_id: clientId });
    const leaked = idp.issuedSecrets.filter((secret) => lines.join('\n').includes(secret) || JSON.stringify(events).includes(secret));
    expect(leaked).toEqual([]);
  });

  it('without a token endpoint proves by read-back only and still removes client and secret', async () => {
    // Prepare
    const { idp, deps, clientSecrets } = await canarySetup();
    delete (deps.config.targets.managed as { tokenEndpoint?: string }).tokenEndpoint;

    // Act
    const result = await runCanary('managed', deps);

    // Assess
    expect(result).toMatchObject({ tokenObtained: false, mode: 'throw-away' });
    expect(idp.proved).toEqual([]);
    expect(idp.clients.size).toBe(0);
    expect(clientSecrets()).toEqual([]);
  });
});

describe('runCanary on a target without RFC 7592 (kept client)', () => {
  it('registers and keeps one client on the first run; the second and third register nothing and prove it', async () => {
    // Prepare
    const { idp, deps, secrets, clientSecrets } = await canarySetup();

    // Act
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await runCanary('unmanaged', deps));

    // Assess
    expect(results.map((r) => [r.mode, r.registered, r.tokenObtained])).toEqual([
      ['kept', true, true],
      ['kept', false, true],
      ['kept', false, true],
    ]);
    expect(idp.registered).toHaveLength(1);
    expect(idp.clients.size).toBe(1);
    expect(new Set(results.map((r) => r.clientId))).toEqual(new Set(idp.registered));
    expect(idp.proved).toEqual([idp.registered[0], idp.registered[0], idp.registered[0]]);
    expect(clientSecrets()).toEqual([KEPT]);
    expect(JSON.parse((await secrets.get(KEPT))?.value ?? '{}')).toMatchObject({
      dcr_status: 'registered',
      tenant_id: KEPT_CANARY_TENANT,
      client_id: idp.registered[0],
      canary_proved_at: expect.any(String),
    });
  });

  it('two runs at once create one kept client', async () => {
    // Prepare
    const { idp, deps, clientSecrets } = await canarySetup();

    // Act
    const results = await Promise.all([runCanary('unmanaged', deps), runCanary('unmanaged', deps)]);

    // Assess
    expect(idp.registered).toHaveLength(1);
    expect(results.map((r) => r.clientId)).toEqual([idp.registered[0], idp.registered[0]]);
    expect(results.filter((r) => r.registered)).toHaveLength(1);
    expect(clientSecrets()).toEqual([KEPT]);
  });

  it('replaces a kept client that worked and is now refused (invalid_client), once, and names the old client', async () => {
    // Prepare
    const { idp, deps, entries, metrics, clientSecrets } = await canarySetup();
    const first = await runCanary('unmanaged', deps);
    idp.clients.delete(first.clientId); // an admin deleted it at the provider

    // Act
    const replaced = await runCanary('unmanaged', deps);
    const after = await runCanary('unmanaged', deps);

    // Assess
    expect(replaced).toMatchObject({ mode: 'kept', registered: true, tokenObtained: true });
    expect(replaced.clientId).not.toBe(first.clientId);
    expect(after).toMatchObject({ clientId: replaced.clientId, registered: false });
    expect(idp.registered).toEqual([first.clientId, replaced.clientId]);
    expect(entries().find((e) => String(e.message).includes('refused (invalid_client)'))).toMatchObject({ clientId: first.clientId });
    expect(metrics().map((m) => m.CanaryClientReplaced)).toEqual([0, 1, 0]);
    expect(clientSecrets()).toEqual([KEPT]);
  });

  it('does not replace a kept client that never obtained a token: the run fails and nothing is registered', async () => {
    // Prepare
    const { idp, deps, clientSecrets } = await canarySetup();
    idp.failNext('proveClientCredentials', new UpstreamError('identity provider answered 401 to token request (invalid_client)', 401));
    await expect(runCanary('unmanaged', deps)).rejects.toBeInstanceOf(UpstreamError);
    idp.failNext('proveClientCredentials', new UpstreamError('identity provider answered 401 to token request (invalid_client)', 401));

    // Act
    const second = runCanary('unmanaged', deps);

    // Assess
    await expect(second).rejects.toBeInstanceOf(UpstreamError);
    expect(idp.registered).toHaveLength(1);
    expect(clientSecrets()).toEqual([KEPT]);
    expect(await runCanary('unmanaged', deps)).toMatchObject({ clientId: idp.registered[0], registered: false });
  });

  it('records the client as orphaned when its credentials cannot be kept', async () => {
    // Prepare
    const { idp, deps, secrets, events, metrics } = await canarySetup();
    secrets.failWith('put', (name) => name === KEPT, new Error('AccessDeniedException'));

    // Act
    const run = runCanary('unmanaged', deps);

    // Assess
    await expect(run).rejects.toThrow('AccessDeniedException');
    expect(events.filter((e) => e.type === 'ClientOrphaned').map((e) => e.detail.clientId)).toEqual(idp.registered);
    expect(metrics()).toEqual([expect.objectContaining({ CanarySuccess: 0, ClientOrphaned: 1 })]);
    // The claim is released, so the next run is not blocked.
    expect(await secrets.get(KEPT)).toBeUndefined();
  });
});

describe('a misconfigured canary', () => {
  it('throws a ConfigurationError for an unknown target, with CanarySuccess 0 and CanaryMisconfigured 1', async () => {
    // Prepare
    const { idp, deps, metrics } = await canarySetup();

    // Act
    const run = runCanary('nope', deps);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ConfigurationError);
    expect(metrics()).toEqual([expect.objectContaining({ Target: 'nope', CanarySuccess: 0, CanaryMisconfigured: 1 })]);
    expect(idp.registered).toEqual([]);
  });

  it('handleSchedule throws for malformed input and an unknown target, logging "canary failed" with the metric', async () => {
    // Prepare
    const { deps, entries, metrics } = await canarySetup();
    const runtime = { logger: deps.logger, dependencies: async () => deps };

    // Act
    const malformed = handleSchedule({ action: 'canary', target: 'Not A Target' }, runtime, deps.logger);
    const unknown = handleSchedule({ action: 'canary', target: 'nope' }, runtime, deps.logger);

    // Assess
    await expect(malformed).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(unknown).rejects.toBeInstanceOf(ConfigurationError);
    expect(metrics()).toEqual([
      expect.objectContaining({
        Target: INVALID_SCHEDULE_TARGET,
        CanaryRun: 1,
        CanarySuccess: 0,
        CanaryMisconfigured: 1,
        CanaryFailure: 1,
      }),
      // The heartbeat, written before the run can fail.
      expect.objectContaining({ Target: 'nope', CanaryRun: 1 }),
      expect.objectContaining({ Target: 'nope', CanarySuccess: 0, CanaryMisconfigured: 1 }),
      // The failure the CanaryFailures alarm counts, once per failed run.
      expect.objectContaining({ Target: 'nope', CanaryFailure: 1 }),
    ]);
    expect(entries().filter((e) => e.message === 'canary failed')).toHaveLength(2);
  });
});
