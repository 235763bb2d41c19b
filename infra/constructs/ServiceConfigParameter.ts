import { createHash } from 'node:crypto';
import { Lazy, Stack } from 'aws-cdk-lib';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { describeIssues, serviceConfigSchema } from '../../functions/core/config/serviceConfig.js';
import type { TargetsDocument } from '../../functions/core/config/targetsDocument.js';
import { withCredentialSecretId } from './InitialAccessTokenSecrets.js';

export interface ServiceConfigParameterProps {
  readonly parameterName: string;
  readonly document: TargetsDocument;
  readonly secretNamePrefix: string;
  /** Where the function keeps RFC 7592 credentials (docs/secret-contract.md); never under secretNamePrefix. */
  readonly managementSecretNamePrefix: string;
  /** ARN of the key the function encrypts new client secrets with. */
  readonly kmsKeyArn: string;
  /** Target name → the registration credential secret id the function reads (none for open registration). */
  readonly initialAccessTokenSecretIds: Readonly<Record<string, string>>;
  /** Who the tenant secrets' resource policy lets read them (functions/core/tenantSecretPolicy.ts). */
  readonly tenantSecretAccess?: {
    readonly functionRoleArn: string;
    readonly readerArns: readonly string[];
    readonly targetReaderArns: Readonly<Record<string, readonly string[]>>;
  };
}

// Standard parameters hold 4 KB; tokens render shorter than the ARNs they become, so keep a margin.
const STANDARD_TIER_BUDGET = 3000;

/**
 * The JSON configuration the function reads (env `CONFIG_PARAMETER_NAME`): the operator's targets
 * document plus what the stack owns — the key, the prefix and the IAT secret of each target. It holds
 * no secret material, so a plain String parameter (CloudFormation cannot create a SecureString).
 */
export class ServiceConfigParameter extends Construct {
  readonly parameter: StringParameter;
  /**
   * A hash of the value the parameter is given (references to other resources as references), resolved
   * at synth: the function's CONFIG_HASH, so a deploy that changes the configuration rolls the function.
   */
  readonly hash: string;

  constructor(scope: Construct, id: string, props: ServiceConfigParameterProps) {
    super(scope, id);
    const config = {
      ...props.document,
      secretNamePrefix: props.secretNamePrefix,
      managementSecretNamePrefix: props.managementSecretNamePrefix,
      kmsKeyId: props.kmsKeyArn,
      ...(props.tenantSecretAccess ? { tenantSecretAccess: props.tenantSecretAccess } : {}),
      targets: Object.fromEntries(
        Object.entries(props.document.targets).map(([name, target]) => [
          name,
          withCredentialSecretId(target, props.initialAccessTokenSecretIds[name]),
        ]),
      ),
    };
    // The function's own schema: a config it would reject fails the synth instead of every invocation.
    const parsed = serviceConfigSchema().safeParse(config);
    if (!parsed.success) throw new Error(`targets config is invalid: ${describeIssues(parsed.error.issues)}`);

    const value = Stack.of(this).toJsonString(config);
    this.parameter = new StringParameter(this, 'Parameter', {
      parameterName: props.parameterName,
      description: 'dcr-onboarding configuration: targets, secret name prefix, KMS key (JSON, see README)',
      stringValue: value,
      tier: value.length > STANDARD_TIER_BUDGET ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
    });
    const stack = Stack.of(this);
    this.hash = Lazy.string({
      produce: () =>
        createHash('sha256')
          .update(JSON.stringify(stack.resolve(value)))
          .digest('hex')
          .slice(0, 32),
    });
  }
}
