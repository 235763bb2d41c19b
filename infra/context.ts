import type { Node } from 'constructs';
import type { DcrOnboardingStackProps } from './DcrOnboardingStack.js';
import type { LogLevel } from './constructs/RegisterFunction.js';
import { asTargetsDocument, readTargetsDocument } from './targetsDocument.js';

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
 * | `dcr:alarmTopicArn` | existing SNS topic for alarms | — |
 * | `dcr:alarmEmail` | e-mail for a topic the stack creates | — |
 * | `dcr:logLevel` | `DEBUG`, `INFO`, `WARN`, `ERROR` | `INFO` |
 */
export function stackPropsFromContext(node: Node): DcrOnboardingStackProps & { stackName: string } {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(`dcr:${key}`);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context dcr:${key} must be a string`);
    return value;
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
    scheduleExpression: text('scheduleExpression'),
    canaryTarget: text('canaryTarget'),
    alarmTopicArn: text('alarmTopicArn'),
    alarmEmail: text('alarmEmail'),
    logLevel: text('logLevel') as LogLevel | undefined,
  };
}

function targetsFromContext(node: Node, targetsFile: string | undefined) {
  const inline: unknown = node.tryGetContext('dcr:targets');
  if (inline !== undefined && inline !== '') {
    return asTargetsDocument(typeof inline === 'string' ? JSON.parse(inline) : inline, 'context dcr:targets');
  }
  if (!targetsFile) throw new Error('set context dcr:targetsFile (a JSON file) or dcr:targets (the config itself)');
  return readTargetsDocument(targetsFile);
}
