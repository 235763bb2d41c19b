import { expect } from 'vitest';
import { type UnusableClient, UnusableRegistrationError } from '../../functions/core/errors.js';
import type { ClientRegistration } from '../../functions/core/ports/IdentityProvider.js';

/**
 * 2xx registration answers a careless or hostile provider may send, each with what the service must
 * make of it: accepted (leniently read), or unusable with the client to delete (when its client_id
 * is valid) or without one. `neverShown` must appear in no message or serialised error.
 */
export interface MalformedRegistration {
  name: string;
  body: string;
  /** The metadata the service sent (the target's pinned fields). */
  metadata?: Record<string, unknown>;
  expect: { accepted?: Partial<ClientRegistration>; client?: UnusableClient; neverShown?: string[] };
}

const URI = 'https://idp.example.com/reg/c1';
const TOKEN = 'rat-0123456789';
const SECRET = 'secret-0123456789';
const LONG_ID = 'x'.repeat(10 * 1024);
const SECRET_WITH_NEWLINE = 'secret-line-1\nsecret-line-2';
const TOKEN_WITH_ESCAPE = 'rat-\u001b[31m-0123';
const fullClient = { client_id: 'c1', registration_client_uri: URI, registration_access_token: TOKEN };
const json = (value: unknown) => JSON.stringify(value);

