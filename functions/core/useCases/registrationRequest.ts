import * as z from 'zod/mini';
import { describeIssues } from '../config/serviceConfig.js';
import { clientMetadataSchema, TARGET_NAME, TENANT_ID } from '../config/targetConfig.js';
import { InvalidRequestError } from '../errors.js';

/**
 * The body of `POST /registrations` and the `detail` of a `TenantOnboarded` event. Unknown top-level
 * fields are ignored: in particular nothing here can name an endpoint, which comes only from config.
 */
export const registrationRequestSchema = z.looseObject({
  tenantId: z.string().check(z.regex(TENANT_ID, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')),
  target: z.optional(z.string().check(z.regex(TARGET_NAME, 'must match ^[a-z0-9][a-z0-9-]{0,31}$'))),
  client: z.optional(clientMetadataSchema),
});
export type RegistrationRequest = z.infer<typeof registrationRequestSchema>;

export function parseRegistrationRequest(input: unknown): RegistrationRequest {
  const parsed = registrationRequestSchema.safeParse(input);
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
