import { deterministicToken } from '../claimTokens.js';
import { type OffboardedRecord, readSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import { SecretAlreadyExistsError } from '../ports/SecretStore.js';
import { KEPT_CANARY_TENANT, type KeptRecord, type Run, recordOrphan } from './canaryRun.js';

/** The throw-away tenant's credentials become the kept client's: written under the claim we hold. */
export async function adopt(record: RegisteredRecord, secretName: string, claimId: string, run: Run): Promise<KeptRecord> {
  const { deps } = run;
  const kept: KeptRecord = { ...record, tenant_id: KEPT_CANARY_TENANT };
  try {
    await deps.secrets.put(run.keptName, JSON.stringify(kept), deterministicToken('registered', claimId));
  } catch (error) {
    // Only the throw-away secret holds the client, and nothing can delete it: the next run would not find it.
    await recordOrphan(run, { tenantId: record.tenant_id, clientId: record.client_id, secretName }, error);
    throw error;
  }
  deps.logger.info("the provider issued no RFC 7592 credentials: keeping this client as the target's canary client", {
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
export async function markProved(record: KeptRecord, run: Run): Promise<void> {
  const provedAt = run.deps.now().toISOString();
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
export async function retire(record: KeptRecord, run: Run): Promise<void> {
  const tombstone: OffboardedRecord = {
    dcr_status: 'offboarded',
    tenant_id: KEPT_CANARY_TENANT,
    target: run.target.name,
    client_id: record.client_id,
    offboarded_at: run.deps.now().toISOString(),
  };
  try {
    await run.deps.secrets.put(run.keptName, JSON.stringify(tombstone), deterministicToken('canary-retire', record.client_id));
  } catch (error) {
    if (!(error instanceof SecretAlreadyExistsError)) throw error;
  }
}

export async function readKept(run: Run): Promise<KeptRecord | undefined> {
  const { record } = await readSecretRecord(run.deps.secrets, run.keptName);
  if (record?.dcr_status !== 'registered' || record.tenant_id !== KEPT_CANARY_TENANT || record.target !== run.target.name) return undefined;
  return record;
}
