import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { TARGET_NAME, TENANT_ID } from '../../core/config/targetConfig.js';
import { InvalidRequestError, NotFoundError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { getRegistration } from '../../core/useCases/getRegistration.js';
import { registerTenant } from '../../core/useCases/registerTenant.js';
import { parseRegistrationRequest } from '../../core/useCases/registrationRequest.js';
import type { Runtime } from '../runtime.js';
import { errorResponse, json } from './httpResponses.js';

const MAX_BODY_BYTES = 64 * 1024;

export function isHttpApiEvent(event: unknown): event is APIGatewayProxyEventV2 {
  const e = event as Partial<APIGatewayProxyEventV2> | null;
  return e?.version === '2.0' && typeof e.requestContext?.http?.method === 'string';
}

/** `POST /registrations` and `GET /registrations/{target}/{tenantId}` (HTTP API payload 2.0). */
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
      if (method !== 'POST') return json(405, { error: 'invalid_request', error_description: 'use POST' }, { allow: 'POST' });
      const request = parseRegistrationRequest(parseJsonBody(event));
      const deps = await runtime.dependencies(logger);
      const outcome = await registerTenant(request, deps);
      return json(outcome.status === 'registered' ? 201 : 200, outcome);
    }
    const lookup = /(?:^|\/)registrations\/([^/]+)\/([^/]+)$/.exec(path);
    if (lookup) {
      if (method !== 'GET') return json(405, { error: 'invalid_request', error_description: 'use GET' }, { allow: 'GET' });
      const [target, tenantId] = [safeDecode(lookup[1]), safeDecode(lookup[2])];
      if (!TARGET_NAME.test(target) || !TENANT_ID.test(tenantId)) {
        throw new InvalidRequestError('target or tenantId in the path is malformed');
      }
      const deps = await runtime.dependencies(logger);
      return json(200, await getRegistration(target, tenantId, deps));
    }
    throw new NotFoundError(`no route for ${method} ${path || '/'}`);
  } catch (error) {
    return errorResponse(error, logger);
  }
}

function parseJsonBody(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) throw new InvalidRequestError('request body is required');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new InvalidRequestError('request body is too large');
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError('request body is not valid JSON');
  }
}

function safeDecode(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return '';
  }
}
