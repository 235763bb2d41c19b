import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './DeadLetterQueue.js';
import { schedulerInvokeRole } from './schedulerInvokeRole.js';

export interface MaintenanceSchedulesProps {
  readonly handler: IFunction;
  /** Encrypts the dead-letter queue. */
  readonly serviceKey: IKey;
  /** `{"action":"renew"}`. Default daily at 03:15 UTC. */
  readonly renewExpression?: string;
  /** `{"action":"reconcile"}` (report only, never `fix`). Default daily at 03:45 UTC. */
  readonly reconcileExpression?: string;
}

export const MAINTENANCE_DEFAULTS = {
  renewExpression: 'cron(15 3 * * ? *)',
  reconcileExpression: 'cron(45 3 * * ? *)',
} as const;

/**
 * EventBridge Scheduler runs the daily maintenance on every target: `renew` (rotate the client
 * secrets expiring within `renewBeforeSeconds`) and `reconcile` (read each client back by RFC 7592
 * GET; report, never fix). Both list the tenant secrets, so the function may call
 * secretsmanager:ListSecrets (names and tags only; it has no resource-level form).
 */
export class MaintenanceSchedules extends Construct {
  readonly renew: Schedule;
  readonly reconcile: Schedule;
  /** Maintenance invocations the Scheduler could not deliver to the function. */
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: MaintenanceSchedulesProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', { encryptionKey: props.serviceKey });
    const role = schedulerInvokeRole(this, {
      handler: props.handler,
      serviceKey: props.serviceKey,
      description: 'EventBridge Scheduler: invoke the dcr-onboarding renewal and reconciliation',
    });

    // The sweeps list tenant secrets by name prefix; ListSecrets takes no resource ARN.
    props.handler.addToRolePolicy(
      new PolicyStatement({ sid: 'ListTenantSecrets', actions: ['secretsmanager:ListSecrets'], resources: ['*'] }),
    );
    const fnRole = props.handler.role;
    if (fnRole) {
      Validations.of(fnRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'secretsmanager:ListSecrets has no resource-level permission; it returns names and tags, never values (the renew and reconcile sweeps find tenant secrets by prefix).',
      });
    }

    const schedule = (name: string, expression: string, input: Record<string, unknown>, description: string) =>
      new Schedule(this, name, {
        description,
        schedule: ScheduleExpression.expression(expression),
        target: new LambdaInvoke(props.handler, {
          role,
          input: ScheduleTargetInput.fromObject(input),
          deadLetterQueue: this.deadLetters.queue,
          // A sweep is idempotent; one delivered hours late still does its work, so allow the day.
          maxEventAge: Duration.hours(6),
          retryAttempts: 2,
        }),
      });
    this.renew = schedule(
      'Renew',
      props.renewExpression ?? MAINTENANCE_DEFAULTS.renewExpression,
      { action: 'renew' },
      'dcr-onboarding renew: rotates client secrets expiring within renewBeforeSeconds',
    );
    this.reconcile = schedule(
      'Reconcile',
      props.reconcileExpression ?? MAINTENANCE_DEFAULTS.reconcileExpression,
      { action: 'reconcile' },
      'dcr-onboarding reconcile: reads each client back by RFC 7592 GET, reports missing and drifted clients',
    );
  }
}
