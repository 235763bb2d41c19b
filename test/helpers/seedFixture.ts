import { readFileSync } from 'node:fs';

// A copy of seed 000 (shared/seeds/000_c869620001e158c2.txt), kept in the repository: placeholders only, no credential.
const SEED_000 = new URL('../fixtures/salesforce-dcr-000.txt', import.meta.url);

interface PostmanItem {
  request: { body: { raw: string } };
  response: { code: number; originalRequest: { body: { raw: string } }; body: string }[];
}

/** Seed 000's Postman item: the Salesforce request body and its sample 201 response, the contract fixture. */
export function loadSeed000(): { request: Record<string, unknown>; responseStatus: number; responseBody: (values: SeedValues) => string } {
  const text = readFileSync(SEED_000, 'utf8');
  const item = JSON.parse(text.slice(text.indexOf('{', text.indexOf('Postman Collection Item JSON')))) as PostmanItem;
  const response = item.response[0];
  if (!response) throw new Error('seed 000 has no sample response');
  return {
    request: JSON.parse(item.request.body.raw) as Record<string, unknown>,
    responseStatus: response.code,
    // The sample uses placeholders (<client_id>, <timestamp>, …): fill them to get a concrete body.
    responseBody: (values) =>
      response.body
        .replaceAll('<client_id>', values.clientId)
        .replaceAll('<client_secret>', values.clientSecret)
        .replaceAll('<token>', values.registrationAccessToken)
        .replaceAll('<timestamp>', String(values.issuedAt)),
  };
}

export interface SeedValues {
  clientId: string;
  clientSecret: string;
  registrationAccessToken: string;
  issuedAt: number;
}
