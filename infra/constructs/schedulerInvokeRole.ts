import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * The role a schedule invokes the function with (id `InvokeRole` in `scope`). Our own rather than the
 * shared one the target would create: trust limited to this account's Scheduler, and a place to state
 * why its policy has a wildcard.
 */
export function schedulerInvokeRole(scope: Construct, props: { handler: IFunction; serviceKey: IKey; description: string }): Role {
  const stack = Stack.of(scope);
  const role = new Role(scope, 'InvokeRole', {
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: props.description,
  });
  // The Scheduler sends dead letters with this role: SQS needs it to use the queue's key.
  role.addToPolicy(
    new PolicyStatement({
      sid: 'EncryptDeadLetters',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.serviceKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.amazonaws.com` } },
    }),
  );
  const functionLogicalId = stack.resolve((props.handler.node.defaultChild as CfnFunction).logicalId) as string;
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
    reason: 'grantInvoke adds `<function arn>:*` for the versions and aliases of this one function; nothing else is invocable.',
  });
  return role;
}
