import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ServiceKeyProps {
  /** Every log group of the stack is named under this prefix, e.g. `/dcr-onboarding/DcrOnboarding/`. */
  readonly logGroupNamePrefix: string;
  /** The bus whose rules may send to the dead-letter queues (rule ARNs `rule/<bus>/<name>`). */
  readonly eventBusName: string;
  /** The key's alias (without `alias/`). Default `<stack>/service`. */
  readonly alias?: string;
}

/**
 * The key of what the service writes about itself: its log groups and its queues. Kept apart from the
 * client secrets key so that the services and roles that need this one (CloudWatch Logs, EventBridge,
 * the queue writers, whoever reads logs and dead letters) gain nothing over the secrets.
 */
export class ServiceKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: ServiceKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new Key(this, 'Key', {
      description: 'dcr-onboarding: encrypts the log groups and the queues',
      alias: props.alias ?? `${stack.stackName}/service`,
      enableKeyRotation: true,
    });
    // CloudWatch Logs, for this stack's log groups only (the encryption context names the group).
    // The actions are the ones the Logs documentation lists for a log group key.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsForTheStackLogGroups',
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: `${props.logGroupNamePrefix}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // EventBridge writes undeliverable tenant events to a dead-letter queue as itself (not a role):
    // only for rules on the tenant bus, in this account.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgeRulesForTheDeadLetterQueues',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'aws:SourceArn': ruleArnPattern(stack, props.eventBusName) },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
  }
}

/** Rules on the default bus have ARNs `rule/<name>`, on any other bus `rule/<bus>/<name>`. */
function ruleArnPattern(stack: Stack, eventBusName: string): string {
  return stack.formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: eventBusName === 'default' ? '*' : `${eventBusName}/*`,
  });
}
