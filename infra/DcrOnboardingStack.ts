import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DcrOnboarding, type DcrOnboardingProps } from './DcrOnboarding.js';

export interface DcrOnboardingStackProps extends StackProps, DcrOnboardingProps {}

/** The deployable app: one stack holding one DcrOnboarding construct (infra/DcrOnboarding.ts). */
export class DcrOnboardingStack extends Stack {
  constructor(scope: Construct, id: string, props: DcrOnboardingStackProps) {
    super(scope, id, { description: 'dcr-onboarding: OAuth clients by Dynamic Client Registration', ...props });
    // 'Default' is left out of logical IDs: the resources keep the IDs they had before the construct
    // existed, so a deployed stack updates in place instead of replacing its secrets and key.
    new DcrOnboarding(this, 'Default', props);
  }
}
