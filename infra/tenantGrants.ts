import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { TARGET_NAME, TENANT_ID } from '../functions/core/config/targetConfig.js';

/** What `grantInvoke` can grant, each on the route that names the tenant in its path. */
export type TenantAction = 'register' | 'get' | 'rotate' | 'offboard';

export interface TenantRef {
  readonly target: string;
  readonly tenantId: string;
}

/** Method and path (without the leading slash) of each action's route: docs/access.md lists them. */
export const TENANT_ROUTES: Readonly<Record<TenantAction, { method: string; path: (tenant: TenantRef) => string }>> = {
  register: { method: 'PUT', path: (t) => `registrations/${t.target}/${t.tenantId}` },
  get: { method: 'GET', path: (t) => `registrations/${t.target}/${t.tenantId}` },
  offboard: { method: 'DELETE', path: (t) => `registrations/${t.target}/${t.tenantId}` },
  rotate: { method: 'POST', path: (t) => `registrations/${t.target}/${t.tenantId}/rotate` },
};

/** Refuses a target or tenant id the function would refuse, or one that would widen an ARN pattern. */
export function checkTenantRef(tenant: TenantRef, targets: readonly string[]): void {
  if (!Token.isUnresolved(tenant.target) && !(TARGET_NAME.test(tenant.target) && targets.includes(tenant.target))) {
    throw new Error(`grant: target ${JSON.stringify(tenant.target)} is not one of the configured targets (${targets.join(', ')})`);
  }
  if (!Token.isUnresolved(tenant.tenantId) && !TENANT_ID.test(tenant.tenantId)) {
    throw new Error(`grant: tenant id ${JSON.stringify(tenant.tenantId)} must match ${TENANT_ID.source}`);
  }
}

/** `arn:…:secret:<prefix><target>/<tenantId>-??????`: the six characters Secrets Manager appends, no more. */
export function tenantSecretArnPattern(stack: Stack, secretNamePrefix: string, tenant: TenantRef): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretNamePrefix}${tenant.target}/${tenant.tenantId}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * Read one tenant's secret: GetSecretValue and DescribeSecret on its exact ARN pattern, and
 * kms:Decrypt on the client secrets key only through Secrets Manager and only for that secret (the
 * encryption context Secrets Manager sends names the secret's ARN).
 */
export function grantReadTenantSecret(
  grantee: IGrantable,
  secret: { stack: Stack; secretNamePrefix: string; key: IKey },
  tenant: TenantRef,
): Grant {
  const secretArn = tenantSecretArnPattern(secret.stack, secret.secretNamePrefix, tenant);
  const read = Grant.addToPrincipal({
    grantee,
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
    resourceArns: [secretArn],
  });
  const decrypt = Grant.addToPrincipal({
    grantee,
    actions: ['kms:Decrypt'],
    resourceArns: [secret.key.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `secretsmanager.${secret.stack.region}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
    },
  });
  return read.combine(decrypt);
}

/** execute-api:Invoke on one action's route for one tenant (any stage: the API has only `$default`). */
export function grantInvoke(grantee: IGrantable, api: HttpApi, action: TenantAction, tenant: TenantRef): Grant {
  const route = TENANT_ROUTES[action];
  return Grant.addToPrincipal({
    grantee,
    actions: ['execute-api:Invoke'],
    resourceArns: [executeApiArn(api, route.method, route.path(tenant))],
  });
}

export function executeApiArn(api: HttpApi, method: string, path: string): string {
  return Stack.of(api).formatArn({
    service: 'execute-api',
    resource: api.apiId,
    resourceName: `*/${method}/${path}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
