import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, EventBridgeEvent } from 'aws-lambda';

export interface HttpRequestShape {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  query?: string;
  sourceIp?: string;
}

/** An API Gateway HTTP API (payload format 2.0) event, as API Gateway builds it for a `$default` stage. */
export function httpApiEvent(request: HttpRequestShape): APIGatewayProxyEventV2 {
  const now = new Date();
  const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const route = routeKeyFor(request.method, request.path);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.path,
    rawQueryString: request.query ?? '',
    headers,
    pathParameters: route.pathParameters,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method.toUpperCase(),
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: request.body,
    isBase64Encoded: false,
  };
}

function routeKeyFor(method: string, path: string): { routeKey: string; pathParameters?: Record<string, string> } {
  const lookup = /^\/registrations\/([^/]+)\/([^/]+)$/.exec(path);
  if (lookup) {
    return {
      routeKey: `${method.toUpperCase()} /registrations/{target}/{tenantId}`,
      pathParameters: { target: decodeURIComponent(lookup[1] ?? ''), tenantId: decodeURIComponent(lookup[2] ?? '') },
    };
  }
  return { routeKey: path === '/registrations' ? `${method.toUpperCase()} /registrations` : '$default' };
}

/** An EventBridge event as delivered to a Lambda target. */
export function eventBridgeEvent<T>(detailType: string, detail: T, source = 'com.example.tenants'): EventBridgeEvent<string, T> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: new Date().toISOString(),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [],
    detail,
  };
}
