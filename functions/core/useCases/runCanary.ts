import { randomBytes } from 'node:crypto';
import { secretNameFor } from '../config/serviceConfig.js';
import { ConfigurationError, InvalidRequestError, UpstreamError } from '../errors.js';
import { METRICS, TARGET_DIMENSION } from '../constants.js';
import { deleteManagementCredentials, loadManagementCredentials } from '../managementCredentials.js';
import { emitMetrics } from '../metrics.js';
import type { ManagedClient } from '../ports/IdentityProvider.js';
import { withRetries } from '../retry.js';
import { readSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import { isInvalidClient, prove } from './canaryProof.js';
import { KEPT_CANARY_TENANT, type KeptRecord, type Proof, type Run, recordOrphan } from './canaryRun.js';
import { claimSecret, releaseClaim } from './claim.js';
import type { UseCaseDependencies } from './dependencies.js';
import { adopt, markProved, readKept, retire } from './keptCanaryClient.js';
import { registerTenant } from './registerTenant.js';
import { loadTarget, requireTarget } from './targets.js';

export { KEPT_CANARY_TENANT, type Proof } from './canaryRun.js';

export interface CanaryResult {
  ok: true;
  tenantId: string;
  clientId: string;
  durationMs: number;
  /** True when a client_credentials token was obtained with the credentials. */
  tokenObtained: boolean;
  /**
   * How the credentials were proved: `token` (a token was issued), `authenticated` (a client without
   * the client_credentials grant was refused the grant after authenticating), `not-active-yet` (refused
   * as `invalid_client` within the profile's activation window after registration: not a failure),
   * `none` (the target has no token endpoint: read-back only).
   */
  proof: Proof;
  /** `throw-away`: registered, proved, deleted by RFC 7592. `kept`: the target's kept client was proved. */
  mode: 'throw-away' | 'kept';
  /** True when this run registered a client at the provider. */
  registered: boolean;
}

/** `canary-<UTC yyyyMMddHHmmss>-<random>`: unique, sortable, and a valid tenant id. */
export function canaryTenantId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `canary-${stamp}-${randomBytes(4).toString('hex')}`;
}

/**
 * Proves the whole path and never leaves a client it cannot delete. A target whose provider issues
 * RFC 7592 credentials gets a throw-away client each run (register, read back, token, delete client,
 * delete secret). A target without RFC 7592 keeps one client in `KEPT_CANARY_TENANT`'s secret, and
 * each run proves it (read back, token) without registering. A client that cannot be deleted is
 * recorded (log, `ClientOrphaned` metric and event). One EMF line per run; any failure throws.
 */
export async function runCanary(targetName: string | undefined, deps: UseCaseDependencies): Promise<CanaryResult> {
  const started = performance.now();
  const name = targetName ?? deps.config.defaultTarget;
  const steps: Record<string, number> = {};
  let success = 0;
  let misconfigured = 0;
  let notActiveYet = 0;
  let run: Run | undefined;
  try {
    try {
      requireTarget(deps.config, targetName);
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      misconfigured = 1;
      throw new ConfigurationError(`the canary target "${name}" is not a configured target`);
    }
    const target = await loadTarget(targetName, deps);
    run = {
      target,
      deps,
      keptName: secretNameFor(deps.config, target.name, KEPT_CANARY_TENANT),
      orphaned: 0,
      replaced: 0,
      async timed(step, work) {
        const begin = performance.now();
        try {
          return await work();
        } finally {
          steps[step] = (steps[step] ?? 0) + Math.round(performance.now() - begin);
        }
      },
    };
    const kept = await run.timed('ReadBackDuration', () => readKept(run as Run));
    const result = kept ? await proveKept(kept, run, { mayReplace: true, registered: false }) : await registerUnderClaim(run, true);
    const durationMs = Math.round(performance.now() - started);
    const summary = { tenantId: result.tenantId, clientId: result.clientId, mode: result.mode, proof: result.proof, durationMs };
    if (result.proof === 'not-active-yet') {
      notActiveYet = 1;
      deps.logger.warn('canary: the client is not active yet at the provider (invalid_client soon after registration)', summary);
    } else {
      success = 1;
      deps.logger.info('canary succeeded', summary);
    }
    return { ...result, durationMs };
  } finally {
    emitMetrics(
      deps.logger,
      { [TARGET_DIMENSION]: name },
      {
        [METRICS.canarySuccess]: { value: success, unit: 'Count' },
        [METRICS.canaryMisconfigured]: { value: misconfigured, unit: 'Count' },
        [METRICS.canaryNotActiveYet]: { value: notActiveYet, unit: 'Count' },
        [METRICS.clientOrphaned]: { value: run?.orphaned ?? 0, unit: 'Count' },
        [METRICS.canaryClientReplaced]: { value: run?.replaced ?? 0, unit: 'Count' },
        [METRICS.canaryDuration]: { value: Math.round(performance.now() - started), unit: 'Milliseconds' },
        ...Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, { value: ms, unit: 'Milliseconds' as const }])),
      },
    );
  }
}

