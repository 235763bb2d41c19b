import { randomUUID } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { inject } from 'vitest';
import {
  type LocalIdentityProvider,
  type LocalIdentityProviderOptions,
  startLocalIdentityProvider,
} from '../../sandbox/localIdentityProvider.js';
import { CLIENT_CREDENTIALS_CLIENT, putConfigParameter, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { awsErrorResponse, type FaultKind, type FaultProxy, oauthErrorResponse, startFaultProxy } from './faultProxy.js';
import { captureStdout } from './logCapture.js';

export type Handler = (event: unknown, context?: { awsRequestId: string }) => Promise<any>;

export interface ProxiedEnvironment {
  idp: LocalIdentityProvider;
  idpProxy: FaultProxy;
  motoProxy: FaultProxy;
  handler: Handler;
  logs: string[];
  /** Client secrets live under `${prefix}clients/`. */
  prefix: string;
  /** A Secrets Manager client that bypasses the faults, for seeding and counting. */
  direct: SecretsManagerClient;
  close(): Promise<void>;
}

export interface ProxiedEnvironmentOptions {
  /** Scheduled faults on both proxies (rules can still be set per test). Default: none. */
  faults?: { rate: number; seed: number; kinds: FaultKind[]; stallMs: number };
  /** Function environment (timeouts, retries, claim settings). */
  functionEnv: Record<string, string>;
  /** Options of the local identity provider behind the proxy (its profile stays `salesforce`). */
  idp?: Omit<LocalIdentityProviderOptions, 'profile'>;
}

/**
 * The real function as Lambda runs it: warm containers, each with its own runtime (SDK clients, caches)
 * and serving one invocation at a time; a new one starts when all are busy. One process-wide runtime
 * serving 20 invocations at once would share one SDK retry quota, which no Lambda container does: under
 * 20 % faults it drains and every call fails on its first fault.
 */
async function containerPool(): Promise<Handler> {
  const { createAwsRuntime } = await import('../../functions/register/runtime.js');
  const { dispatch } = await import('../../functions/register/dispatch.js');
  const idle: ReturnType<typeof createAwsRuntime>[] = [];
  return async (event, context) => {
    const runtime = idle.pop() ?? createAwsRuntime();
    try {
      return await dispatch(event, runtime, context);
    } finally {
      idle.push(runtime);
    }
  };
}

/**
 * The real handler with a fault proxy in front of the local identity provider and one in front of
 * moto; seeding goes straight to moto. The handler is imported last, so its SDK clients use the proxy.
 */
export async function startProxiedEnvironment(options: ProxiedEnvironmentOptions): Promise<ProxiedEnvironment> {
  const prefix = `dcr-proxied/${randomUUID().slice(0, 8)}/`;
  const motoEndpoint = inject('motoEndpoint');
  const direct = new SecretsManagerClient({ endpoint: motoEndpoint });
  const plan = options.faults ?? { rate: 0, seed: 1, kinds: [], stallMs: 3_000 };
  const idp = await startLocalIdentityProvider({ ...options.idp, profile: 'salesforce' });
  const idpProxy = await startFaultProxy(idp.issuer, { ...plan, errorResponse: oauthErrorResponse });
  const motoProxy = await startFaultProxy(motoEndpoint, { ...plan, seed: plan.seed + 1, errorResponse: awsErrorResponse });

  await seedInitialAccessToken(direct, `${prefix}iat`, await idp.issueInitialAccessToken());
  await putConfigParameter(new SSMClient({ endpoint: motoEndpoint }), `/${prefix}config`, {
    secretNamePrefix: `${prefix}clients/`,
    targets: {
      default: {
        profile: 'salesforce',
        registrationEndpoint: `${idpProxy.url}/services/oauth2/register`,
        initialAccessTokenSecretId: `${prefix}iat`,
        clientMetadata: CLIENT_CREDENTIALS_CLIENT,
      },
    },
  });
  Object.assign(process.env, { ...options.functionEnv, AWS_ENDPOINT_URL: motoProxy.url, CONFIG_PARAMETER_NAME: `/${prefix}config` });
  const capture = captureStdout();
  const handler = await containerPool();
  return {
    idp,
    idpProxy,
    motoProxy,
    handler,
    logs: capture.lines,
    prefix,
    direct,
    async close() {
      capture.restore();
      await Promise.all([idpProxy.close(), motoProxy.close(), idp.close()]);
    },
  };
}
