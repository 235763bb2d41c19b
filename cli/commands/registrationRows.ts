import type { RegistrationOutcome } from '../../functions/core/useCases/registrationRequest.js';

/** The rows every command shows for a tenant's client: never secret material. */
export function registrationRows(outcome: Omit<RegistrationOutcome, 'status'> & { status: string }): [string, string | undefined][] {
  return [
    ['status', outcome.status],
    ['tenant', outcome.tenantId],
    ['target', outcome.target],
    ['client_id', outcome.clientId],
    ['secret', outcome.secretName],
    ['secret arn', outcome.secretArn],
  ];
}
