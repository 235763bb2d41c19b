import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DcrOnboardingStack } from './DcrOnboardingStack.js';
import { stackPropsFromContext } from './context.js';

// The cdk.json app (`npx tsx infra/app.ts`). Environment-agnostic, so `cdk synth` needs no account.
try {
  const app = new App();
  const props = stackPropsFromContext(app.node);
  new DcrOnboardingStack(app, props.stackName, props);
  // cdk-nag v3 is a policy-validation plugin: findings land in the synth report and errors fail it.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
} catch (error) {
  // A bad configuration is the operator's input: say what is wrong, one problem a line, no stack trace.
  process.stderr.write(`${synthErrorLines(error).join('\n')}\n`);
  process.exit(1);
}

function synthErrorLines(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  const [first = '', ...problems] = message.split(/:\s(?=[\w.[\]-]+: )|;\s/);
  return [`dcr-onboarding cannot be synthesized: ${first}`, ...problems.map((problem) => `  - ${problem}`)];
}