type Proved = Omit<CanaryResult, 'durationMs'>;

/**
 * Holds the kept secret's claim while a throw-away tenant registers: if the provider issued no RFC
 * 7592 credentials, the client becomes the kept one; a concurrent run waits and then proves it.
 */
async function registerUnderClaim(run: Run, mayReplace: boolean): Promise<Proved> {
  const { deps, target } = run;
  const claim = await claimSecret(run.keptName, KEPT_CANARY_TENANT, target, deps);
  if (claim.kind === 'exists') return proveKept(claim.record, run, { mayReplace, registered: false });
  let adopted = false;
  try {
    const tenantId = canaryTenantId(deps.now());
    const outcome = await run.timed('RegisterDuration', () => registerTenant({ tenantId, target: target.name }, deps));
    const clientId = outcome.clientId ?? '';
    let record: RegisteredRecord | undefined;
    try {
      record = await run.timed('ReadBackDuration', () => readRecord(outcome.secretName, tenantId, clientId, deps));
    } catch (error) {
      await recordOrphan(run, { tenantId, clientId, secretName: outcome.secretName }, error);
      throw error;
    }
    if (!record) {
      const error = new UpstreamError('canary could not read back the credentials it stored');
      await recordOrphan(run, { tenantId, clientId, secretName: outcome.secretName }, error);
      throw error;
    }
    const client = await loadManagementCredentials(deps, outcome.secretName, record);
    if (client.registration_client_uri && client.registration_access_token) {
      return await throwAway(record, client, outcome.secretName, run);
    }
    const kept = await adopt(record, outcome.secretName, claim.claimId, run);
    adopted = true;
    return await proveKept(kept, run, { mayReplace: false, registered: true });
  } finally {
    if (!adopted) await releaseClaim(run.keptName, deps);
  }
}

/** Register → prove → delete the client (RFC 7592) → delete the secret; cleanup runs whether or not the proof held. */
async function throwAway(record: RegisteredRecord, client: ManagedClient, secretName: string, run: Run): Promise<Proved> {
  const { deps, target } = run;
  let proof: Proof = 'none';
  let proofError: unknown;
  try {
    proof = await prove(record, run);
  } catch (error) {
    proofError = error;
  }
  let cleanupError: unknown;
  try {
    await run.timed('DeleteClientDuration', () => withRetries(() => deps.idp.deleteClient(target.config, client), deps.retry));
  } catch (error) {
    // The secret holds the only copy of the registration access token: keep it for `dcr delete`.
    cleanupError = error;
    await recordOrphan(run, { tenantId: record.tenant_id, clientId: record.client_id, secretName }, error);
  }
  if (!cleanupError) {
    try {
      await run.timed('DeleteSecretDuration', async () => {
        await deps.secrets.delete(secretName, { force: true });
        await deleteManagementCredentials(deps, record);
      });
    } catch (error) {
      cleanupError = error;
      deps.logger.error('canary deleted its client but not its secret', { secretName, clientId: record.client_id, error });
    }
  }
  if (proofError) throw proofError;
  if (cleanupError) throw cleanupError;
  return {
    ok: true,
    tenantId: record.tenant_id,
    clientId: record.client_id,
    tokenObtained: proof === 'token',
    proof,
    mode: 'throw-away',
    registered: true,
  };
}

/**
 * Proves the kept client. One that obtained a token before and is now refused (invalid_client) was
 * deleted or disabled at the provider: it is retired and a new kept client registered, once per run.
 * One that never obtained a token is not replaced (a new client may take minutes to work): the run fails.
 */
async function proveKept(record: KeptRecord, run: Run, options: { mayReplace: boolean; registered: boolean }): Promise<Proved> {
  const { deps } = run;
  try {
    const proof = await prove(record, run);
    if ((proof === 'token' || proof === 'authenticated') && !record.canary_proved_at) await markProved(record, run);
    return {
      ok: true,
      tenantId: KEPT_CANARY_TENANT,
      clientId: record.client_id,
      tokenObtained: proof === 'token',
      proof,
      mode: 'kept',
      registered: options.registered,
    };
  } catch (error) {
    if (!options.mayReplace || !isInvalidClient(error)) throw error;
    if (!record.canary_proved_at) {
      deps.logger.error('the kept canary client is refused and has never obtained a token; it is not replaced', {
        clientId: record.client_id,
        secretName: run.keptName,
      });
      throw error;
    }
    run.replaced = 1;
    deps.logger.warn('the kept canary client is refused (invalid_client): deleted or disabled at the provider; registering a new one', {
      clientId: record.client_id,
      secretName: run.keptName,
      error,
    });
    await retire(record, run);
    return registerUnderClaim(run, false);
  }
}

async function readRecord(secretName: string, tenantId: string, clientId: string, deps: UseCaseDependencies) {
  const { record } = await readSecretRecord(deps.secrets, secretName);
  return record?.dcr_status === 'registered' && record.tenant_id === tenantId && record.client_id === clientId ? record : undefined;
}