export const MALFORMED_REGISTRATIONS: MalformedRegistration[] = [
  {
    name: 'numeric strings for the timestamps are read as numbers ("0" is 0)',
    body: json({ client_id: 'c1', client_secret: SECRET, client_id_issued_at: '1700000000', client_secret_expires_at: '0' }),
    expect: { accepted: { client_id: 'c1', client_secret: SECRET, client_id_issued_at: 1_700_000_000, client_secret_expires_at: 0 } },
  },
  {
    name: 'null timestamps and unknown fields are harmless',
    body: json({ client_id: 'c1', client_secret: SECRET, client_secret_expires_at: null, vendor_extension: { a: [1] } }),
    expect: { accepted: { client_id: 'c1', metadata: { vendor_extension: { a: [1] } } } },
  },
  {
    name: 'an unreadable client_id_issued_at is dropped, not fatal',
    body: json({ client_id: 'c1', client_secret: SECRET, client_id_issued_at: 'yesterday' }),
    expect: { accepted: { client_id: 'c1', client_secret: SECRET } },
  },
  {
    name: 'no client_secret is fine for a public client (none)',
    body: json({ client_id: 'c1', token_endpoint_auth_method: 'none' }),
    expect: { accepted: { client_id: 'c1', token_endpoint_auth_method: 'none' } },
  },
  {
    name: 'no client_secret is fine for private_key_jwt',
    body: json({ client_id: 'c1', token_endpoint_auth_method: 'private_key_jwt' }),
    expect: { accepted: { client_id: 'c1', token_endpoint_auth_method: 'private_key_jwt' } },
  },
  {
    name: 'no client_secret for client_secret_basic (the profile default) → unusable, client named',
    body: json({ client_id: 'c1', registration_client_uri: URI, registration_access_token: TOKEN }),
    expect: { client: fullClient, neverShown: [TOKEN] },
  },
  {
    name: 'no client_secret when the request asked for client_secret_post → unusable, client named',
    body: json({ client_id: 'c1', registration_client_uri: URI, registration_access_token: TOKEN }),
    metadata: { token_endpoint_auth_method: 'client_secret_post' },
    expect: { client: fullClient, neverShown: [TOKEN] },
  },
  {
    name: 'an empty client_secret for client_secret_jwt → unusable, client named',
    body: json({
      client_id: 'c1',
      client_secret: '',
      token_endpoint_auth_method: 'client_secret_jwt',
      registration_client_uri: URI,
      registration_access_token: TOKEN,
    }),
    expect: { client: fullClient, neverShown: [TOKEN] },
  },
  {
    name: 'an empty client_id → unusable, no client',
    body: json({ client_id: '', client_secret: SECRET, registration_client_uri: URI, registration_access_token: TOKEN }),
    expect: { neverShown: [SECRET, TOKEN] },
  },
  {
    name: 'no client_id at all → unusable, no client',
    body: json({ client_secret: SECRET }),
    expect: { neverShown: [SECRET] },
  },
  {
    name: 'a numeric client_id → unusable, no client',
    body: json({ client_id: 12345, client_secret: SECRET }),
    expect: { neverShown: [SECRET] },
  },
  {
    name: 'a 10 KB client_id → unusable, no client, the id never quoted',
    body: json({ client_id: LONG_ID, client_secret: SECRET }),
    expect: { neverShown: ['x'.repeat(65), SECRET] },
  },
  {
    name: 'a client_id with a line break → unusable, no client',
    body: json({ client_id: 'c1\nINFO forged log line', client_secret: SECRET }),
    expect: { neverShown: ['forged log line', SECRET] },
  },
  {
    name: 'a client_id with a space → unusable, no client',
    body: json({ client_id: 'c 1', client_secret: SECRET }),
    expect: {},
  },
  {
    name: 'a client_secret with a line break → unusable, client named, secret never shown',
    body: json({ client_id: 'c1', client_secret: SECRET_WITH_NEWLINE, registration_client_uri: URI, registration_access_token: TOKEN }),
    expect: { client: fullClient, neverShown: ['secret-line-1', 'secret-line-2', TOKEN] },
  },
  {
    name: 'a 5000-character client_secret → unusable, client named',
    body: json({ client_id: 'c1', client_secret: 's'.repeat(5000), registration_client_uri: URI, registration_access_token: TOKEN }),
    expect: { client: fullClient, neverShown: ['s'.repeat(40), TOKEN] },
  },
  {
    name: 'a registration_access_token with an escape sequence → unusable, client named without it',
    body: json({ client_id: 'c1', client_secret: SECRET, registration_client_uri: URI, registration_access_token: TOKEN_WITH_ESCAPE }),
    expect: { client: { client_id: 'c1', registration_client_uri: URI }, neverShown: [SECRET, '0123'] },
  },
  {
    name: 'a registration_access_token that is not ASCII (unsendable as Bearer) → unusable, client named without it',
    body: json({ client_id: 'c1', client_secret: SECRET, registration_client_uri: URI, registration_access_token: 'rat-tökén-0123' }),
    expect: { client: { client_id: 'c1', registration_client_uri: URI }, neverShown: [SECRET, 'tökén'] },
  },
  {
    name: 'a registration_client_uri that is not a URL → unusable, client named without it',
    body: json({ client_id: 'c1', client_secret: SECRET, registration_client_uri: 'not a url', registration_access_token: TOKEN }),
    expect: { client: { client_id: 'c1', registration_access_token: TOKEN }, neverShown: [SECRET, TOKEN] },
  },
  {
    name: 'a javascript: registration_client_uri → unusable, client named without it',
    body: json({
      client_id: 'c1',
      client_secret: SECRET,
      registration_client_uri: 'javascript:alert(1)',
      registration_access_token: TOKEN,
    }),
    expect: { client: { client_id: 'c1', registration_access_token: TOKEN }, neverShown: ['alert', SECRET, TOKEN] },
  },
  {
    name: 'a 3000-character registration_client_uri → unusable, client named without it',
    body: json({
      client_id: 'c1',
      client_secret: SECRET,
      registration_client_uri: `${URI}/${'p'.repeat(3000)}`,
      registration_access_token: TOKEN,
    }),
    expect: { client: { client_id: 'c1', registration_access_token: TOKEN }, neverShown: ['p'.repeat(65), SECRET, TOKEN] },
  },
  {
    name: 'an unreadable client_secret_expires_at → unusable, client named',
    body: json({
      client_id: 'c1',
      client_secret: SECRET,
      client_secret_expires_at: 'never',
      registration_client_uri: URI,
      registration_access_token: TOKEN,
    }),
    expect: { client: fullClient, neverShown: [SECRET, TOKEN] },
  },
  {
    name: 'a token_endpoint_auth_method that is not a string → unusable, client named',
    body: json({
      client_id: 'c1',
      client_secret: SECRET,
      token_endpoint_auth_method: 42,
      registration_client_uri: URI,
      registration_access_token: TOKEN,
    }),
    expect: { client: fullClient, neverShown: [SECRET, TOKEN] },
  },
  {
    name: 'a body that is not JSON → unusable, no client',
    body: `{"client_id":"c1","client_secret":"${SECRET}"`,
    expect: { neverShown: [SECRET] },
  },
  {
    name: 'a JSON array → unusable, no client',
    body: json([{ client_id: 'c1', client_secret: SECRET }]),
    expect: { neverShown: [SECRET] },
  },
  {
    name: 'JSON null → unusable, no client',
    body: 'null',
    expect: {},
  },
  {
    name: 'an empty body → unusable, no client',
    body: '',
    expect: {},
  },
];

/**
 * What the service made of one variant's answer, checked against the variant: the registration it
 * accepted, or an UnusableRegistrationError naming the expected client and showing no hidden value.
 */
export async function expectVariantOutcome(
  variant: MalformedRegistration,
  registering: Promise<ClientRegistration>,
): Promise<Error | undefined> {
  const outcome = await registering.then(
    (registration) => ({ registration }),
    (error: unknown) => ({ error }),
  );
  if (variant.expect.accepted) {
    expect(outcome).toEqual({ registration: expect.objectContaining(variant.expect.accepted) });
    return undefined;
  }
  const error = (outcome as { error: unknown }).error;
  expect(error).toBeInstanceOf(UnusableRegistrationError);
  expect((error as UnusableRegistrationError).client).toEqual(variant.expect.client);
  const shown = `${(error as Error).message} ${JSON.stringify(error)}`;
  for (const hidden of variant.expect.neverShown ?? []) expect(shown).not.toContain(hidden);
  return error as Error;
}
