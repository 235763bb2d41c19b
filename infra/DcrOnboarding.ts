import { Annotations, Duration, Lazy, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct, type IConstruct } from 'constructs';
import { CanarySchedule } from './constructs/CanarySchedule.js';
import type { DcrOnboardingProps } from './DcrOnboardingProps.js';
import { MaintenanceSchedules } from './constructs/MaintenanceSchedules.js';
import {
  credentialSecretOf,
  type InitialAccessTokenSecret,
  InitialAccessTokenSecrets,
  secretNameOf,
} from './constructs/InitialAccessTokenSecrets.js';
import { OnboardingLane } from './constructs/OnboardingLane.js';
import { RegisterFunction } from './constructs/RegisterFunction.js';
import { RegistrationsApi } from './constructs/RegistrationsApi.js';
import { ServiceAlarms } from './constructs/ServiceAlarms.js';
import { ServiceConfigParameter } from './constructs/ServiceConfigParameter.js';
import { ServiceKey } from './constructs/ServiceKey.js';
import { type EventBusChoice, TenantEventsRule } from './constructs/TenantEventsRule.js';
import { claimInstanceNames, type InstanceNames, instanceNames } from './instanceNames.js';
import { checkTenantRef, grantInvoke, grantReadTenantSecret, type TenantAction, type TenantRef } from './tenantGrants.js';
import { readTargetsDocument } from '../functions/core/config/targetsDocument.js';
import { ENV, TENANT_EVENT_DETAIL_TYPES } from '../functions/core/constants.js';

export type { CanaryOptions, DcrOnboardingProps } from './DcrOnboardingProps.js';

const DEFAULT_CANARY_SCHEDULE = 'rate(1 hour)';

/**
 * dcr-onboarding as one construct: config + secrets + keys → function → HTTP API → event rule → lane →
 * canary → alarms. Outputs are the stack's (DcrOnboardingStack); grants are here.
 */
export class DcrOnboarding extends Construct {
  /** The physical names this instance fixes (instanceNames.ts). */
  readonly names: InstanceNames;
  readonly function: IFunction;
  readonly api: HttpApi;
  /** HTTP API base URL (SigV4, service execute-api). */
  readonly apiUrl: string;
  readonly eventBus: IEventBus;
  readonly configParameter: IStringParameter;
  readonly laneQueue: IQueue;
  /** Name → queue: every dead-letter queue (each has a depth alarm). */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Encrypts the client secrets; consumers need kms:Decrypt on it (grantReadTenantSecret). */
  readonly clientSecretsKey: IKey;
  readonly initialAccessTokenSecrets: Readonly<Record<string, InitialAccessTokenSecret>>;
  readonly alarmTopic: ITopic;
  readonly secretNamePrefix: string;
  readonly #targets: readonly string[];
  readonly #readersByTarget: Record<string, string[]>;

