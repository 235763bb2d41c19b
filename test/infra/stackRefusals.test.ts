import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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

describe('log-based alarms', () => {
  it('match log lines the function still writes', () => {
    // Prepare
    const root = new URL('../../functions/', import.meta.url);

    // Act: the fields may be logged from any use case (orphans.ts, registerTenant.ts, …)
    const sources = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts'))
      .map((path) => readFileSync(new URL(path, root), 'utf8'));

    // Assess
    expect(sources.some((source) => source.includes("logger.error('canary failed'"))).toBe(true);
    expect(sources.some((source) => source.includes('orphanedClient: 1'))).toBe(true);
    expect(sources.some((source) => source.includes('possibleOrphan: 1'))).toBe(true);
  });
});
