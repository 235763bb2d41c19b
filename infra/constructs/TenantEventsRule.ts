import { Duration } from 'aws-cdk-lib';
import { EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './DeadLetterQueue.js';
import { TenantEventPublishers } from './TenantEventPublishers.js';

/** Create a bus with this name, or use the existing one (e.g. where the tenant service publishes). */
export interface EventBusChoice {
  readonly name: string;
  readonly existing: boolean;
}

export interface TenantEventsRuleProps {
  /** The onboarding lane: matching events wait there for the function (OnboardingLane). */
  readonly laneQueue: IQueue;
  /** A name to create or import, or a bus given as it is. */
  readonly eventBus: EventBusChoice | IEventBus;
  /** The `source` the tenant service publishes with. */
  readonly source: string;
  /** The `detail-type`s the function handles (README, "EventBridge"). */
  readonly detailTypes: readonly string[];
  /** Who may put tenant events (account ids or IAM role/user ARNs). Default: this account. */
  readonly publishers?: readonly string[];
  /** Encrypts the dead-letter queue; its key policy lets EventBridge rules on this bus use it. */
  readonly serviceKey: IKey;
}

/** The tenant-lifecycle rule: matching events go to the onboarding lane queue, undeliverable ones to a DLQ. */
export class TenantEventsRule extends Construct {
  readonly eventBus: IEventBus;
  readonly rule: Rule;
  /** Events EventBridge could not deliver to the lane queue (permissions, KMS, throttling) within the limits. */
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: TenantEventsRuleProps) {
    super(scope, id);
    const choice = props.eventBus;
    this.eventBus =
      'eventBusArn' in choice
        ? choice
        : choice.existing
          ? EventBus.fromEventBusName(this, 'Bus', choice.name)
          : new EventBus(this, 'Bus', { eventBusName: choice.name, description: 'Tenant lifecycle events' });
    new TenantEventPublishers(this, 'Publishers', {
      eventBus: this.eventBus,
      source: props.source,
      publishers: props.publishers,
    });
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', { encryptionKey: props.serviceKey });
    this.rule = new Rule(this, 'Rule', {
      eventBus: this.eventBus,
      description: `Tenant lifecycle events (${props.detailTypes.join(', ')}) from ${props.source} to dcr-onboarding`,
      eventPattern: { source: [props.source], detailType: [...props.detailTypes] },
      targets: [
        // The whole event is the message body: the lane reads it as an EventBridge envelope.
        new SqsQueue(props.laneQueue, {
          deadLetterQueue: this.deadLetters.queue,
          // Delivery to SQS rarely fails; give up after two hours and let a human look.
          maxEventAge: Duration.hours(2),
          retryAttempts: 20,
        }),
      ],
    });
  }
}
