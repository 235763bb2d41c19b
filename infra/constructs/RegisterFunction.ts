import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type IDestination, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { FUNCTION_BUNDLING } from '../functionBundling.js';
import { type FunctionTimeSettings, functionTimeoutSeconds, timeEnvironment } from '../functionTimeout.js';
import { DeadLetterQueue } from './DeadLetterQueue.js';
import { ENV } from '../../functions/core/constants.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface RegisterFunctionProps {
  readonly configParameter: IStringParameter;
  /** The IAT secrets the function may read, and nothing else outside the prefix. */
  readonly initialAccessTokenSecretArns: readonly string[];
  /** Client secrets live at `${secretNamePrefix}${target}/${tenantId}`. */
  readonly secretNamePrefix: string;
  /** RFC 7592 credentials live at `${managementSecretNamePrefix}${target}/${tenantId}`: the function's alone. */
  readonly managementSecretNamePrefix: string;
  readonly clientSecretsKey: IKey;
  /** Encrypts the log group and the failure queue. */
  readonly serviceKey: IKey;
  readonly logGroupName: string;
  readonly logLevel: LogLevel;
  /** Concurrent executions reserved for (and capping) the function. */
  readonly reservedConcurrency: number;
  /** Provider and AWS timeouts, retry budget, claim wait: the function's defaults where unset. */
  readonly timeSettings: FunctionTimeSettings;
  /** The function timeout; must cover the worst case of timeSettings. Default: exactly that worst case. */
  readonly timeoutSeconds?: number;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The one function behind every trigger, with its log group, its own role and its async-failure queue. */
export class RegisterFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  /** Async invocations (EventBridge, Scheduler) that still failed after Lambda's retries. */
  readonly failedInvocations: DeadLetterQueue;
  /** The function timeout (derived in functionTimeout.ts). */
  readonly timeout: Duration;
  /** The function's own role: tenant secrets' resource policies name it (tenantSecretPolicy.ts). */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: RegisterFunctionProps) {
    super(scope, id);
    if (!Number.isInteger(props.reservedConcurrency) || props.reservedConcurrency < 1) {
      throw new Error(`reserved concurrency must be a positive whole number, not ${props.reservedConcurrency}`);
    }
    const time = timeEnvironment(props.timeSettings);
    const timeout = Duration.seconds(functionTimeoutSeconds(time.parsed, props.timeoutSeconds));
    this.timeout = timeout;
    // Registrations are security-relevant and rare: a year of logs costs little.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      encryptionKey: props.serviceKey,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this one log group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'dcr-onboarding register function',
    });
    this.role = role;
    this.logGroup.grantWrite(role);
    for (const statement of permissions(props)) role.addToPolicy(statement);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${regionAndAccountAsNagShowsThem(this)}:secret:${props.secretNamePrefix}*]`,
      reason:
        'Client secret names are `${prefix}${target}/${tenantId}`, created at run time per tenant, so they can only be ' +
        'named by prefix; the stack refuses an IAT secret under this prefix.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${regionAndAccountAsNagShowsThem(this)}:secret:${props.managementSecretNamePrefix}*]`,
      reason:
        'Management secret names are `${prefix}${target}/${tenantId}`, created at run time per tenant, so they can only be ' +
        'named by prefix; the configuration refuses a prefix that overlaps the client secret prefix.',
    });

    this.failedInvocations = new DeadLetterQueue(this, 'FailedInvocations', { encryptionKey: props.serviceKey });
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
      // The function's share of the account's concurrency, and its cap: a runaway trigger cannot
      // starve other functions, nor flood the identity provider and Secrets Manager.
      reservedConcurrentExecutions: props.reservedConcurrency,
      timeout,
      role,
      logGroup: this.logGroup,
      // No X-Ray: HTTP APIs do not propagate traces and the SDK clients are not instrumented, so a trace
      // would hold one segment whose duration the REPORT line and the Duration metric already give,
      // while X-Ray would need `xray:Put*` on `*`. Adding the Powertools tracer later is the way in.
      tracing: Tracing.DISABLED,
      environment: {
        [ENV.CONFIG_PARAMETER_NAME]: props.configParameter.parameterName,
        [ENV.LOG_LEVEL]: props.logLevel,
        // Every figure the timeout was derived from (functionTimeout.ts), so they cannot drift apart.
        ...time.env,
        // A pending claim older than this is taken over: it must outlive any invocation (docs/idempotency.md).
        [ENV.CLAIM_STALE_SECONDS]: String(2 * timeout.toSeconds()),
        NODE_OPTIONS: '--enable-source-maps',
      },
      // EventBridge and Scheduler invoke asynchronously: two retries, then the failure record (event,
      // error name and message — never secret material) lands on a queue that alarms.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: failureQueueDestination(this.failedInvocations.queue, props.serviceKey),
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
   * (`aws secretsmanager rotate-secret --rotation-lambda-arn …`): for secrets under the client prefix,
   * in this account, only.
   */
  allowSecretsManagerRotation(secretNamePrefix: string): void {
    const stack = Stack.of(this);
    this.function.addPermission('SecretsManagerRotation', {
      principal: new ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceAccount: stack.account,
      // Lambda matches SourceArn with ArnLike: every secret under the prefix, whatever its suffix.
      sourceArn: stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${secretNamePrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    });
  }

  /** Outcome events (ClientRegistered, …): EVENT_BUS_NAME, and events:PutEvents on that bus only. */
  publishOutcomesTo(bus: IEventBus): void {
    this.function.addEnvironment(ENV.EVENT_BUS_NAME, bus.eventBusName);
    bus.grantPutEventsTo(this.function);
  }
}

/** cdk-nag names a resource as CloudFormation has it: pseudo parameters in an environment-agnostic stack, else literals. */
export function regionAndAccountAsNagShowsThem(scope: Construct): string {
  const stack = Stack.of(scope);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `${region}:${account}`;
}

/**
 * Lambda's on-failure destination, with exactly the grants it needs: Lambda sends the record with the
 * function's role, so the role may send to this queue and use its key through SQS. (SqsDestination
 * would grant `kms:ReEncrypt*` and `kms:GenerateDataKey*` as well.)
 */
function failureQueueDestination(queue: IQueue, key: IKey): IDestination {
  return {
    bind: (_scope, fn) => {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'EncryptFailureRecords',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `sqs.${Stack.of(queue).region}.amazonaws.com` } },
        }),
      );
      return { destination: queue.queueArn };
    },
  };
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
        // Each new tenant secret gets its resource policy right after creation (tenantSecretPolicy.ts).
        'secretsmanager:PutResourcePolicy',
      ],
      resources: [clientSecrets],
    }),
    // RFC 7592 credentials (docs/secret-contract.md): no consumer grant on the client prefix reaches them.
    new PolicyStatement({
      sid: 'ManageManagementSecrets',
      actions: [
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:GetSecretValue',
        'secretsmanager:TagResource',
        'secretsmanager:DeleteSecret',
        // A management secret deleted with a recovery window by hand is taken back.
        'secretsmanager:RestoreSecret',
        // Each new management secret gets its resource policy right after creation.
        'secretsmanager:PutResourcePolicy',
      ],
      resources: [
        stack.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${props.managementSecretNamePrefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
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
