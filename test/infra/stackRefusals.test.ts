import { describe, expect, it } from 'vitest';
import { ALARMED_METRICS, METRICS_NAMESPACE } from '../../functions/core/constants.js';
import { templateOf } from './infraApp.js';

describe('DcrOnboardingStack refuses configurations that cannot work', () => {
  it('refuses an IAT secret under the client secret prefix, which the function could overwrite', () => {
    // Prepare
    const context = {
      'dcr:targets': {
        targets: {
          default: {
            profile: 'rfc7591',
            registrationEndpoint: 'https://idp.example/register',
            initialAccessTokenSecretId: 'dcr/clients/iat',
          },
        },
      },
    };

    // Act
    const build = () => templateOf(context);

    // Assess
    expect(build).toThrow(/lies under the client secret prefix dcr\/clients\//);
  });

  it('refuses a canary target that is not configured, since the function would drop it silently', () => {
    // Prepare
    const context = { 'dcr:canaryTarget': 'nowhere' };

    // Act
    const build = () => templateOf(context);

    // Assess
    expect(build).toThrow(/canary target nowhere is not one of the configured targets/);
  });

  it('refuses a kmsKeyId in the targets config: the stack owns the key', () => {
    // Prepare
    const context = { 'dcr:targets': JSON.stringify({ kmsKeyId: 'alias/other', targets: {} }) };

    // Act
    const build = () => templateOf(context);

    // Assess
    expect(build).toThrow(/sets kmsKeyId/);
  });

  it('refuses a config the function would reject, naming the field', () => {
    // Prepare
    const context = {
      'dcr:targets': { targets: { default: { profile: 'rfc7591', registrationEndpoint: 'http://idp.example/register' } } },
    };

    // Act
    const build = () => templateOf(context);

    // Assess
    expect(build).toThrow(/targets\.default\.registrationEndpoint: must be an https: URL/);
  });
});

describe('alarms on the function’s own metrics', () => {
  it('count only metrics the function writes without dimensions (ALARMED_METRICS), in its namespace', () => {
    // Prepare
    const template = templateOf();

    // Act
    const custom = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => (alarm as { Properties: Record<string, unknown> }).Properties)
      .filter((alarm) => !String(alarm.Namespace).startsWith('AWS/'));

    // Assess: test/unit/metrics.test.ts proves the function writes each of these without dimensions
    expect(custom.map((alarm) => alarm.MetricName).sort()).toEqual([...ALARMED_METRICS].sort());
    expect(custom.every((alarm) => alarm.Namespace === METRICS_NAMESPACE && alarm.Dimensions === undefined)).toBe(true);
  });
});
