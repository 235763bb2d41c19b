import type { ServiceConfig } from './config/serviceConfig.js';

/**
 * The resource policy every new tenant secret gets (docs/access.md). Two denies, no allow — IAM still
 * decides who may read; this only narrows it:
 * - tag changes by anyone but the function, so `dcr:tenant` can be trusted by ABAC policies;
 * - reads by anyone but the function and the configured readers, so a broad grant elsewhere in the
 *   account (`secretsmanager:GetSecretValue` on `*`) does not reach tenant credentials.
 * Every ARN comes from the configuration the stack writes, never from a request. Changing or deleting
 * the policy is deliberately not denied: that is the administrators' break-glass path.
 */
export function tenantSecretResourcePolicy(config: Pick<ServiceConfig, 'tenantSecretAccess'>, target: string): string | undefined {
  const access = config.tenantSecretAccess;
  if (!access) return undefined;
  const readers = [...new Set([access.functionRoleArn, ...access.readerArns, ...(access.targetReaderArns[target] ?? [])])];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyTagChangesExceptTheService',
        Effect: 'Deny',
        Principal: '*',
        Action: ['secretsmanager:TagResource', 'secretsmanager:UntagResource'],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': access.functionRoleArn } },
      },
      {
        Sid: 'DenyReadsExceptTheServiceAndReaders',
        Effect: 'Deny',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        // ArnNotLike: a reader may be a pattern such as `arn:aws:iam::123456789012:role/dcr-readers/*`.
        Condition: { ArnNotLike: { 'aws:PrincipalArn': readers } },
      },
    ],
  });
}
