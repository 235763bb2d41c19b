import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DcrOnboardingStack } from './DcrOnboardingStack.js';
import { stackPropsFromContext } from './context.js';

// The cdk.json app (`npx tsx infra/app.ts`). Environment-agnostic, so `cdk synth` needs no account.
const app = new App();
const props = stackPropsFromContext(app.node);
new DcrOnboardingStack(app, props.stackName, props);
// cdk-nag v3 is a policy-validation plugin: findings land in the synth report and errors fail it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
