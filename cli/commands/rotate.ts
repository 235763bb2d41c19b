import { rotateClientSecret } from '../../functions/core/useCases/rotateClientSecret.js';
import { parseTenantRequest } from '../../functions/core/useCases/tenantRequest.js';
import type { Command } from '../command.js';
import { TENANT_OPTIONS } from '../tenantOptions.js';
import { keyValues } from '../output.js';
import { requiredString } from '../usageError.js';
import { registrationRows } from './registrationRows.js';

export const rotate: Command = {
  path: ['rotate'],
  summary: "rotate a tenant's client secret at the provider (RFC 7592 PUT) and store the new one",
  options: {
    ...TENANT_OPTIONS,
    'request-id': { type: 'string', value: 'ID', description: 'idempotency key: repeating a rotation with the same ID is a no-op' },
  },
  details:
    'The new secret becomes the AWSCURRENT version, the old one stays AWSPREVIOUS; "dcr show --reveal"\n' +
    'prints the new value. A provider without RFC 7592 exits 4 and nothing changes.',
  async run(context, values) {
    const request = parseTenantRequest({ tenantId: requiredString(values, 'tenant'), target: values.target });
    const requestId = typeof values['request-id'] === 'string' ? values['request-id'] : undefined;
    const outcome = await rotateClientSecret({ ...request, requestId }, await context.dependencies());
    return { json: outcome, human: keyValues(registrationRows(outcome)) };
  },
};
