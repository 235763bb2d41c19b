import * as z from 'zod/mini';
import { describeIssues } from '../config/serviceConfig.js';
import { TARGET_NAME, TENANT_ID } from '../config/targetConfig.js';
import { InvalidRequestError } from '../errors.js';
import { lazy } from '../lazy.js';

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The body of `POST /registrations` and the `detail` of a `TenantOnboarded` event. Unknown top-level
 * fields are ignored: in particular nothing here can name an endpoint, which comes only from config.
 * `client` is only checked to be an object here: which fields it may hold depends on the target, so
 * the metadata policy (config/metadataPolicy.ts) checks it once the target is known.
 */
export const registrationRequestSchema = lazy(() =>
  z.looseObject({
    tenantId: z.string().check(z.regex(TENANT_ID, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')),
    target: z.optional(z.string().check(z.regex(TARGET_NAME, 'must match ^[a-z0-9][a-z0-9-]{0,31}$'))),
    client: z.optional(z.custom<Record<string, unknown>>(isJsonObject, 'must be a JSON object')),
  }),
);
export type RegistrationRequest = z.infer<ReturnType<typeof registrationRequestSchema>>;

export function parseRegistrationRequest(input: unknown): RegistrationRequest {
  const parsed = registrationRequestSchema().safeParse(input);
  if (!parsed.success) throw new InvalidRequestError(describeIssues(parsed.error.issues));
  return parsed.data;
}

/** What every trigger answers about a tenant's client; never secret material. */
export interface RegistrationOutcome {
  tenantId: string;
  target: string;
  clientId?: string;
  secretArn: string;
  secretName: string;
  status: 'registered' | 'exists' | 'pending';
}
