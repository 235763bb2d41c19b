import { UpstreamError } from '../errors.js';
import { PROFILE_RULES } from '../idp/profiles.js';
import { InvalidClientError } from '../ports/IdentityProvider.js';
import { withRetries } from '../retry.js';
import type { KeptRecord, Proof, Run } from './canaryRun.js';
import { proofOptions } from './proofOptions.js';

/**
 * Proves the credentials at the target's token endpoint (retried on 5xx / network), with its
 * `tokenRequest`: a token where the client has the client_credentials grant, otherwise a refusal of
 * the grant after authentication. A new client refused within the profile's activation window is
 * `not-active-yet` (Salesforce: minutes), not a failure.
 */
export async function prove(record: KeptRecord, run: Run): Promise<Proof> {
  const tokenEndpoint = run.target.config.tokenEndpoint;
  if (!tokenEndpoint) return 'none';
  try {
    return await run.timed('TokenDuration', () =>
      withRetries(
        () => run.deps.idp.proveClientCredentials(tokenEndpoint, record, proofOptions(record, run.target.config)),
        run.deps.retry,
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
  const now = run.deps.now().getTime();
  return now - registeredAt < windowMs;
}

/** RFC 6749 §5.2: an unknown, disabled or deleted client is `invalid_client` (401, or 400 at some providers). */
export function isInvalidClient(error: unknown): boolean {
  if (error instanceof InvalidClientError) return true;
  return error instanceof UpstreamError && (error.upstreamStatus === 401 || /\binvalid_client/.test(error.message));
}
