import { Duration } from 'aws-cdk-lib';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { Node } from 'constructs';
import type { DcrOnboardingStackProps } from './DcrOnboardingStack.js';
import type { LogLevel } from './constructs/RegisterFunction.js';
import { asTargetsDocument, readTargetsDocument } from '../functions/core/config/targetsDocument.js';

/**
 * The context keys (`cdk deploy -c key=value`, or cdk.json "context"):
 *
 * | key | meaning | default |
 * | --- | --- | --- |
 * | `dcr:stackName` | stack name | `DcrOnboarding` |
 * | `dcr:targetsFile` | path of the targets config (JSON) | `infra/targets.example.json` (cdk.json) |
 * | `dcr:targets` | the targets config itself (object or JSON string); wins over the file | — |
 * | `dcr:secretNamePrefix` | prefix of the client secrets | the document's, else `dcr/clients/` |
 * | `dcr:iatSecretPrefix` | prefix of the IAT secrets the stack creates | `dcr/iat/` |
 * | `dcr:eventBusName` | event bus to create, or to use with `dcr:importEventBus=true` | `dcr-onboarding` |
 * | `dcr:importEventBus` | `true`: the bus exists, import it by name | `false` |
 * | `dcr:eventSource` | `source` of tenant events | `com.example.tenants` |
 * | `dcr:scheduleExpression` | canary schedule | `rate(1 hour)` |
 * | `dcr:canaryTarget` | target the canary probes | the default target |
 * | `dcr:canary` | `false`: no canary schedule (and no canary alarms) | `true` |
 * | `dcr:tenantSecretReaders` | IAM role/user ARNs (patterns allowed) the resource policy of each new tenant secret lets read it besides the function (docs/access.md), a JSON array or comma-separated | none |
 * | `dcr:alarmTopicArn` | existing SNS topic for alarms (else the stack creates an encrypted one) | — |
 * | `dcr:alarmEmails` | e-mails subscribed to the alarm topic (a JSON array or comma-separated); `dcr:alarmEmail`, one address, still works | — |
 * | `dcr:alarmUrls` | HTTPS endpoints subscribed to the alarm topic (same forms) | — |
 * | `dcr:logLevel` | `DEBUG`, `INFO`, `WARN`, `ERROR` | `INFO` |
 * | `dcr:eventPublishers` | who may put tenant events (the `source` above) on a bus the stack creates: account ids and IAM role/user ARNs, a JSON array or comma-separated; everyone else, this account's roles included, is denied that source. An imported bus's policy is its owner's (synth warns) | this account only |
 * | `dcr:reservedConcurrency` | concurrent executions reserved for the function, also its cap; ≥ 1 | `20` |
 * | `dcr:functionTimeoutSeconds` | function timeout; synth refuses one below the worst case of the settings below, or any worst case over 900 s (infra/functionTimeout.ts) | the worst case (375 s with the defaults) |
 * | `dcr:idpTimeoutMs` | `IDP_TIMEOUT_MS`: one provider request | `10000` |
 * | `dcr:idpMaxAttempts` | `IDP_MAX_ATTEMPTS`: attempts of one provider operation | `4` |
 * | `dcr:idpRetryBudgetMs` | `IDP_RETRY_BUDGET_MS`: no provider retry starts after this | `20000` |
 * | `dcr:awsRequestTimeoutMs` | `AWS_REQUEST_TIMEOUT_MS`: one AWS SDK attempt | `5000` |
 * | `dcr:claimWaitMs` | `CLAIM_WAIT_MS`: a duplicate registration's wait for the winner | `3000` |
 * | `dcr:onboardingLane.maxConcurrency` | lane instances at most (event source mapping MaximumConcurrency, 2–1000, ≤ reserved concurrency); each paces `registrationsPerSecond / maxConcurrency` | `5` |
 * | `dcr:onboardingLane.batchSize` | lane records per invocation (1–10) | `10` |
 * | `dcr:onboardingLane.maxReceiveCount` | receives before a lane message goes to the lane DLQ | `10` |
 * | `dcr:onboardingLane.maxAgeSeconds` | lane-age alarm threshold (oldest message) | `3600` |
 * | `dcr:onboardingLane.pacingWaitSeconds` | longest an invocation waits for pacing tokens (1–120) | `30` |
 */
