import * as z from 'zod/mini';
import type { Logger } from '../../core/logger.js';
import { ROTATION_STEPS, runRotationStep } from '../../core/useCases/secretRotationSteps.js';
import type { Runtime } from '../runtime.js';
import { lazy } from '../../core/lazy.js';

/** What Secrets Manager invokes a rotation function with. */
const rotationEventSchema = lazy(() =>
  z.looseObject({
    SecretId: z.string().check(z.minLength(1), z.maxLength(2048)),
    ClientRequestToken: z.string().check(z.minLength(32), z.maxLength(64)),
    Step: z.enum(ROTATION_STEPS),
  }),
);

export function isSecretsRotationEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'Step' in event && 'SecretId' in event && 'ClientRequestToken' in event;
}

/** One step of a `RotateSecret`; any failure throws, so Secrets Manager marks the rotation failed and retries. */
export async function handleSecretsRotation(event: unknown, runtime: Runtime, logger: Logger) {
  const parsed = rotationEventSchema().safeParse(event);
  if (!parsed.success) {
    logger.error('rotation event dropped: expected {SecretId, ClientRequestToken, Step}');
    return { status: 'dropped', error: 'invalid_request' };
  }
  const { SecretId: secretId, ClientRequestToken: token, Step: step } = parsed.data;
  const log = logger.child({ secretId, rotationStep: step });
  try {
    const outcome = await runRotationStep({ secretId, token, step }, await runtime.dependencies(log));
    log.info('rotation step finished', outcome);
    return outcome;
  } catch (error) {
    log.error('rotation step failed', { error });
    throw error;
  }
}
