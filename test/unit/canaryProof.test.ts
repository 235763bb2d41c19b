import { describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import { InvalidClientError } from '../../functions/core/ports/IdentityProvider.js';
import { KEPT_CANARY_TENANT, runCanary } from '../../functions/core/useCases/runCanary.js';

import { canarySetup, PREFIX, target } from '../helpers/canarySetup.js';

// The canary's proof: tokenRequest, grants and "not active yet" (issues 19 and 17).
describe('the proof: tokenRequest, grants and "not active yet" (issues 19 and 17)', () => {
  const salesforceUnmanaged = {
    ...target('unmanaged.example.com'),
    profile: 'salesforce',
    clientMetadata: { client_name: 'canary', grant_types: ['authorization_code', 'refresh_token'] },
    tokenRequest: { scope: 'api' },
  };
  const invalidClient = () => new InvalidClientError('identity provider answered 400 to token request (invalid_client_id)', 400);

  async function salesforceSetup() {
    const context = await canarySetup();
    let clock = new Date('2026-03-01T10:00:00Z');
    context.deps.config = serviceConfigSchema().parse({
      secretNamePrefix: PREFIX,
      defaultTarget: 'sf',
      targets: { sf: salesforceUnmanaged },
    });
    context.deps.now = () => clock;
    const advance = (minutes: number) => {
      clock = new Date(clock.getTime() + minutes * 60_000);
    };
    return { ...context, advance };
  }

  it("passes the target's tokenRequest and the client's registered grant types to the provider", async () => {
    // Prepare
    const { idp, deps } = await salesforceSetup();

    // Act
    const result = await runCanary('sf', deps);

    // Assess
    expect(result).toMatchObject({ proof: 'authenticated', tokenObtained: false });
    expect(idp.proofOptions).toEqual([{ tokenRequest: { scope: 'api' }, grantTypes: ['authorization_code', 'refresh_token'] }]);
  });

  it('within 10 minutes of registration a refused Salesforce client is not active yet; after that, never proved, it fails', async () => {
    // Prepare
    const { idp, deps, metrics, entries, secrets, advance } = await salesforceSetup();
    idp.failNext('proveClientCredentials', invalidClient(), invalidClient());

    // Act
    const fresh = await runCanary('sf', deps);
    advance(11); // the same answer is now a real refusal
    const late = await runCanary('sf', deps).catch((error: unknown) => error);
    const recovered = await runCanary('sf', deps);

    // Assess
    expect(fresh).toMatchObject({ ok: true, mode: 'kept', registered: true, proof: 'not-active-yet', tokenObtained: false });
    expect(late).toBeInstanceOf(InvalidClientError);
    expect(recovered).toMatchObject({ ok: true, registered: false, proof: 'authenticated' });
    expect(idp.registered).toHaveLength(1);
    expect(metrics().map((m) => [m.CanarySuccess, m.CanaryNotActiveYet])).toEqual([
      [0, 1],
      [0, 0],
      [1, 0],
    ]);
    expect(entries().filter((e) => e.level === 'WARN' && String(e.message).includes('not active yet'))).toHaveLength(1);
    expect(JSON.parse((await secrets.get(`${PREFIX}sf/${KEPT_CANARY_TENANT}`))?.value ?? '{}').canary_proved_at).toEqual(
      expect.any(String),
    );
  });

  it('an rfc7591 target has no activation window: invalid_client right after registration fails', async () => {
    // Prepare
    const { idp, deps } = await canarySetup();
    idp.failNext('proveClientCredentials', invalidClient());

    // Act, Assess
    await expect(runCanary('unmanaged', deps)).rejects.toBeInstanceOf(InvalidClientError);
  });
});
