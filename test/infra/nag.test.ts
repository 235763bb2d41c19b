import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, buildApp, everythingOn } from './infraApp.js';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/** Synthesizes with AwsSolutionsChecks as infra/app.ts does; returns every unacknowledged finding. */
function nagFindings(app: App): string[] {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((construct) => `${violation.severity} ${violation.ruleName} at ${construct.constructPath}`),
    ),
  );
}

/** Every `Validations.of(x).acknowledge()` in the tree: rule id → reason. */
function acknowledgments(app: App): { id: string; reason: string; path: string }[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      // Stored namespaced (`Annotation::AwsSolutions-SQS3`); the namespace is CDK's, the rule is cdk-nag's.
      .map(([id, reason]) => ({ id: id.replace(/^\w+::/, ''), reason, path: construct.node.path })),
  );
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it.each([
    ['the default stack', {}],
    ['the stack with every option on', everythingOn],
  ])(
    'finds no unacknowledged error or warning in %s',
    (_name, context) => {
      // Prepare
      const { app } = buildApp(context);

      // Act
      const findings = nagFindings(app);

      // Assess
      expect(findings).toEqual([]);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );

  it(
    'acknowledges only known rules, each with a reason',
    () => {
      // Prepare
      const { app } = buildApp(everythingOn);

      // Act
      const acknowledged = acknowledgments(app);

      // Assess
      expect([...new Set(acknowledged.map((entry) => entry.id.replace(/\[.*$/, '')))].sort()).toEqual([
        'AwsSolutions-IAM5',
        'AwsSolutions-SMG4',
        'AwsSolutions-SQS3',
      ]);
      for (const entry of acknowledged) expect(entry.reason.length, `${entry.id} at ${entry.path}`).toBeGreaterThan(60);
      expect(
        acknowledged
          .filter((entry) => entry.id.includes('IAM5'))
          .map((entry) => entry.id)
          .sort(),
      ).toEqual([
        // secretsmanager:ListSecrets for the renew and reconcile sweeps: it has no resource-level form.
        'AwsSolutions-IAM5[Resource::*]',
        expect.stringMatching(/IAM5\[Resource::<RegisterFunction\w+\.Arn>:\*\]$/),
        // The maintenance schedules' invoke role, as the canary's.
        expect.stringMatching(/IAM5\[Resource::<RegisterFunction\w+\.Arn>:\*\]$/),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:dcr/clients/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:dcr/management/*]',
      ]);
    },
    SYNTH_TEST_TIMEOUT_MS,
  );
});
