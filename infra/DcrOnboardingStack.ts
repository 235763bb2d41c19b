import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DcrOnboarding, type DcrOnboardingProps } from './DcrOnboarding.js';

export interface DcrOnboardingStackProps extends StackProps, DcrOnboardingProps {
  /** An existing SNS topic for the alarms, by ARN (context `dcr:alarmTopicArn`); `alarmTopic` wins. */
  readonly alarmTopicArn?: string;
}

/** The deployable app: one stack holding one DcrOnboarding construct (infra/DcrOnboarding.ts) and its outputs. */
export class DcrOnboardingStack extends Stack {
  readonly service: DcrOnboarding;

  constructor(scope: Construct, id: string, props: DcrOnboardingStackProps) {
    super(scope, id, { description: 'dcr-onboarding: OAuth clients by Dynamic Client Registration', ...props });
    const alarmTopic = props.alarmTopic ?? (props.alarmTopicArn ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : undefined);
    // 'Default' is left out of logical IDs: the resources keep the IDs they had before the construct
    // existed, so a deployed stack updates in place instead of replacing its secrets and key.
    const service = new DcrOnboarding(this, 'Default', { ...props, alarmTopic });
    this.service = service;

    new CfnOutput(this, 'ApiUrl', { value: service.apiUrl, description: 'HTTP API base URL (SigV4, service execute-api)' });
    new CfnOutput(this, 'EventBusName', { value: service.eventBus.eventBusName });
    new CfnOutput(this, 'ConfigParameterName', { value: service.configParameter.parameterName });
    new CfnOutput(this, 'FunctionName', { value: service.function.functionName });
    new CfnOutput(this, 'LaneQueueUrl', { value: service.laneQueue.queueUrl, description: 'Onboarding lane (dcr import, dcr lane)' });
    new CfnOutput(this, 'ClientSecretsKeyArn', {
      value: service.clientSecretsKey.keyArn,
      description: 'KMS key of the client secrets: consumers need kms:Decrypt on it through Secrets Manager (docs/access.md)',
    });
    new CfnOutput(this, 'ClientSecretNamePrefix', {
      value: service.secretNamePrefix,
      description: 'Tenant secrets are <prefix><target>/<tenantId> (docs/access.md)',
    });
    for (const [target, entry] of Object.entries(service.initialAccessTokenSecrets)) {
      new CfnOutput(this, `InitialAccessTokenSecret-${target}`, {
        value: entry.secretName,
        description: `IAT secret of target ${target}${entry.created ? ' (created empty: put the token in)' : ' (imported)'}`,
      });
    }
    for (const [name, queue] of Object.entries(service.deadLetterQueues)) {
      new CfnOutput(this, `${name}QueueUrl`, { value: queue.queueUrl });
    }
  }
}
