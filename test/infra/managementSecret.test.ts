import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, onlyLogicalId, templateOf } from './infraApp.js';

// Issue 18: RFC 7592 credentials live under their own prefix, which the function alone may use and
// which never overlaps the client secret prefix that consumers are granted.

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const secretArn = (prefix: string) =>
  `arn:\${Ref:AWS::Partition}:secretsmanager:\${Ref:AWS::Region}:\${Ref:AWS::AccountId}:secret:${prefix}*`;

/** Every statement of every identity policy in the template, with the resources rendered as text. */
function statements(template: Template): (Statement & { resources: string[] })[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { PolicyDocument: { Statement: Statement[] } };
  }[];
  return policies.flatMap((policy) =>
    policy.Properties.PolicyDocument.Statement.map((statement) => ({ ...statement, resources: list(statement.Resource).map(cfnText) })),
  );
}

function configOf(template: Template): Record<string, any> {
  const id = onlyLogicalId(template, 'AWS::SSM::Parameter');
  return JSON.parse(cfnText(template.toJSON().Resources[id].Properties.Value));
}

const targets = (document: Record<string, unknown>) => ({
  'dcr:targets': {
    ...document,
    targets: {
      default: { profile: 'rfc7591', registrationEndpoint: 'https://idp.example/register', initialAccessTokenSecretId: 'iat/default' },
    },
  },
});

describe('the management secret prefix in the stack', () => {
  let template: Template;

  beforeAll(() => {
    template = templateOf();
  }, SYNTH_TEST_TIMEOUT_MS);

  it('the function may create, read, write, tag, restore and delete secrets under dcr/management/, and no other role may', () => {
    // Act
    const reaching = statements(template).filter((statement) =>
      statement.resources.some((resource) => resource.includes('dcr/management/')),
    );

    // Assess
    expect(reaching).toHaveLength(1);
    expect(reaching[0]).toMatchObject({ Sid: 'ManageManagementSecrets', Effect: 'Allow', resources: [secretArn('dcr/management/')] });
    expect(list(reaching[0]?.Action ?? []).sort()).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutResourcePolicy',
      'secretsmanager:PutSecretValue',
      'secretsmanager:RestoreSecret',
      'secretsmanager:TagResource',
    ]);
  });

  it('no grant on the client prefix reaches a management secret name', () => {
    // Act
    const clientGrants = statements(template).flatMap((statement) =>
      statement.resources.filter((resource) => resource.includes(':secret:dcr/clients')),
    );

    // Assess
    expect(clientGrants.length).toBeGreaterThan(0);
    for (const resource of clientGrants) {
      const pattern = new RegExp(`^${resource.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === '*' ? '.*' : `\\${c}`))}$`);
      expect(pattern.test(`${resource.split(':secret:')[0]}:secret:dcr/management/default/acme-AbCdEf`)).toBe(false);
    }
  });

  it('writes the prefix into the function’s configuration, so function and policy agree', () => {
    expect(configOf(template)).toMatchObject({ secretNamePrefix: 'dcr/clients/', managementSecretNamePrefix: 'dcr/management/' });
  });

  it(
    'takes a managementSecretNamePrefix from the targets document',
    () => {
      // Act
      const custom = templateOf(targets({ managementSecretNamePrefix: 'ops/rfc7592/' }));

      // Assess
      expect(configOf(custom).managementSecretNamePrefix).toBe('ops/rfc7592/');
      expect(statements(custom).find((statement) => statement.Sid === 'ManageManagementSecrets')?.resources).toEqual([
        secretArn('ops/rfc7592/'),
      ]);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );

  it('refuses an IAT secret under the management prefix, which the function could overwrite', () => {
    // Act
    const build = () => templateOf(targets({ managementSecretNamePrefix: 'iat/' }));

    // Assess
    expect(build).toThrow(/lies under the management secret prefix iat\//);
  });

  it.each([
    ['under the client prefix', 'dcr/clients/management/'],
    ['above the client prefix', 'dcr/'],
    ['equal to it', 'dcr/clients/'],
  ])(
    'refuses a management prefix %s at synth',
    (_case, managementSecretNamePrefix) => {
      // Act
      const build = () => templateOf(targets({ managementSecretNamePrefix }));

      // Assess
      expect(build).toThrow(/managementSecretNamePrefix/);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});
