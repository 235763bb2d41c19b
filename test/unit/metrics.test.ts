import { describe, expect, it } from 'vitest';
import { serviceConfigSchema, secretNameFor } from '../../functions/core/config/serviceConfig.js';
import { ALARMED_METRICS, METRICS, METRICS_NAMESPACE } from '../../functions/core/constants.js';
import { Logger } from '../../functions/core/logger.js';
import { emitMetrics } from '../../functions/core/metrics.js';
import { SecretRegistrationCredentials } from '../../functions/core/registrationCredentials/SecretRegistrationCredentials.js';
import type { UseCaseDependencies } from '../../functions/core/useCases/dependencies.js';
import { registerTenant } from '../../functions/core/useCases/registerTenant.js';
import { handleSchedule } from '../../functions/register/triggers/schedule.js';
import { MemorySecretStore } from '../helpers/memorySecretStore.js';
import { ScriptedIdentityProvider } from '../helpers/scriptedIdentityProvider.js';

type Directive = { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] };
type Line = Record<string, unknown> & { _aws?: { CloudWatchMetrics: Directive[] } };

function capture() {
  const lines: string[] = [];
  const logger = new Logger({ sink: (line) => lines.push(line) });
  const entries = () => lines.map((line) => JSON.parse(line) as Line);
  /** Names written without dimensions: what the stack's alarms count. */
  const dimensionless = () =>
    entries().flatMap((entry) =>
      (entry._aws?.CloudWatchMetrics ?? [])
        .filter((d) => d.Dimensions.some((set) => set.length === 0))
        .flatMap((d) => d.Metrics.map((m) => m.Name)),
    );
  return { logger, entries, dimensionless };
}

describe('emitMetrics: the metrics are the contract with the stack', () => {
  it('writes an alarmed metric per target and once more without dimensions; the others per target only', () => {
    // Prepare
    const { logger, entries, dimensionless } = capture();

    // Act
    emitMetrics(
      logger,
      { Target: 'okta' },
      {
        [METRICS.clientOrphaned]: { value: 1, unit: 'Count' },
        [METRICS.canaryDuration]: { value: 12, unit: 'Milliseconds' },
      },
    );

    // Assess
    const [line] = entries();
    expect(line?._aws?.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['Target']],
        Metrics: [
          { Name: 'ClientOrphaned', Unit: 'Count' },
          { Name: 'CanaryDuration', Unit: 'Milliseconds' },
        ],
      },
      { Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: 'ClientOrphaned', Unit: 'Count' }] },
    ]);
    expect(line).toMatchObject({ Target: 'okta', ClientOrphaned: 1, CanaryDuration: 12 });
    expect(dimensionless()).toEqual(['ClientOrphaned']);
  });

  it('alarms on exactly the failure, orphan, heartbeat and lifecycle outcomes', () => {
    expect([...ALARMED_METRICS].sort()).toEqual([
      'CanaryFailure',
      'CanaryRun',
      'ClientDrifted',
      'ClientNotReady',
      'ClientOrphaned',
      'ClientSecretExpired',
      'ConfigReloadFailed',
      'HttpServerError',
      'OutcomePublishFailed',
      'PossibleOrphan',
      'SecretRenewalFailed',
      'TenantEventFailed',
    ]);
  });

  it('counts a failed canary whose dependencies cannot even be loaded (CanaryFailure, no target named)', async () => {
    // Prepare
    const { logger, entries, dimensionless } = capture();
    const runtime = { logger, dependencies: () => Promise.reject(new Error('configuration parameter not found')) };

    // Act
    const run = handleSchedule({ action: 'canary' }, runtime, logger);

    // Assess
    await expect(run).rejects.toThrow('configuration parameter not found');
    expect(entries().some((entry) => entry.message === 'canary failed')).toBe(true);
    expect(dimensionless()).toEqual(['CanaryRun', 'CanaryFailure']);
  });

  it('counts a stale claim taken over at registration as a possible orphan (PossibleOrphan), by the injected clock', async () => {
    // Prepare: a claim made at 10:00 by an invocation that ended; the clock says 11:00, stale after 15 min
    const { logger, entries, dimensionless } = capture();
    const secrets = new MemorySecretStore();
    await secrets.create({ name: 'dcr/iat', value: 'initial-access-token-value' });
    const config = serviceConfigSchema().parse({
      secretNamePrefix: 'dcr/clients/',
      targets: {
        default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example.com/register', initialAccessTokenSecretId: 'dcr/iat' },
      },
    });
    const secretName = secretNameFor(config, 'default', 'acme');
    await secrets.create({
      name: secretName,
      value: JSON.stringify({
        dcr_status: 'pending',
        tenant_id: 'acme',
        target: 'default',
        claim_id: 'lost-claim',
        claimed_at: '2030-01-01T10:00:00.000Z',
      }),
    });
    const deps: UseCaseDependencies = {
      config,
      secrets,
      idp: new ScriptedIdentityProvider(),
      registrationCredentials: new SecretRegistrationCredentials(secrets),
      logger,
      now: () => new Date('2030-01-01T11:00:00.000Z'),
      discovery: { discover: () => Promise.reject(new Error('discovery is not used by this target')) },
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1_000 },
      claim: { waitMs: 50, pollMs: 5, staleAfterMs: 15 * 60_000 },
    };

    // Act
    const outcome = await registerTenant({ tenantId: 'acme' }, deps);

    // Assess
    expect(outcome).toMatchObject({ status: 'registered' });
    expect(entries().find((entry) => entry.possibleOrphan === 1)).toMatchObject({
      level: 'WARN',
      staleClaimedAt: '2030-01-01T10:00:00.000Z',
    });
    expect(entries().find((entry) => entry.PossibleOrphan === 1)).toMatchObject({ Target: 'default' });
    expect(dimensionless()).toEqual(['PossibleOrphan']);
  });
});

describe('metric lines and the log level', () => {
  it('are written at LOG_LEVEL=ERROR (alarms count them), and not at all by a logger with metrics off', () => {
    // Prepare
    const quietLines: string[] = [];
    const cliLines: string[] = [];
    const quiet = new Logger({ level: 'ERROR', sink: (line) => quietLines.push(line) }).child({ requestId: 'r1' });
    const cli = new Logger({ level: 'DEBUG', sink: (line) => cliLines.push(line), metrics: false });

    // Act
    for (const logger of [quiet, cli]) {
      logger.info('not a metric');
      emitMetrics(logger, { Target: 'default' }, { ClientOrphaned: { value: 1, unit: 'Count' } });
    }

    // Assess
    expect(quietLines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ message: 'metrics', ClientOrphaned: 1, requestId: 'r1' }),
    ]);
    expect(cliLines.map((line) => JSON.parse(line).message)).toEqual(['not a metric']);
  });
});
