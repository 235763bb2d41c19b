import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/core/constants.js';
import { SYNTH_TEST_TIMEOUT_MS, templateOf } from './infraApp.js';

const targets = (clientName: string) => ({
  defaultTarget: 'default',
  targets: {
    default: {
      profile: 'rfc7591',
      registrationEndpoint: 'https://idp.example.com/register',
      clientMetadata: { client_name: clientName },
    },
  },
});

/** The function's CONFIG_HASH (the only function with a CONFIG_PARAMETER_NAME). */
function configHashOf(template: Template): string {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).map(
    (fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables ?? {},
  );
  const register = functions.find((variables) => ENV.CONFIG_PARAMETER_NAME in variables);
  const hash = register?.[ENV.CONFIG_HASH];
  if (typeof hash !== 'string') throw new Error(`CONFIG_HASH is not a literal: ${JSON.stringify(hash)}`);
  return hash;
}

describe('CONFIG_HASH: a deploy that changes the configuration rolls the function', () => {
  it(
    'differs for two configurations and is equal for the same one',
    () => {
      // Prepare, Act
      const first = configHashOf(templateOf({ 'dcr:targets': targets('Acme') }));
      const same = configHashOf(templateOf({ 'dcr:targets': targets('Acme') }));
      const changed = configHashOf(templateOf({ 'dcr:targets': targets('Acme 2') }));

      // Assess
      expect(first).toMatch(/^[0-9a-f]{32}$/);
      expect(same).toBe(first);
      expect(changed).not.toBe(first);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});
