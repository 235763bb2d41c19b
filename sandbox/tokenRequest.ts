/** Asks a token endpoint for a client_credentials token, authenticating as the stored record says. */
export async function clientCredentialsToken(
  tokenEndpoint: string,
  record: { client_id: string; client_secret?: string; token_endpoint_auth_method: string },
): Promise<Response> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (record.token_endpoint_auth_method === 'client_secret_basic') {
    const encode = (value: string) => encodeURIComponent(value);
    headers.authorization = `Basic ${Buffer.from(`${encode(record.client_id)}:${encode(record.client_secret ?? '')}`).toString('base64')}`;
  } else {
    form.set('client_id', record.client_id);
    form.set('client_secret', record.client_secret ?? '');
  }
  return fetch(tokenEndpoint, { method: 'POST', headers, body: form });
}
