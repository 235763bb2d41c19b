import { NotFoundError } from '../../functions/core/errors.js';
import { offboardTenant } from '../../functions/core/useCases/offboardTenant.js';
import { parseTenantRequest } from '../../functions/core/useCases/tenantRequest.js';
import type { Command } from '../command.js';
import { TENANT_OPTIONS } from '../tenantOptions.js';
import { keyValues } from '../output.js';
import { requiredString, UsageError } from '../usageError.js';

export const deleteCommand: Command = {
  path: ['delete'],
  summary: "offboard a tenant: delete its client at the provider (RFC 7592) and schedule its secret's deletion",
  options: {
    ...TENANT_OPTIONS,
    yes: { type: 'boolean', description: 'confirm: the client stops working at once' },
  },
  details:
    "The same as DELETE /registrations/{target}/{tenantId}. The secret is kept for the configuration's\n" +
    'offboardingRecoveryWindowDays. A tenant without a client exits 3; a provider without RFC 7592 exits 4.',
  async run(context, values) {
    const request = parseTenantRequest({ tenantId: requiredString(values, 'tenant'), target: values.target });
    if (values.yes !== true)
      throw new UsageError(`deleting the client of tenant ${request.tenantId} cannot be undone at the provider: add --yes`);
    const outcome = await offboardTenant(request, await context.dependencies());
    if (outcome.status === 'absent') {
      throw new NotFoundError(
        `no client for tenant ${request.tenantId} at target ${outcome.target} (never registered, or already offboarded)`,
      );
    }
    const human = keyValues([
      ['status', outcome.status],
      ['tenant', outcome.tenantId],
      ['target', outcome.target],
      ['client_id', outcome.clientId],
      ['at provider', outcome.clientDeletion === 'absent' ? 'already gone' : outcome.clientDeletion],
      ['secret', `${outcome.secretName} (scheduled for deletion)`],
    ]);
    return { json: outcome, human };
  },
};
