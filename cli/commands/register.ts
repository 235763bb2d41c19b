import { registerTenant } from '../../functions/core/useCases/registerTenant.js';
import { parseRegistrationRequest } from '../../functions/core/useCases/registrationRequest.js';
import type { Command } from '../command.js';
import { TENANT_OPTIONS } from '../tenantOptions.js';
import { requiredString } from '../usageError.js';
import { keyValues } from '../output.js';
import { registrationRows } from './registrationRows.js';

export const register: Command = {
  path: ['register'],
  summary: "register a tenant's OAuth client and store its credentials in a new secret",
  options: {
    ...TENANT_OPTIONS,
    'client-name': { type: 'string', value: 'N', description: "client_name, overriding the target's clientMetadata" },
    'redirect-uri': { type: 'string', multiple: true, value: 'U', description: 'redirect URI; repeat for several' },
  },
  details:
    'A tenant that already has a client answers status "exists" and nothing is registered.\n' +
    'The same request as POST /registrations: the endpoint and IAT come only from the configuration.',
  async run(context, values) {
    const client: Record<string, unknown> = {};
    if (values['client-name'] !== undefined) client.client_name = values['client-name'];
    if (values['redirect-uri'] !== undefined) client.redirect_uris = values['redirect-uri'];
    const request = parseRegistrationRequest({
      tenantId: requiredString(values, 'tenant'),
      target: values.target,
      ...(Object.keys(client).length ? { client } : {}),
    });
    const outcome = await registerTenant(request, await context.dependencies());
    return { json: outcome, human: keyValues(registrationRows(outcome)) };
  },
};
