import type { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { OnboardingLaneSettings } from './constructs/OnboardingLane.js';
import type { LogLevel } from './constructs/RegisterFunction.js';
import type { AlarmSubscriptions } from './constructs/ServiceAlarms.js';
import type { EventBusChoice } from './constructs/TenantEventsRule.js';
import type { FunctionTimeSettings } from './functionTimeout.js';
import type { TargetsDocument } from '../functions/core/config/targetsDocument.js';

export interface CanaryOptions {
  /** Default `rate(1 hour)`. */
  readonly schedule?: ScheduleExpression;
  /** The target it probes. Default: the config's default target. */
  readonly target?: string;
}

export interface DcrOnboardingProps {
  /** The targets config (targetsDocument.ts), or the path of a JSON file holding it. */
  readonly targets: TargetsDocument | string;
  /**
   * Prefix of the client secrets the function creates. Default: the document's, else `dcr/clients/`
   * for the app's instance (id 'Default') and `dcr/<stack>-<path>/clients/` for any other.
   */
  readonly secretNamePrefix?: string;
  /** Prefix of the IAT secrets the construct creates: `${prefix}${target}`. Default `dcr/iat/` (or per instance, as above). */
  readonly initialAccessTokenSecretPrefix?: string;
  /** Encrypts the client and IAT secrets. Default: a rotating key the construct creates. */
  readonly encryptionKey?: IKey;
  /** The tenant event bus: a bus, or a name to create or import. Default: create `dcr-onboarding` (per instance). */
  readonly eventBus?: IEventBus | EventBusChoice;
  /** The `source` of tenant events. Default `com.example.tenants`. */
  readonly eventSource?: string;
  /**
   * Who may put tenant events on a bus the construct creates or is given: account ids or IAM role/user
   * ARNs; every other principal, this account's included, is denied that `source`. Default: this
   * account only. An imported bus's policy is its owner's to set.
   */
  readonly eventPublishers?: readonly string[];
  /** The canary, or `false` for none. Default: every hour, on the default target. */
  readonly canary?: CanaryOptions | false;
  /** Where every alarm notifies, on ALARM and OK. Default: an encrypted topic the construct creates. */
  readonly alarmTopic?: ITopic;
  /** Subscribed to the alarm topic: e-mails, HTTPS endpoints, queues, functions. */
  readonly alarmSubscriptions?: AlarmSubscriptions;
  /** Default `INFO`. */
  readonly logLevel?: LogLevel;
  /** Concurrent executions reserved for the function (also its cap). Default 20. */
  readonly reservedConcurrency?: number;
  /** The function's provider and AWS timeouts, retry budget and claim wait. Default: the function's. */
  readonly timeSettings?: FunctionTimeSettings;
  /** Function timeout; synth refuses one shorter than the worst case of timeSettings. Default: that worst case. */
  readonly functionTimeout?: Duration;
  /** The onboarding lane (SQS) that tenant events and bulk imports go through. Defaults in OnboardingLane.ts. */
  readonly onboardingLane?: OnboardingLaneSettings;
  /**
   * IAM role or user ARNs (patterns allowed, e.g. `arn:aws:iam::123456789012:role/dcr-readers/*`) that the
   * resource policy of every new tenant secret lets read it besides the function. Principals given
   * `grantReadTenantSecret` are added for their target. Default: none.
   */
  readonly tenantSecretReaders?: readonly string[];
}
