import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './DeadLetterQueue.js';

export interface CanaryScheduleProps {
  readonly handler: IFunction;
  /** EventBridge Scheduler expression, e.g. `rate(1 hour)` or `cron(0 * * * ? *)`. */
  readonly expression: string;
  /** Target to probe; the config's default target when absent. */
  readonly target?: string;
  /** Encrypts the dead-letter queue. */
  readonly serviceKey: IKey;
}

/** EventBridge Scheduler runs the canary: register, read back and delete a throw-away client. */
export class CanarySchedule extends Construct {
  readonly schedule: Schedule;
  /** Canary invocations the Scheduler could not deliver to the function. */
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: CanaryScheduleProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', { encryptionKey: props.serviceKey });
    // Our own role rather than the shared one the target would create: trust limited to this
    // account's Scheduler, and a place to state why its policy has a wildcard.
    const stack = Stack.of(this);
    const role = new Role(this, 'InvokeRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler: invoke the dcr-onboarding canary',
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
    const input = props.target ? { action: 'canary', target: props.target } : { action: 'canary' };
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'dcr-onboarding canary: registers and deletes a throw-away client',
      schedule: ScheduleExpression.expression(props.expression),
      target: new LambdaInvoke(props.handler, {
        role,
        input: ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.deadLetters.queue,
        // A late canary says nothing about now; the next run comes soon enough.
        maxEventAge: Duration.minutes(15),
        retryAttempts: 2,
      }),
    });
  }
}
