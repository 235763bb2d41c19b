import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { FUNCTION_BUNDLING } from '../functionBundling.js';
import { DeadLetterQueue } from './DeadLetterQueue.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface RegisterFunctionProps {
  readonly configParameter: IStringParameter;
  /** The IAT secrets the function may read, and nothing else outside the prefix. */
  readonly initialAccessTokenSecretArns: readonly string[];
  /** Client secrets live at `${secretNamePrefix}${target}/${tenantId}`. */
  readonly secretNamePrefix: string;
  readonly clientSecretsKey: IKey;
  readonly logLevel: LogLevel;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

// The provider is the slow part and the function's own limit follows from it. One provider operation
// (register, or RFC 7592 delete) retries within IDP_RETRY_BUDGET_MS, and its last attempt may run a
// full IDP_TIMEOUT_MS: 30 s. The longest paths make two such operations in a row (register, then delete
// the client when storing fails; or the canary's register, then delete) plus a handful of AWS calls,
// each bounded by AWS_REQUEST_TIMEOUT_MS (5 s) and the SDK's retries: 30 s more. Stopping half-way
// would strand a pending claim or an unstored client, so the timeout covers all of it even though the
// HTTP API stops waiting at 30 s (a caller's retry then answers `exists` or "in progress").
const IDP_TIMEOUT = Duration.seconds(10);
const IDP_RETRY_BUDGET = Duration.seconds(20);
const TIMEOUT = Duration.seconds(2 * (IDP_RETRY_BUDGET.toSeconds() + IDP_TIMEOUT.toSeconds()) + 30);

/** The one function behind every trigger, with its log group, its own role and its async-failure queue. */
export class RegisterFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  /** Async invocations (EventBridge, Scheduler) that still failed after Lambda's retries. */
  readonly failedInvocations: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: RegisterFunctionProps) {
    super(scope, id);
    // Registrations are security-relevant and rare: a year of logs costs little.
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this one log group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'dcr-onboarding register function',
    });
    this.logGroup.grantWrite(role);
    for (const statement of permissions(props)) role.addToPolicy(statement);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.secretNamePrefix}*]`,
      reason:
        'Client secret names are `${prefix}${target}/${tenantId}`, created at run time per tenant, so they can only be ' +
        'named by prefix; the stack refuses an IAT secret under this prefix.',
    });

    this.failedInvocations = new DeadLetterQueue(this, 'FailedInvocations');
    this.function = new NodejsFunction(this, 'Function', {
      description: 'Registers OAuth clients by Dynamic Client Registration (HTTP API, TenantOnboarded, canary)',
      entry: `${repoRoot}functions/register/handler.ts`,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // From `npm run bench` (README, "Memory size"): one invocation needs ~65 MiB RSS, so memory is
      // bought for CPU, which Lambda gives in proportion (1 vCPU at 1,769 MB). A cold registration is
      // ~190 ms of CPU on a full core: ~0.7 s at 512 MB, ~1.3 s at 256 MB, ~2.6 s at 128 MB. Most
      // invocations are cold (onboarding is rare) and HTTP callers wait, so 512 MB; at this volume the
      // cost is negligible either way.
      memorySize: 512,
      timeout: TIMEOUT,
      role,
      logGroup: this.logGroup,
      // No X-Ray: HTTP APIs do not propagate traces and the SDK clients are not instrumented, so a trace
      // would hold one segment whose duration the REPORT line and the Duration metric already give,
      // while X-Ray would need `xray:Put*` on `*`. Adding the Powertools tracer later is the way in.
      tracing: Tracing.DISABLED,
      environment: {
        CONFIG_PARAMETER_NAME: props.configParameter.parameterName,
        LOG_LEVEL: props.logLevel,
        IDP_TIMEOUT_MS: String(IDP_TIMEOUT.toMilliseconds()),
        IDP_RETRY_BUDGET_MS: String(IDP_RETRY_BUDGET.toMilliseconds()),
        // A pending claim older than this is taken over: it must outlive any invocation (docs/idempotency.md).
        CLAIM_STALE_SECONDS: String(2 * TIMEOUT.toSeconds()),
        NODE_OPTIONS: '--enable-source-maps',
      },
      // EventBridge and Scheduler invoke asynchronously: two retries, then the failure record (event,
      // error name and message — never secret material) lands on a queue that alarms.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failedInvocations.queue),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: FUNCTION_BUNDLING.target,
        mainFields: [...FUNCTION_BUNDLING.mainFields],
        minify: FUNCTION_BUNDLING.minify,
        sourceMap: FUNCTION_BUNDLING.sourceMap,
        sourcesContent: FUNCTION_BUNDLING.sourcesContent,
        keepNames: FUNCTION_BUNDLING.keepNames,
        bundleAwsSDK: FUNCTION_BUNDLING.bundleAwsSdk,
      },
    });
  }

  /**
   * Lets Secrets Manager call the function as the rotation function of the client secrets
   * (`aws secretsmanager rotate-secret --rotation-lambda-arn …`), from this account only.
   */
  allowSecretsManagerRotation(): void {
    this.function.addPermission('SecretsManagerRotation', {
      principal: new ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: Stack.of(this).account,
    });
  }

  /** Outcome events (ClientRegistered, …): EVENT_BUS_NAME, and events:PutEvents on that bus only. */
  publishOutcomesTo(bus: IEventBus): void {
    this.function.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(this.function);
  }
}

/** Exactly the calls the function makes (see README, "The stored secret"), on exactly its resources. */
function permissions(props: RegisterFunctionProps): PolicyStatement[] {
  const stack = Stack.of(props.configParameter);
  const clientSecrets = stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${props.secretNamePrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return [
    new PolicyStatement({
      sid: 'ReadConfig',
      actions: ['ssm:GetParameter'],
      resources: [props.configParameter.parameterArn],
    }),
    new PolicyStatement({
      sid: 'ReadInitialAccessTokens',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [...props.initialAccessTokenSecretArns],
    }),
    new PolicyStatement({
      sid: 'ManageClientSecrets',
      actions: [
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:TagResource',
        'secretsmanager:DeleteSecret',
        // An offboarded tenant onboarding again inside the recovery window restores its secret.
        'secretsmanager:RestoreSecret',
        // finishSecret of the rotation contract moves AWSCURRENT to the new version.
        'secretsmanager:UpdateSecretVersionStage',
      ],
      resources: [clientSecrets],
    }),
    // Secrets Manager envelope-encrypts: GenerateDataKey to write a version, Decrypt to read one. It
    // never calls kms:Encrypt, so that is not granted. Only through Secrets Manager, only this key.
    new PolicyStatement({
      sid: 'UseClientSecretsKeyViaSecretsManager',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.clientSecretsKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
    }),
  ];
}
