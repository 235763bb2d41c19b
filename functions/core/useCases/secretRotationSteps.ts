import { ConfigurationError, NotSupportedError, UpstreamError } from '../errors.js';
import { parseSecretRecord, type RegisteredRecord } from '../secretRecord.js';
import type { UseCaseDependencies } from './dependencies.js';
import { emitOutcome } from './outcomeEvents.js';
import { proofOptions } from './proofOptions.js';
import { requestNewSecret } from './rotateClientSecret.js';
import { loadTarget } from './targets.js';
import { acquireTenantLease, releaseTenantLease } from './tenantLease.js';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** What Secrets Manager sends a rotation function, once per step. */
export interface RotationStepRequest {
  secretId: string;
  token: string;
  step: RotationStep;
}

/**
 * The Secrets Manager rotation-function contract for a tenant's client secret, so `RotateSecret`
 * schedules work. The provider issues the new secret itself (RFC 7592 PUT), so createSecret both asks
 * for it and stores it as AWSPENDING; setSecret has nothing left to do; testSecret proves it at the target's token
 * endpoint, if any, with the target's `tokenRequest` (a token, or for a client without the
 * client_credentials grant a refusal of the grant after authentication); finishSecret makes it
 * AWSCURRENT. Every step is idempotent for its token. Note: a provider that revokes the old secret at
 * once (as RFC 7592 allows) leaves the current version unusable until finishSecret, a few seconds later.
 */
export async function runRotationStep(
  request: RotationStepRequest,
  deps: UseCaseDependencies,
): Promise<{ step: RotationStep; status: 'done' | 'already done' | 'nothing to do' }> {
  const versions = deps.secretVersions;
  if (!versions) throw new ConfigurationError('secret rotation needs the SecretVersions port');
  const stages = await versions.versionStages(request.secretId);
  if (stages[request.token]?.includes('AWSCURRENT')) {
    if (request.step === 'finishSecret') await releaseTenantLease(request.secretId, leaseOperation(request), deps);
    return { step: request.step, status: 'already done' };
  }

  const current = await versions.getVersion(request.secretId, { stage: 'AWSCURRENT' });
  const record = current && parseSecretRecord(current.value);
  if (!current || record?.dcr_status !== 'registered' || !current.name.startsWith(deps.config.secretNamePrefix)) {
    throw new ConfigurationError(`secret ${request.secretId} is not a registered dcr-onboarding client secret; refusing to rotate it`);
  }
  const target = await loadTarget(record.target, deps);
  const pending = async () => {
    const version = await versions.getVersion(request.secretId, { versionId: request.token, stage: 'AWSPENDING' });
    const parsed = version && parseSecretRecord(version.value);
    return parsed?.dcr_status === 'registered' ? parsed : undefined;
  };

  switch (request.step) {
    case 'createSecret': {
      if (await pending()) return { step: request.step, status: 'already done' };
      // Held until finishSecret: an HTTP rotation in between would leave AWSPENDING a dead secret.
      await acquireTenantLease(current.name, leaseOperation(request), deps);
      const { rotated, newSecret } = await requestNewSecret(record, target, deps);
      if (!newSecret) throw new NotSupportedError('the identity provider did not issue a new client secret on update');
      await versions.putVersion(request.secretId, JSON.stringify(rotated), request.token, ['AWSPENDING']);
      return { step: request.step, status: 'done' };
    }
    case 'setSecret':
      // The provider set the new secret when it issued it in createSecret.
      return { step: request.step, status: 'nothing to do' };
    case 'testSecret': {
      const next = await pending();
      if (!next) throw new UpstreamError('no AWSPENDING version to test: createSecret has not run for this token');
      if (!target.config.tokenEndpoint) return { step: request.step, status: 'nothing to do' };
      await deps.idp.proveClientCredentials(target.config.tokenEndpoint, next, proofOptions(next, target.config));
      return { step: request.step, status: 'done' };
    }
    case 'finishSecret': {
      const currentVersion = Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
      await versions.promote(request.secretId, request.token, currentVersion);
      await releaseTenantLease(current.name, leaseOperation(request), deps);
      await announce(record, target.name, current.arn, deps);
      return { step: request.step, status: 'done' };
    }
  }
}

const leaseOperation = (request: RotationStepRequest) => `secrets-manager-rotation:${request.token}`;

async function announce(record: RegisteredRecord, target: string, secretArn: string, deps: UseCaseDependencies): Promise<void> {
  deps.logger.info('client secret rotated by Secrets Manager rotation', { tenantId: record.tenant_id, target, clientId: record.client_id });
  await emitOutcome(deps, 'ClientSecretRotated', { tenantId: record.tenant_id, target, clientId: record.client_id, secretArn });
}
