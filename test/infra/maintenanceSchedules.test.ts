import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TEST_TIMEOUT_MS, cfnText, onlyLogicalId, templateOf } from './infraApp.js';

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

describe('MaintenanceSchedules', () => {
  let template: Template;

  beforeAll(() => {
    template = templateOf();
  }, SYNTH_TEST_TIMEOUT_MS);

  it('schedules a daily renew and a daily reconcile (report only) on the function, each with the DLQ and a bounded retry', () => {
    // Prepare
    const functionId = onlyLogicalId(template, 'AWS::Lambda::Function');
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as { Properties: Record<string, any> }[];

    // Act
    const byAction = Object.fromEntries(
      schedules.map((schedule) => [JSON.parse(schedule.Properties.Target.Input).action, schedule.Properties] as const),
    );

    // Assess
    expect(Object.keys(byAction).sort()).toEqual(expect.arrayContaining(['reconcile', 'renew']));
    for (const action of ['renew', 'reconcile']) {
      const properties = byAction[action];
      expect(properties.ScheduleExpression).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
      expect(JSON.parse(properties.Target.Input)).toEqual({ action });
      expect(cfnText(properties.Target.Arn)).toBe(`\${${functionId}.Arn}`);
      expect(cfnText(properties.Target.DeadLetterConfig.Arn)).toMatch(/^\$\{MaintenanceDeadLetters\w+\.Arn\}$/);
      expect(properties.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
      expect(cfnText(properties.Target.RoleArn)).toMatch(/^\$\{MaintenanceInvokeRole\w+\.Arn\}$/);
    }
  });

  it("invokes through its own role: trusted by this account's Scheduler only, allowed to invoke only the function and write its encrypted DLQ", () => {
    // Prepare
    const functionId = onlyLogicalId(template, 'AWS::Lambda::Function');
    const roles = template.findResources('AWS::IAM::Role');
    const [roleId, role] = Object.entries(roles).find(([id]) => id.startsWith('MaintenanceInvokeRole')) ?? [];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: Record<string, any> }[];

    // Act
    const statements = policies
      .filter((policy) => list(policy.Properties.Roles).some((ref: any) => ref.Ref === roleId))
      .flatMap((policy) => list(policy.Properties.PolicyDocument.Statement) as Record<string, any>[]);

    // Assess
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    const resources = statements.map((statement) => ({
      actions: list(statement.Action).sort(),
      resources: list(statement.Resource).map(cfnText),
    }));
    expect(resources).toHaveLength(3);
    expect(resources).toContainEqual({
      actions: ['lambda:InvokeFunction'],
      resources: [`\${${functionId}.Arn}`, `\${${functionId}.Arn}:*`],
    });
    expect(resources).toContainEqual({
      actions: ['sqs:SendMessage'],
      resources: [expect.stringMatching(/^\$\{MaintenanceDeadLetters\w+\.Arn\}$/)],
    });
    expect(resources).toContainEqual({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [expect.stringMatching(/^\$\{ServiceKey\w+\.Arn\}$/)],
    });
  });
});
