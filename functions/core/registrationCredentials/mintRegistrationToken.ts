import { ConfigurationError, TemporarilyUnavailableError, UpstreamError } from '../errors.js';
import { clientCredentialsRequest } from '../idp/clientCredentialsRequest.js';
import { readBoundedBody } from '../idp/readBoundedBody.js';
import { classifyUpstreamFailure, parseErrorBody, retryAfterHeader } from '../idp/upstreamResponse.js';
import { rememberSecret } from '../redaction.js';
import { checkCredentialValue } from './credentialValue.js';
import type { ClientCredentialsCredential, RegistrationClient } from './registrationClient.js';

export interface MintOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBodyBytes: number;
  now: () => number;
}

export interface MintedToken {
  token: string;
  /** `expires_in` in seconds, when the answer gave a usable one. */
  expiresInSeconds?: number;
}

const ACTION = 'registration token request';

/**
 * A client_credentials token for the registration endpoint (Okta's `okta.clients.register`, Auth0's
 * and Curity's DCR tokens), authenticated by client_secret_basic, client_secret_post or an RFC 7523
 * client assertion. 429, 5xx and network faults are retryable; any other refusal is the
 * configuration's (the client in the secret is wrong), named by its secret id and never a value.
 */
export async function mintRegistrationToken(
  credential: ClientCredentialsCredential,
  client: RegistrationClient,
  options: MintOptions,
): Promise<MintedToken> {
  const { tokenEndpoint, secretId } = credential;
  const request = tokenRequest(credential, client, options.now);
  const controller = new AbortController();
  const deadline = AbortSignal.timeout(options.timeoutMs);
  let status: number;
  let text: string;
  let retryAfter: string | null;
  try {
    const response = await options.fetch(tokenEndpoint, {
      method: 'POST',
      ...request,
      redirect: 'manual',
      signal: AbortSignal.any([controller.signal, deadline]),
    });
    const body = await readBoundedBody(response, { maxBytes: options.maxBodyBytes, controller, signal: deadline });
    status = response.status;
    text = body.tooLarge ? '' : body.text;
    retryAfter = retryAfterHeader(response.status, response.headers);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new TemporarilyUnavailableError(`token endpoint unreachable for ${ACTION} (${code ?? (error as Error).name})`, 2, {
      cause: error,
    });
  }

  if (status === 429 || status >= 500) throw classifyUpstreamFailure(status, parseErrorBody(text), retryAfter, ACTION);
  if (status !== 200) {
    const { error } = parseErrorBody(text);
    throw new ConfigurationError(
      `token endpoint refused the registration client in secret ${secretId}: ${status} to ${ACTION}${error ? ` (${error})` : ''}`,
    );
  }
  const answer = parseTokenAnswer(text);
  if (!answer) throw new UpstreamError(`token endpoint answered 200 without a readable access_token (${ACTION})`, 200);
  rememberSecret(answer.token);
  if (answer.tokenType !== undefined && answer.tokenType.toLowerCase() !== 'bearer') {
    throw new UpstreamError(
      `token endpoint issued a ${answer.tokenType.slice(0, 16)} token; only Bearer tokens can authorise a registration`,
      200,
    );
  }
  checkCredentialValue(answer.token, 'the token minted', secretId);
  return { token: answer.token, expiresInSeconds: answer.expiresInSeconds };
}

function tokenRequest(credential: ClientCredentialsCredential, client: RegistrationClient, now: () => number) {
  const tokenRequestParams = credential.scope === undefined ? {} : { scope: credential.scope };
  if (client.authMethod !== 'private_key_jwt') {
    return clientCredentialsRequest(
      { client_id: client.clientId, client_secret: client.clientSecret, token_endpoint_auth_method: client.authMethod },
      tokenRequestParams,
    );
  }
  let request: ReturnType<typeof clientCredentialsRequest>;
  try {
    request = clientCredentialsRequest(
      { client_id: client.clientId, private_key_jwk: client.privateJwk, token_endpoint_auth_method: 'private_key_jwt' },
      tokenRequestParams,
      { tokenEndpoint: credential.tokenEndpoint, now: new Date(now()) },
    );
  } catch (error) {
    if (error instanceof ConfigurationError)
      throw new ConfigurationError(`${error.message} (registration client secret ${credential.secretId})`);
    throw new ConfigurationError(`registration client secret ${credential.secretId} holds a private_key_jwk that cannot sign`);
  }
  rememberSecret(new URLSearchParams(request.body).get('client_assertion') ?? undefined);
  return request;
}

function parseTokenAnswer(text: string): { token: string; tokenType?: string; expiresInSeconds?: number } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { access_token, token_type, expires_in } = body as Record<string, unknown>;
  if (typeof access_token !== 'string' || !access_token) return undefined;
  // Some servers send expires_in as a string ("3600").
  const seconds = typeof expires_in === 'string' && /^\d{1,9}$/.test(expires_in) ? Number(expires_in) : expires_in;
  return {
    token: access_token,
    tokenType: typeof token_type === 'string' ? token_type : undefined,
    expiresInSeconds: typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined,
  };
}
