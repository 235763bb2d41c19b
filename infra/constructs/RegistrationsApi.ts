import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Every route the function serves over HTTP (README, "HTTP API"). New routes are one line here. */
export const REGISTRATION_ROUTES: readonly { method: HttpMethod; path: string }[] = [
  { method: HttpMethod.POST, path: '/registrations' },
  // The same registration with the tenant in the path, so IAM can scope it per tenant (docs/access.md).
  { method: HttpMethod.PUT, path: '/registrations/{target}/{tenantId}' },
  { method: HttpMethod.GET, path: '/registrations/{target}/{tenantId}' },
  { method: HttpMethod.DELETE, path: '/registrations/{target}/{tenantId}' },
  { method: HttpMethod.POST, path: '/registrations/{target}/{tenantId}/rotate' },
];

// Onboarding is a back-office flow of a few calls a minute; the limit protects the identity provider
// and the account's Secrets Manager quota from a runaway caller, not a load we expect.
const THROTTLE = { rateLimit: 10, burstLimit: 20 };

// HTTP API context variables: who called (SigV4 identity), what, and how it ended. No bodies.
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  callerArn: '$context.identity.userArn',
  callerAccountId: '$context.identity.accountId',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

export interface RegistrationsApiProps {
  readonly handler: IFunction;
  /** Name of the access log group (under the prefix the service key's policy names). */
  readonly accessLogGroupName: string;
  /** Encrypts the access logs. */
  readonly serviceKey: IKey;
}

/** HTTP API, IAM (SigV4) authorization on every route, throttled, with access logs. */
export class RegistrationsApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: RegistrationsApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'dcr-onboarding: register and look up tenant OAuth clients',
      defaultAuthorizer: new HttpIamAuthorizer(),
      // The default stage cannot be given throttling and access logs here; it is added below.
      createDefaultStage: false,
    });
    const integration = new HttpLambdaIntegration('Register', props.handler);
    for (const route of REGISTRATION_ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [route.method], integration });
    }

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: props.accessLogGroupName,
      encryptionKey: props.serviceKey,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
  }

  get url(): string {
    return this.stage.url;
  }
}
