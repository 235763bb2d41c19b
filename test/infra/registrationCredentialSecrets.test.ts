import { describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, templateOf } from './infraApp.js';

/**
 * Issue 15: every target's registration credential secret is one the function may read — an IAT
 * secret created or imported as before, and a client-credentials or API-key secret imported by name —
 * while open registration needs none; the config the stack writes names each as the function parses it.
 */
describe('registration credential secrets in the stack', () => {
  it(
    'grants GetSecretValue on each credential secret, creates only the IAT secret left unnamed, and writes a config the function accepts',
    () => {
      // Prepare
      const targets = {
        defaultTarget: 'default',
        targets: {
          default: { profile: 'salesforce', registrationEndpoint: 'https://login.salesforce.com/services/oauth2/register' },
          okta: {
            profile: 'rfc7591',
            registrationEndpoint: 'https://acme.okta.com/oauth2/v1/clients',
            registrationCredential: { type: 'apiKey', secretId: 'okta/api-key' },
          },
          curity: {
            profile: 'rfc7591',
            registrationEndpoint: 'https://idsvr.example.com/oauth/v2/oauth-dynamic-client-registration',
            registrationCredential: {
              type: 'clientCredentials',
              tokenEndpoint: 'https://idsvr.example.com/oauth/v2/oauth-token',
              secretId: 'curity/registrar',
              scope: 'dcr',
            },
          },
          open: { profile: 'rfc7591', registrationEndpoint: 'https://open.example.com/register', registrationCredential: { type: 'none' } },
        },
      };

      // Act
      const template = templateOf({ 'dcr:targets': targets });

      // Assess
      const resources = Object.values(template.toJSON().Resources as Record<string, any>);
      const created = resources.filter((resource) => resource.Type === 'AWS::SecretsManager::Secret');
      expect(created.map((secret) => cfnText(secret.Properties.Name))).toEqual(['dcr/iat/default']);
      const statements = resources
        .filter((resource) => resource.Type === 'AWS::IAM::Policy')
        .flatMap((policy) => policy.Properties.PolicyDocument.Statement as any[]);
      const read = statements.find((statement) => statement.Sid === 'ReadInitialAccessTokens');
      const arns = [read.Resource].flat().map(cfnText);
      expect(arns).toHaveLength(3);
      expect(arns.filter((arn) => arn.includes(':secret:okta/api-key-??????'))).toHaveLength(1);
      expect(arns.filter((arn) => arn.includes(':secret:curity/registrar-??????'))).toHaveLength(1);

      const parameter = resources.find((resource) => resource.Type === 'AWS::SSM::Parameter');
      const config = cfnText(parameter.Properties.Value);
      expect(config).toContain('"registrationCredential":{"type":"apiKey","secretId":"okta/api-key"}');
      expect(config).toContain('"registrationCredential":{"type":"none"}');
      expect(config).not.toMatch(/"open":\{[^}]*initialAccessTokenSecretId/);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});
