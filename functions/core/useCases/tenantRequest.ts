import * as z from 'zod/mini';
import { describeIssues } from '../config/serviceConfig.js';
import { TARGET_NAME, TENANT_ID } from '../config/targetConfig.js';
import { InvalidRequestError } from '../errors.js';
import { lazy } from '../lazy.js';

/** The detail of `TenantOffboarded` and `ClientSecretRotationRequested`: which tenant, at which target. */
export const tenantRequestSchema = lazy(() =>
  z.looseObject({
    tenantId: z.string().check(z.regex(TENANT_ID, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')),
    target: z.optional(z.string().check(z.regex(TARGET_NAME, 'must match ^[a-z0-9][a-z0-9-]{0,31}$'))),
  }),
);
export type TenantRequest = z.infer<ReturnType<typeof tenantRequestSchema>>;

export function parseTenantRequest(input: unknown): TenantRequest {
  const parsed = tenantRequestSchema().safeParse(input);
  if (!parsed.success) throw new InvalidRequestError(describeIssues(parsed.error.issues));
  return parsed.data;
}
