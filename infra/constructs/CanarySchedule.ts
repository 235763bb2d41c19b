import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './DeadLetterQueue.js';
import { schedulerInvokeRole } from './schedulerInvokeRole.js';

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
    const role = schedulerInvokeRole(this, {
      handler: props.handler,
      serviceKey: props.serviceKey,
      description: 'EventBridge Scheduler: invoke the dcr-onboarding canary',
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
