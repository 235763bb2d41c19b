import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DcrOnboardingStack } from '../../infra/DcrOnboardingStack.js';
import { stackPropsFromContext } from '../../infra/context.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** One in-process synth takes 2–5 s alone and several times that on a busy 2-core machine. */
export const SYNTH_TEST_TIMEOUT_MS = 120_000;

/**
 * The app as `cdk synth` builds it (cdk.json context, then `extra`), in a temp outdir. Bundling is
 * skipped unless asked: template tests do not need the code, and synth.test.ts bundles for real.
 */
export function buildApp(extra: Record<string, unknown> = {}, options: { bundle?: boolean } = {}) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'dcr-infra-')),
    context: { ...cdkJson.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...extra },
  });
  const props = stackPropsFromContext(app.node);
  const stack = new DcrOnboardingStack(app, props.stackName, props);
  return { app, stack };
}

export function templateOf(extra: Record<string, unknown> = {}): Template {
  return Template.fromStack(buildApp(extra).stack);
}

/** A context that turns every optional path on: imported bus and IAT secret, alarm e-mail, canary target. */
export const everythingOn: Record<string, unknown> = {
  'dcr:targets': {
    defaultTarget: 'default',
    targets: {
      default: { profile: 'salesforce', registrationEndpoint: 'https://login.salesforce.com/services/oauth2/register' },
      partner: {
        profile: 'rfc7591',
        registrationEndpoint: 'https://idp.partner.example/register',
        initialAccessTokenSecretId: 'partner/iat',
      },
    },
  },
  'dcr:eventBusName': 'tenants',
  'dcr:importEventBus': 'true',
  'dcr:eventSource': 'com.acme.tenants',
  'dcr:scheduleExpression': 'rate(15 minutes)',
  'dcr:canaryTarget': 'partner',
  'dcr:alarmEmail': 'oncall@example.com',
};

/** Renders a CloudFormation value as text: `Fn::Join` flattened, `Ref`/`Fn::GetAtt` as `${Ref:X}`/`${X.Arn}`. */
export function cfnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref) return `\${Ref:${String(v.Ref)}}`;
  if (v['Fn::GetAtt']) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(cfnText).join(separator);
  }
  return JSON.stringify(value);
}

/** The logical id of the only resource of a type. */
export function onlyLogicalId(template: Template, type: string, props?: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, props ? { Properties: props } : undefined));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0] as string;
}

/** The logical id of the only resource of a type whose id starts with `prefix` (its construct path). */
export function logicalIdStartingWith(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} under ${prefix}, found ${ids.length}`);
  return ids[0] as string;
}
