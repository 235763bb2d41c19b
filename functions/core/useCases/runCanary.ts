import { randomBytes } from 'node:crypto';
import { deterministicToken } from '../claimTokens.js';
import { type ResolvedTarget, secretNameFor } from '../config/serviceConfig.js';
import { ConfigurationError, InvalidRequestError, UpstreamError } from '../errors.js';
import { PROFILE_RULES } from '../idp/profiles.js';
import { emitMetrics } from '../metrics.js';
import { InvalidClientError } from '../ports/IdentityProvider.js';
import { SecretAlreadyExistsError } from '../ports/SecretStore.js';
import { DEFAULT_RETRY_POLICY, withRetries } from '../retry.js';
import { type OffboardedRecord, parseSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import { claimSecret, releaseClaim } from './claim.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome, failureDetail } from './outcomeEvents.js';
import { proofOptions } from './proofOptions.js';
import { registerTenant } from './registerTenant.js';
import { loadTarget, requireTarget } from './targets.js';

/**
 * Tenant id of a target's one long-lived canary client (secret `<prefix><target>/_canary`). It is
 * outside the tenant-id pattern, so no caller can register, read or offboard it. Its secret is also
 * the canary's per-target claim: only one run at a time registers a client.
 */
export const KEPT_CANARY_TENANT = '_canary';

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

export type Proof = 'token' | 'authenticated' | 'not-active-yet' | 'none';

/** The kept client's record; `canary_proved_at` is set once its credentials were proved. */
type KeptRecord = RegisteredRecord & { canary_proved_at?: string };

interface Run {
  target: ResolvedTarget;
  deps: UseCaseDependencies;
  keptName: string;
  timed<T>(step: string, work: () => Promise<T>): Promise<T>;
  orphaned: number;
  replaced: number;
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
    emitMetrics(deps.logger, { Target: name }, {
      CanarySuccess: { value: success, unit: 'Count' },
      CanaryMisconfigured: { value: misconfigured, unit: 'Count' },
      CanaryNotActiveYet: { value: notActiveYet, unit: 'Count' },
      ClientOrphaned: { value: run?.orphaned ?? 0, unit: 'Count' },
      CanaryClientReplaced: { value: run?.replaced ?? 0, unit: 'Count' },
      CanaryDuration: { value: Math.round(performance.now() - started), unit: 'Milliseconds' },
      ...Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, { value: ms, unit: 'Milliseconds' as const }])),
    });
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
    const tenantId = canaryTenantId(deps.now?.() ?? new Date());
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
    if (record.registration_client_uri && record.registration_access_token) {
      return await throwAway(record, outcome.secretName, run);
    }
    const kept = await adopt(record, outcome.secretName, claim.claimId, run);
    adopted = true;
    return await proveKept(kept, run, { mayReplace: false, registered: true });
  } finally {
    if (!adopted) await releaseClaim(run.keptName, deps);
  }
}

/** Register → prove → delete the client (RFC 7592) → delete the secret; cleanup runs whether or not the proof held. */
async function throwAway(record: RegisteredRecord, secretName: string, run: Run): Promise<Proved> {
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
    await run.timed('DeleteClientDuration', () =>
      withRetries(() => deps.idp.deleteClient(target.config, record), deps.retry ?? DEFAULT_RETRY_POLICY),
    );
  } catch (error) {
    // The secret holds the only copy of the registration access token: keep it for `dcr delete`.
    cleanupError = error;
    await recordOrphan(run, { tenantId: record.tenant_id, clientId: record.client_id, secretName }, error);
  }
  if (!cleanupError) {
    try {
      await run.timed('DeleteSecretDuration', () => deps.secrets.delete(secretName, { force: true }));
    } catch (error) {
      cleanupError = error;
      deps.logger.error('canary deleted its client but not its secret', { secretName, clientId: record.client_id, error });
    }
  }
  if (proofError) throw proofError;
  if (cleanupError) throw cleanupError;
  return { ok: true, tenantId: record.tenant_id, clientId: record.client_id, tokenObtained: proof === 'token', proof, mode: 'throw-away', registered: true };
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

/**
 * Proves the credentials at the target's token endpoint (retried on 5xx / network), with its
 * `tokenRequest`: a token where the client has the client_credentials grant, otherwise a refusal of
 * the grant after authentication. A new client refused within the profile's activation window is
 * `not-active-yet` (Salesforce: minutes), not a failure.
 */
async function prove(record: KeptRecord, run: Run): Promise<Proof> {
  const tokenEndpoint = run.target.config.tokenEndpoint;
  if (!tokenEndpoint) return 'none';
  try {
    return await run.timed('TokenDuration', () =>
      withRetries(
        () => run.deps.idp.proveClientCredentials(tokenEndpoint, record, proofOptions(record, run.target.config)),
        run.deps.retry ?? DEFAULT_RETRY_POLICY,
      ),
    );
  } catch (error) {
    if (isInvalidClient(error) && withinActivationWindow(record, run)) return 'not-active-yet';
    throw error;
  }
}

