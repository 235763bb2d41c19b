import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { TARGET_NAME, TENANT_ID } from '../../core/config/targetConfig.js';
import { InvalidRequestError, NotFoundError, PayloadTooLargeError } from '../../core/errors.js';
import { MAX_REQUEST_BODY_BYTES } from '../../core/options.js';
import type { Logger } from '../../core/logger.js';
import { getRegistration } from '../../core/useCases/getRegistration.js';
import { offboardTenant } from '../../core/useCases/offboardTenant.js';
import { registerTenant } from '../../core/useCases/registerTenant.js';
import { parseRegistrationRequest, type RegistrationRequest } from '../../core/useCases/registrationRequest.js';
import { rotateClientSecret } from '../../core/useCases/rotateClientSecret.js';
import type { Runtime } from '../runtime.js';
import { errorResponse, json } from './httpResponses.js';

export function isHttpApiEvent(event: unknown): event is APIGatewayProxyEventV2 {
  const e = event as Partial<APIGatewayProxyEventV2> | null;
  return e?.version === '2.0' && typeof e.requestContext?.http?.method === 'string';
}

/**
 * `POST /registrations`, `PUT|GET|DELETE /registrations/{target}/{tenantId}` and
 * `POST /registrations/{target}/{tenantId}/rotate` (HTTP API payload 2.0). Every route but the POST
 * names the tenant in its path, so IAM can grant it per tenant (docs/access.md).
 */
export async function handleHttpApi(
  event: APIGatewayProxyEventV2,
  runtime: Runtime,
  logger: Logger,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  // Match on the path's end so a stage prefix (/prod/registrations) routes the same.
  const path = (event.rawPath ?? event.requestContext.http.path ?? '').replace(/\/+$/, '');
  try {
    if (/(^|\/)registrations$/.test(path)) {
      if (method !== 'POST') return methodNotAllowed('POST');
      const request = parseRegistrationRequest(parseJsonBody(event));
      const outcome = await registerTenant(request, await runtime.dependencies(logger));
      return json(outcome.status === 'registered' ? 201 : 200, outcome);
    }
    const tenantPath = /(?:^|\/)registrations\/([^/]+)\/([^/]+)(\/rotate)?$/.exec(path);
    if (!tenantPath) throw new NotFoundError(`no route for ${method} ${path || '/'}`);
    const request = parseTenantPath(tenantPath[1], tenantPath[2]);
    if (tenantPath[3]) {
      if (method !== 'POST') return methodNotAllowed('POST');
      const requestId = idempotencyKey(event);
      return json(200, await rotateClientSecret({ ...request, requestId }, await runtime.dependencies(logger)));
    }
    if (method === 'PUT') {
      const outcome = await registerTenant(tenantPathRequest(request, event), await runtime.dependencies(logger));
      return json(outcome.status === 'registered' ? 201 : 200, outcome);
    }
    if (method === 'GET') return json(200, await getRegistration(request.target, request.tenantId, await runtime.dependencies(logger)));
    if (method === 'DELETE') {
      const outcome = await offboardTenant(request, await runtime.dependencies(logger));
      if (outcome.status === 'absent')
        throw new NotFoundError(`no registration for tenant ${request.tenantId} at target ${request.target}`);
      return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
    }
    return methodNotAllowed('PUT, GET, DELETE');
  } catch (error) {
    return errorResponse(error, logger);
  }
}

/**
 * `PUT /registrations/{target}/{tenantId}`: the body of a POST (optional here) without the tenant and
 * target, which the path names. A body naming another tenant or target is refused: IAM authorised the
 * path, so the path must be what is registered.
 */
function tenantPathRequest(path: { target: string; tenantId: string }, event: APIGatewayProxyEventV2): RegistrationRequest {
  const body = event.body ? parseJsonBody(event) : {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequestError('request body must be a JSON object');
  const named = body as { tenantId?: unknown; target?: unknown };
  if (named.tenantId !== undefined && named.tenantId !== path.tenantId) {
    throw new InvalidRequestError('tenantId in the body differs from the path; leave it out');
  }
  if (named.target !== undefined && named.target !== path.target) {
    throw new InvalidRequestError('target in the body differs from the path; leave it out');
  }
  return parseRegistrationRequest({ ...body, tenantId: path.tenantId, target: path.target });
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/** `Idempotency-Key` on a rotation: repeating a request with the same key is a no-op. */
function idempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers?.['idempotency-key'];
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) throw new InvalidRequestError('Idempotency-Key must be 1-128 characters of A-Z a-z 0-9 . _ : -');
  return `http:${key}`;
}

function methodNotAllowed(allow: string): APIGatewayProxyStructuredResultV2 {
  return json(405, { error: 'invalid_request', error_description: `use ${allow}` }, { allow });
}

function parseTenantPath(target: string | undefined, tenantId: string | undefined): { target: string; tenantId: string } {
  const decoded = { target: safeDecode(target), tenantId: safeDecode(tenantId) };
  if (!TARGET_NAME.test(decoded.target) || !TENANT_ID.test(decoded.tenantId)) {
    throw new InvalidRequestError('target or tenantId in the path is malformed');
  }
  return decoded;
}

/** Base64 text this long decodes to more than the cap: refused before decoding anything. */
const MAX_BASE64_LENGTH = Math.ceil(MAX_REQUEST_BODY_BYTES / 3) * 4;

function parseJsonBody(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) throw new InvalidRequestError('request body is required');
  // Each character is at least one byte (and base64 packs 3 bytes in 4): refuse before decoding or counting.
  if (event.body.length > (event.isBase64Encoded ? MAX_BASE64_LENGTH : MAX_REQUEST_BODY_BYTES)) throw tooLarge();
  const size = event.isBase64Encoded ? Buffer.byteLength(event.body, 'base64') : Buffer.byteLength(event.body);
  if (size > MAX_REQUEST_BODY_BYTES) throw tooLarge();
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError('request body is not valid JSON');
  }
}

function tooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes`);
}

function safeDecode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return '';
  }
}
