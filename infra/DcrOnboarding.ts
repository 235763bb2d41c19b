import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CanarySchedule } from './constructs/CanarySchedule.js';
import { credentialSecretOf, InitialAccessTokenSecrets, secretNameOf } from './constructs/InitialAccessTokenSecrets.js';
import { OnboardingLane, type OnboardingLaneSettings } from './constructs/OnboardingLane.js';
import { type LogLevel, RegisterFunction } from './constructs/RegisterFunction.js';
import { RegistrationsApi } from './constructs/RegistrationsApi.js';
import { ServiceAlarms } from './constructs/ServiceAlarms.js';
import { ServiceConfigParameter } from './constructs/ServiceConfigParameter.js';
import { ServiceKey } from './constructs/ServiceKey.js';
import { type EventBusChoice, TenantEventsRule } from './constructs/TenantEventsRule.js';
import type { FunctionTimeSettings } from './functionTimeout.js';
import type { TargetsDocument } from '../functions/core/config/targetsDocument.js';
import { TENANT_EVENT_DETAIL_TYPES } from '../functions/core/constants.js';

export interface DcrOnboardingProps {
  /** The targets config (file content or object); see targetsDocument.ts. */
  readonly targets: TargetsDocument;
  /** Prefix of the client secrets the function creates. Default: the document's, else `dcr/clients/`. */
  readonly secretNamePrefix?: string;
  /** Prefix of the IAT secrets the stack creates: `${prefix}${target}`. Default `dcr/iat/`. */
  readonly initialAccessTokenSecretPrefix?: string;
  /** Default: create a bus named `dcr-onboarding`. */
  readonly eventBus?: EventBusChoice;
  /** The `source` of tenant events. Default `com.example.tenants`. */
  readonly eventSource?: string;
  /**
   * Who may put tenant events on a bus the stack creates: account ids or IAM role/user ARNs; every
   * other principal, this account's included, is denied that `source`. Default: this account only.
   * An imported bus's policy is its owner's to set.
   */
  readonly eventPublishers?: readonly string[];
  /** Canary schedule. Default `rate(1 hour)`. */
  readonly scheduleExpression?: string;
  /** Target the canary probes. Default: the config's default target. */
  readonly canaryTarget?: string;
  /** Alarm notifications: an existing SNS topic, or an e-mail for a topic the stack creates. */
  readonly alarmTopicArn?: string;
  readonly alarmEmail?: string;
  /** Default `INFO`. */
  readonly logLevel?: LogLevel;
  /** Concurrent executions reserved for the function (also its cap). Default 20. */
  readonly reservedConcurrency?: number;
  /** The function's provider and AWS timeouts, retry budget and claim wait. Default: the function's. */
  readonly timeSettings?: FunctionTimeSettings;
  /** Function timeout; synth refuses one shorter than the worst case of timeSettings. Default: that worst case. */
  readonly functionTimeoutSeconds?: number;
  /** The onboarding lane (SQS) that tenant events and bulk imports go through. Defaults in OnboardingLane.ts. */
  readonly onboardingLane?: OnboardingLaneSettings;
}

/**
 * dcr-onboarding: config + secrets + key → function → HTTP API → event rule → canary schedule →
 * alarms → outputs.
 */