  constructor(scope: Construct, id: string, props: DcrOnboardingProps) {
    super(scope, id);
    const targets = typeof props.targets === 'string' ? readTargetsDocument(props.targets) : props.targets;
    this.#targets = Object.keys(targets.targets);
    const names = instanceNames(this, {
      secretNamePrefix: props.secretNamePrefix ?? targets.secretNamePrefix,
      initialAccessTokenSecretPrefix: props.initialAccessTokenSecretPrefix,
      managementSecretNamePrefix: typeof targets.managementSecretNamePrefix === 'string' ? targets.managementSecretNamePrefix : undefined,
    });
    this.names = names;
    this.secretNamePrefix = names.secretNamePrefix;
    const eventBus = props.eventBus ?? { name: names.eventBusName, existing: false };
    const createsEventBus = isChoice(eventBus) && !eventBus.existing;
    claimInstanceNames(this, names, createsEventBus);
    const logGroupNamePrefix = names.logGroupNamePrefix;
    const canaryOptions = props.canary === false ? undefined : (props.canary ?? {});
    // The function drops a canary for an unknown target without failing: it would never alarm.
    if (canaryOptions?.target && !this.#targets.includes(canaryOptions.target)) {
      throw new Error(`the canary target ${canaryOptions.target} is not one of the configured targets`);
    }
    const reservedConcurrency = props.reservedConcurrency ?? 20;

    // Keys, config and secrets
    const serviceKey = new ServiceKey(this, 'ServiceKey', {
      logGroupNamePrefix,
      eventBusName: isChoice(eventBus) ? eventBus.name : eventBus.eventBusName,
      alias: names.serviceKeyAlias,
    }).key;
    this.clientSecretsKey =
      props.encryptionKey ??
      new Key(this, 'ClientSecretsKey', {
        description: `dcr-onboarding: encrypts the client secrets under ${names.secretNamePrefix} and the IAT secrets`,
        alias: names.clientSecretsKeyAlias,
        enableKeyRotation: true,
      });
    const initialAccessTokens = new InitialAccessTokenSecrets(this, 'InitialAccessTokens', {
      targets: Object.fromEntries(Object.entries(targets.targets).map(([name, target]) => [name, credentialSecretOf(target)])),
      namePrefix: names.initialAccessTokenSecretPrefix,
      encryptionKey: this.clientSecretsKey,
    });
    this.initialAccessTokenSecrets = initialAccessTokens.byTarget;
    assertOutsidePrefix(initialAccessTokens, names.secretNamePrefix);
    assertOutsidePrefix(initialAccessTokens, names.managementSecretNamePrefix, 'management secret prefix');
    // Readers named by grants come later than the config is built: the lists are resolved at synth.
    const readers = [...(props.tenantSecretReaders ?? [])];
    this.#readersByTarget = Object.fromEntries(this.#targets.map((target) => [target, []]));
    let functionRoleArn: string | undefined;
    const config = new ServiceConfigParameter(this, 'Config', {
      parameterName: names.configParameterName,
      document: targets,
      secretNamePrefix: names.secretNamePrefix,
      managementSecretNamePrefix: names.managementSecretNamePrefix,
      kmsKeyArn: this.clientSecretsKey.keyArn,
      initialAccessTokenSecretIds: Object.fromEntries(
        Object.entries(initialAccessTokens.byTarget).map(([name, entry]) => [name, entry.secretId]),
      ),
      tenantSecretAccess: {
        functionRoleArn: Lazy.string({ produce: () => functionRoleArn }),
        readerArns: Lazy.list({ produce: () => readers }),
        targetReaderArns: Object.fromEntries(
          this.#targets.map((target) => [target, Lazy.list({ produce: () => this.#readersByTarget[target] ?? [] })]),
        ),
      },
    });
    this.configParameter = config.parameter;

    // The function
    const register = new RegisterFunction(this, 'Register', {
      configParameter: config.parameter,
      initialAccessTokenSecretArns: initialAccessTokens.policyArns,
      secretNamePrefix: names.secretNamePrefix,
      managementSecretNamePrefix: names.managementSecretNamePrefix,
      clientSecretsKey: this.clientSecretsKey,
      serviceKey,
      logGroupName: `${logGroupNamePrefix}register`,
      logLevel: props.logLevel ?? 'INFO',
      reservedConcurrency,
      timeSettings: props.timeSettings ?? {},
      timeoutSeconds: props.functionTimeout?.toSeconds(),
    });
    this.function = register.function;
    register.function.addEnvironment(ENV.CONFIG_HASH, config.hash);
    functionRoleArn = register.role.roleArn;

    // Triggers: HTTP API (direct), the onboarding lane (tenant events, bulk imports), canary schedule
    const api = new RegistrationsApi(this, 'Registrations', {
      handler: register.function,
      accessLogGroupName: `${logGroupNamePrefix}api-access`,
      serviceKey,
    });
    this.api = api.api;
    this.apiUrl = api.url;
    const lane = new OnboardingLane(this, 'Lane', {
      ...props.onboardingLane,
      handler: register.function,
      functionTimeout: register.timeout,
      reservedConcurrency,
      serviceKey,
    });
    this.laneQueue = lane.queue;
    const tenantEvents = new TenantEventsRule(this, 'TenantEvents', {
      laneQueue: lane.queue,
      eventBus,
      source: props.eventSource ?? 'com.example.tenants',
      detailTypes: TENANT_EVENT_DETAIL_TYPES,
      publishers: props.eventPublishers,
      serviceKey,
    });
    this.eventBus = tenantEvents.eventBus;
    // Outcome events (source `dcr-onboarding`) go to the same bus; the rule above never matches them.
    register.publishOutcomesTo(tenantEvents.eventBus);
    // Secrets Manager rotation schedules on the client secrets invoke the same function.
    register.allowSecretsManagerRotation(names.secretNamePrefix);
    const canarySchedule = canaryOptions?.schedule?.expressionString ?? DEFAULT_CANARY_SCHEDULE;
    const canary = canaryOptions
      ? new CanarySchedule(this, 'Canary', {
          handler: register.function,
          expression: canarySchedule,
          target: canaryOptions.target,
          serviceKey,
        })
      : undefined;
    // Daily renew and reconcile on every target (report only; `dcr reconcile --fix` repairs).
    const maintenance = new MaintenanceSchedules(this, 'Maintenance', { handler: register.function, serviceKey });

    // Alarms
    this.deadLetterQueues = {
      TenantEventsDeadLetters: tenantEvents.deadLetters.queue,
      ...(canary ? { CanaryDeadLetters: canary.deadLetters.queue } : {}),
      MaintenanceDeadLetters: maintenance.deadLetters.queue,
      FailedInvocations: register.failedInvocations.queue,
      LaneDeadLetters: lane.deadLetters.queue,
    };
    const alarms = new ServiceAlarms(this, 'Alarms', {
      function: register.function,
      logGroupName: `${logGroupNamePrefix}register`,
      deadLetterQueues: this.deadLetterQueues,
      queueAges: { OnboardingLane: { queue: lane.queue, maxAge: Duration.seconds(lane.settings.maxAgeSeconds) } },
      canarySchedule: canary ? canarySchedule : undefined,
      topic: props.alarmTopic,
      subscriptions: props.alarmSubscriptions,
    });
    this.alarmTopic = alarms.topic;
  }

