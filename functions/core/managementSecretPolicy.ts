import type { ServiceConfig } from './config/serviceConfig.js';

/**
 * The resource policy every new management secret gets (docs/secret-contract.md): nobody but the
 * function may read it, write it or change its tags, whatever their IAM policies allow elsewhere
 * (`secretsmanager:GetSecretValue` on `*`, an ABAC grant on `dcr:tenant`). Deleting it and changing the
 * policy stay open: the administrators' teardown and break-glass paths. Undefined when the
 * configuration names no function role (outside the stack: the sandbox, tests).
 */
export function managementSecretResourcePolicy(config: Pick<ServiceConfig, 'tenantSecretAccess'>): string | undefined {
  const functionRoleArn = config.tenantSecretAccess?.functionRoleArn;
  if (!functionRoleArn) return undefined;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyTheServiceReadsWritesOrTags',
        Effect: 'Deny',
        Principal: '*',
        Action: [
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecret',
          'secretsmanager:TagResource',
          'secretsmanager:UntagResource',
        ],
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': functionRoleArn } },
      },
    ],
  });
}