export class DcrOnboarding extends Construct {
  constructor(scope: Construct, id: string, props: DcrOnboardingProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const secretNamePrefix = props.secretNamePrefix ?? props.targets.secretNamePrefix ?? 'dcr/clients/';
    const iatPrefix = props.initialAccessTokenSecretPrefix ?? 'dcr/iat/';
    const eventBus = props.eventBus ?? { name: 'dcr-onboarding', existing: false };
    const logGroupNamePrefix = `/dcr-onboarding/${stackName}/`;
    // The function drops a canary for an unknown target without failing: it would never alarm.
    if (props.canaryTarget && !Object.hasOwn(props.targets.targets, props.canaryTarget)) {
      throw new Error(`the canary target ${props.canaryTarget} is not one of the configured targets`);
    }

    // Keys, config and secrets
    const serviceKey = new ServiceKey(this, 'ServiceKey', { logGroupNamePrefix, eventBusName: eventBus.name }).key;
    const clientSecretsKey = new Key(this, 'ClientSecretsKey', {
      description: `dcr-onboarding: encrypts the client secrets under ${secretNamePrefix} and the IAT secrets`,
      alias: `${stackName}/client-secrets`,
      enableKeyRotation: true,
    });
    const initialAccessTokens = new InitialAccessTokenSecrets(this, 'InitialAccessTokens', {
      targets: Object.fromEntries(Object.entries(props.targets.targets).map(([name, target]) => [name, credentialSecretOf(target)])),
      namePrefix: iatPrefix,
      encryptionKey: clientSecretsKey,
    });
    assertOutsidePrefix(initialAccessTokens, secretNamePrefix);
    const config = new ServiceConfigParameter(this, 'Config', {
      parameterName: `/${stackName}/config`,
      document: props.targets,
      secretNamePrefix,
      kmsKeyArn: clientSecretsKey.keyArn,
      initialAccessTokenSecretIds: Object.fromEntries(
        Object.entries(initialAccessTokens.byTarget).map(([name, entry]) => [name, entry.secretId]),
      ),
    });

    // The function
    const register = new RegisterFunction(this, 'Register', {
      configParameter: config.parameter,
      initialAccessTokenSecretArns: initialAccessTokens.policyArns,
      secretNamePrefix,
      clientSecretsKey,
      serviceKey,
      logGroupName: `${logGroupNamePrefix}register`,
      logLevel: props.logLevel ?? 'INFO',
      reservedConcurrency: props.reservedConcurrency ?? 20,
      timeSettings: props.timeSettings ?? {},
      timeoutSeconds: props.functionTimeoutSeconds,
    });

    // Triggers: HTTP API (direct), the onboarding lane (tenant events, bulk imports), canary schedule
    const api = new RegistrationsApi(this, 'Registrations', {
      handler: register.function,
      accessLogGroupName: `${logGroupNamePrefix}api-access`,
      serviceKey,
    });
    const lane = new OnboardingLane(this, 'Lane', {
      ...props.onboardingLane,
      handler: register.function,
      functionTimeout: register.timeout,
      reservedConcurrency: props.reservedConcurrency ?? 20,
      serviceKey,
    });
    const tenantEvents = new TenantEventsRule(this, 'TenantEvents', {
      laneQueue: lane.queue,
      eventBus,
      source: props.eventSource ?? 'com.example.tenants',
      detailTypes: TENANT_EVENT_DETAIL_TYPES,
      publishers: props.eventPublishers,
      serviceKey,
    });
    // Outcome events (source `dcr-onboarding`) go to the same bus; the rule above never matches them.
    register.publishOutcomesTo(tenantEvents.eventBus);
    // Secrets Manager rotation schedules on the client secrets invoke the same function.
    register.allowSecretsManagerRotation(secretNamePrefix);
    const canary = new CanarySchedule(this, 'Canary', {
      handler: register.function,
      expression: props.scheduleExpression ?? 'rate(1 hour)',
      target: props.canaryTarget,
      serviceKey,
    });

    // Alarms
    const deadLetterQueues = {
      TenantEventsDeadLetters: tenantEvents.deadLetters.queue,
      CanaryDeadLetters: canary.deadLetters.queue,
      FailedInvocations: register.failedInvocations.queue,
      LaneDeadLetters: lane.deadLetters.queue,
    };
    new ServiceAlarms(this, 'Alarms', {
      function: register.function,
      deadLetterQueues,
      queueAges: { OnboardingLane: { queue: lane.queue, maxAge: Duration.seconds(lane.settings.maxAgeSeconds) } },
      alarmTopicArn: props.alarmTopicArn,
      alarmEmail: props.alarmEmail,
    });

    // Outputs
    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'HTTP API base URL (SigV4, service execute-api)' });
    new CfnOutput(this, 'EventBusName', { value: tenantEvents.eventBus.eventBusName });
    new CfnOutput(this, 'ConfigParameterName', { value: config.parameter.parameterName });
    new CfnOutput(this, 'FunctionName', { value: register.function.functionName });
    new CfnOutput(this, 'LaneQueueUrl', { value: lane.queue.queueUrl, description: 'Onboarding lane (dcr import, dcr lane)' });
    for (const [target, entry] of Object.entries(initialAccessTokens.byTarget)) {
      new CfnOutput(this, `InitialAccessTokenSecret-${target}`, {
        value: entry.secretName,
        description: `IAT secret of target ${target}${entry.created ? ' (created empty: put the token in)' : ' (imported)'}`,
      });
    }
    for (const [name, queue] of Object.entries(deadLetterQueues)) {
      new CfnOutput(this, `${name}QueueUrl`, { value: queue.queueUrl });
    }
  }
}

/** An IAT secret under the client prefix would be writable and deletable by the function: refuse. */
function assertOutsidePrefix(secrets: InitialAccessTokenSecrets, secretNamePrefix: string): void {
  for (const [target, entry] of Object.entries(secrets.byTarget)) {
    if (secretNameOf(entry.secretName).startsWith(secretNamePrefix)) {
      throw new Error(
        `the IAT secret of target ${target} (${entry.secretName}) lies under the client secret prefix ${secretNamePrefix}; ` +
          'the function could overwrite or delete it: choose another name or prefix',
      );
    }
  }
}
