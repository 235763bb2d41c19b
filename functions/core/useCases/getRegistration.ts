import { secretNameFor } from '../config/serviceConfig.js';
import { NotFoundError } from '../errors.js';
import { readSecretRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import type { RegistrationOutcome } from './registrationRequest.js';
import { requireTarget } from './targets.js';

/**
 * Looks up a tenant's client without revealing its secret. The status is the tenant's state
 * (`registered` or `pending`), the words `dcr list` uses; `exists` belongs to a POST that found one.
 */
export async function getRegistration(
  targetName: string,
  tenantId: string,
  deps: Pick<UseCaseDependencies, 'config' | 'secrets'>,
): Promise<RegistrationOutcome> {
  const target = requireTarget(deps.config, targetName);
  const secretName = secretNameFor(deps.config, target.name, tenantId);
  const { stored: secret, record } = await readSecretRecord(deps.secrets, secretName);
  if (!secret || !record) throw new NotFoundError(`no registration for tenant ${tenantId} at target ${target.name}`);
  return {
    tenantId,
    target: target.name,
    clientId: record.dcr_status === 'registered' ? record.client_id : undefined,
    secretArn: secret.arn,
    secretName,
    status: record.dcr_status === 'registered' ? 'registered' : 'pending',
  };
}