/** Never proved, and registered less than the profile's activation window ago. */
function withinActivationWindow(record: KeptRecord, run: Run): boolean {
  const windowMs = PROFILE_RULES[run.target.config.profile].activationWindowSeconds * 1000;
  const registeredAt = Date.parse(record.registered_at);
  if (!windowMs || record.canary_proved_at || !Number.isFinite(registeredAt)) return false;
  const now = (run.deps.now?.() ?? new Date()).getTime();
  return now - registeredAt < windowMs;
}

/** RFC 6749 §5.2: an unknown, disabled or deleted client is `invalid_client` (401, or 400 at some providers). */
function isInvalidClient(error: unknown): boolean {
  if (error instanceof InvalidClientError) return true;
  return error instanceof UpstreamError && (error.upstreamStatus === 401 || /\binvalid_client/.test(error.message));
}

/** The throw-away tenant's credentials become the kept client's: written under the claim we hold. */
async function adopt(record: RegisteredRecord, secretName: string, claimId: string, run: Run): Promise<KeptRecord> {
  const { deps } = run;
  const kept: KeptRecord = { ...record, tenant_id: KEPT_CANARY_TENANT };
  try {
    await deps.secrets.put(run.keptName, JSON.stringify(kept), deterministicToken('registered', claimId));
  } catch (error) {
    // Only the throw-away secret holds the client, and nothing can delete it: the next run would not find it.
    await recordOrphan(run, { tenantId: record.tenant_id, clientId: record.client_id, secretName }, error);
    throw error;
  }
  deps.logger.info('the provider issued no RFC 7592 credentials: keeping this client as the target\'s canary client', {
    clientId: record.client_id,
    secretName: run.keptName,
  });
  try {
    await deps.secrets.delete(secretName, { force: true });
  } catch (error) {
    deps.logger.error('canary could not delete the throw-away copy of its kept client; delete it by hand', { secretName, error });
    throw error;
  }
  return kept;
}

/** Noted once, so a later invalid_client means the client was removed, not that it never worked. */
async function markProved(record: KeptRecord, run: Run): Promise<void> {
  const provedAt = (run.deps.now?.() ?? new Date()).toISOString();
  try {
    await run.deps.secrets.put(run.keptName, JSON.stringify({ ...record, canary_proved_at: provedAt }));
    record.canary_proved_at = provedAt;
  } catch (error) {
    run.deps.logger.warn('could not note that the kept canary client obtained a token; the next run tries again', { error });
  }
}

/**
 * Replaces the kept record with a tombstone, which the claim then takes over. Racing runs write with
 * one token (from the client id): the first wins, the others go on to the claim and wait for it.
 */
async function retire(record: KeptRecord, run: Run): Promise<void> {
  const tombstone: OffboardedRecord = {
    dcr_status: 'offboarded',
    tenant_id: KEPT_CANARY_TENANT,
    target: run.target.name,
    client_id: record.client_id,
    offboarded_at: (run.deps.now?.() ?? new Date()).toISOString(),
  };
  try {
    await run.deps.secrets.put(run.keptName, JSON.stringify(tombstone), deterministicToken('canary-retire', record.client_id));
  } catch (error) {
    if (!(error instanceof SecretAlreadyExistsError)) throw error;
  }
}

async function readKept(run: Run): Promise<KeptRecord | undefined> {
  const stored = await run.deps.secrets.get(run.keptName);
  const record = stored && parseSecretRecord(stored.value);
  if (record?.dcr_status !== 'registered' || record.tenant_id !== KEPT_CANARY_TENANT || record.target !== run.target.name) return undefined;
  return record;
}

async function readRecord(secretName: string, tenantId: string, clientId: string, deps: UseCaseDependencies) {
  const stored = await deps.secrets.get(secretName);
  const record = stored && parseSecretRecord(stored.value);
  return record?.dcr_status === 'registered' && record.tenant_id === tenantId && record.client_id === clientId ? record : undefined;
}

/** A client nothing can delete any more: log (client id only), metric and `ClientOrphaned` event. */
async function recordOrphan(
  run: Run,
  client: { tenantId: string; clientId: string; secretName: string },
  error: unknown,
): Promise<void> {
  run.orphaned += 1;
  run.deps.logger.error('orphaned canary client: registered but not deleted; remove it at the provider (its secret is kept)', {
    ...client,
    target: run.target.name,
    orphanedClient: 1,
    error,
  });
  await emitOutcome(run.deps, 'ClientOrphaned', {
    tenantId: client.tenantId,
    target: run.target.name,
    clientId: client.clientId,
    ...failureDetail(error),
  });
}