export function stackPropsFromContext(node: Node): DcrOnboardingStackProps & { stackName: string } {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(`dcr:${key}`);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context dcr:${key} must be a string`);
    return value;
  };
  // A number from cdk.json, or a string from `-c key=value`; the stack and the function validate it.
  const integer = (key: string): number | undefined => {
    const value: unknown = node.tryGetContext(`dcr:${key}`);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
    throw new Error(`context dcr:${key} must be a whole number, not ${JSON.stringify(value)}`);
  };
  const eventBusName = text('eventBusName');
  const importEventBus = text('importEventBus') === 'true' || node.tryGetContext('dcr:importEventBus') === true;
  if (importEventBus && !eventBusName) throw new Error('context dcr:importEventBus needs dcr:eventBusName');

  return {
    stackName: text('stackName') ?? 'DcrOnboarding',
    targets: targetsFromContext(node, text('targetsFile')),
    secretNamePrefix: text('secretNamePrefix'),
    initialAccessTokenSecretPrefix: text('iatSecretPrefix'),
    eventBus: eventBusName ? { name: eventBusName, existing: importEventBus } : undefined,
    eventSource: text('eventSource'),
    canary: canaryFromContext(text('canary'), text('scheduleExpression'), text('canaryTarget')),
    alarmTopicArn: text('alarmTopicArn'),
    alarmSubscriptions: {
      emails: [...(listFromContext(node, 'dcr:alarmEmails') ?? []), ...(text('alarmEmail') ? [text('alarmEmail') as string] : [])],
      httpsUrls: listFromContext(node, 'dcr:alarmUrls'),
    },
    logLevel: text('logLevel') as LogLevel | undefined,
    eventPublishers: listFromContext(node, 'dcr:eventPublishers'),
    reservedConcurrency: integer('reservedConcurrency'),
    functionTimeout: optionalSeconds(integer('functionTimeoutSeconds')),
    tenantSecretReaders: listFromContext(node, 'dcr:tenantSecretReaders'),
    onboardingLane: {
      maxConcurrency: integer('onboardingLane.maxConcurrency'),
      batchSize: integer('onboardingLane.batchSize'),
      maxReceiveCount: integer('onboardingLane.maxReceiveCount'),
      maxAgeSeconds: integer('onboardingLane.maxAgeSeconds'),
      pacingWaitSeconds: integer('onboardingLane.pacingWaitSeconds'),
    },
    timeSettings: {
      idpTimeoutMs: integer('idpTimeoutMs'),
      idpMaxAttempts: integer('idpMaxAttempts'),
      idpRetryBudgetMs: integer('idpRetryBudgetMs'),
      awsRequestTimeoutMs: integer('awsRequestTimeoutMs'),
      claimWaitMs: integer('claimWaitMs'),
    },
  };
}

function canaryFromContext(
  enabled: string | undefined,
  schedule: string | undefined,
  target: string | undefined,
): DcrOnboardingStackProps['canary'] {
  if (enabled !== undefined && enabled !== 'true' && enabled !== 'false') throw new Error('context dcr:canary must be true or false');
  if (enabled === 'false') return false;
  return { schedule: schedule ? ScheduleExpression.expression(schedule) : undefined, target };
}

function optionalSeconds(seconds: number | undefined): Duration | undefined {
  return seconds === undefined ? undefined : Duration.seconds(seconds);
}

/** An array (cdk.json), a JSON array string, or a comma-separated string (`-c key=a,b`). */
function listFromContext(node: Node, key: string): string[] | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const list: unknown = typeof value === 'string' && value.trim().startsWith('[') ? JSON.parse(value) : value;
  const items = typeof list === 'string' ? list.split(',') : list;
  if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
    throw new Error(`context ${key} must be a list of strings`);
  }
  const trimmed = items.map((item: string) => item.trim()).filter(Boolean);
  return trimmed.length ? trimmed : undefined;
}

function targetsFromContext(node: Node, targetsFile: string | undefined) {
  const inline: unknown = node.tryGetContext('dcr:targets');
  if (inline !== undefined && inline !== '') {
    return asTargetsDocument(typeof inline === 'string' ? JSON.parse(inline) : inline, 'context dcr:targets');
  }
  if (!targetsFile) throw new Error('set context dcr:targetsFile (a JSON file) or dcr:targets (the config itself)');
  return readTargetsDocument(targetsFile);
}