  /**
   * Lets `grantee` read one tenant's secret: GetSecretValue and DescribeSecret on
   * `…:secret:<prefix><target>/<tenantId>-??????`, kms:Decrypt on the client secrets key through Secrets
   * Manager for that secret only. A role or user is also added to the readers the secret's resource
   * policy lets through (for secrets created from the next deploy on: docs/access.md).
   */
  grantReadTenantSecret(grantee: IGrantable, target: string, tenantId: string): Grant {
    const tenant = { target, tenantId };
    checkTenantRef(tenant, this.#targets);
    const principal = grantee.grantPrincipal as Partial<IConstruct> & { roleArn?: string; userArn?: string };
    const arn = principal.roleArn ?? principal.userArn;
    // A principal of another stack would make the two stacks reference each other: named by hand instead.
    if (arn && principal.node && Stack.of(principal as IConstruct) === Stack.of(this)) this.#readersByTarget[target]?.push(arn);
    else {
      Annotations.of(this).addWarningV2(
        'dcr:tenantSecretReaderNotAdded',
        `grantReadTenantSecret: ${grantee.grantPrincipal} is not a role or user of this stack; add its ARN to tenantSecretReaders, ` +
          "or the tenant secrets' resource policy denies its reads",
      );
    }
    return grantReadTenantSecret(
      grantee,
      { stack: Stack.of(this), secretNamePrefix: this.secretNamePrefix, key: this.clientSecretsKey },
      tenant,
    );
  }

  /** execute-api:Invoke on the route of `action` for one tenant (docs/access.md lists every route's ARN). */
  grantInvoke(grantee: IGrantable, action: TenantAction, tenant: TenantRef): Grant {
    checkTenantRef(tenant, this.#targets);
    return grantInvoke(grantee, this.api, action, tenant);
  }
}

function isChoice(bus: IEventBus | EventBusChoice): bus is EventBusChoice {
  return typeof (bus as EventBusChoice).existing === 'boolean' && !('eventBusArn' in bus);
}

/** An IAT secret under the client prefix would be writable and deletable by the function: refuse. */
function assertOutsidePrefix(secrets: InitialAccessTokenSecrets, secretNamePrefix: string, what = 'client secret prefix'): void {
  for (const [target, entry] of Object.entries(secrets.byTarget)) {
    if (secretNameOf(entry.secretName).startsWith(secretNamePrefix)) {
      throw new Error(
        `the IAT secret of target ${target} (${entry.secretName}) lies under the ${what} ${secretNamePrefix}; ` +
          'the function could overwrite or delete it: choose another name or prefix',
      );
    }
  }
}
