import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerSecretStore } from '../functions/core/aws/SecretsManagerSecretStore.js';
import { parseSecretRecord } from '../functions/core/secretRecord.js';
import { routeFunctionLogs } from './functionLogs.js';
import { startLocalHttpApi } from './localHttpApi.js';
import { startLocalIdentityProvider } from './localIdentityProvider.js';
import { startMotoServer } from './motoServer.js';
import { localTarget, putConfigParameter, seedInitialAccessToken } from './seedLocalAws.js';
import { clientCredentialsToken } from './tokenRequest.js';

export const SANDBOX_CONFIG_PARAMETER = '/dcr-sandbox/config';
export const SANDBOX_IAT_SECRET_ID = 'dcr/iat/default';
export const SANDBOX_REGION = 'us-east-1';
// moto accepts any credentials; these only keep the SDK's default chain from looking for real ones.
const SANDBOX_CREDENTIALS = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

export interface SandboxOptions {
  stateDir: string;
  /** Port of the local HTTP API; 0 picks a free one. */
  port?: number;
  /** Tenant onboarded through an EventBridge event on start. */
  sampleTenant: string;
  /** Echo the function's JSON log lines to the terminal as well as to `function.log`. */
  echoLogs?: boolean;
  /** Progress and access lines. */
  print(line: string): void;
  /** A Python script that starts moto_server patched (e.g. sandbox/moto_fast_sqs.py for a lane of thousands). */
  motoLauncher?: string;
}

export interface SandboxSummary {
  url: string;
  motoEndpoint: string;
  issuer: string;
  registrationEndpoint: string;
  tokenEndpoint: string;
  configParameterName: string;
  iatSecretId: string;
  stateDir: string;
  envFile: string;
  sample: { tenantId: string; target: string; clientId: string; secretName: string; tokenObtained: true; expiresIn?: number };
}

export interface Sandbox {
  summary: SandboxSummary;
  /** Stops the HTTP API, the identity provider and moto_server; resolves when every child is gone. */
  close(): Promise<void>;
}

type Handler = (event: unknown, context?: { awsRequestId: string }) => Promise<unknown>;

/**
 * The whole product on this machine: moto_server for Secrets Manager and SSM, an oidc-provider with
 * the Salesforce profile, the seeded configuration and initial access token, and the real Lambda
 * handler behind a local HTTP API. Proves itself by onboarding a sample tenant and fetching a token.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // keep stopping the rest: nothing may be left running
      }
    }
  };
  const step = async <T>(label: string, run: () => Promise<T>, done: (value: T) => string): Promise<T> => {
    const started = performance.now();
    options.print(`• ${label}…`);
    const value = await run();
    options.print(`  ✓ ${done(value)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return value;
  };

  try {
    // The two peers start side by side; each registers its own clean-up as soon as it is up.
    const [moto, idp] = await Promise.all([
      step(
        'starting moto_server (Secrets Manager, SSM)',
        () => startMotoServer({ launcher: options.motoLauncher }).then((m) => (cleanups.push(() => m.stop()), m)),
        (m) => `moto_server on ${m.endpoint}`,
      ),
      step(
        'starting the identity provider (oidc-provider, Salesforce profile)',
        () => startLocalIdentityProvider({ profile: 'salesforce' }).then((p) => (cleanups.push(() => p.close()), p)),
        (p) => `identity provider on ${p.issuer}`,
      ),
    ]);

    const clientConfig = { endpoint: moto.endpoint, region: SANDBOX_REGION, credentials: SANDBOX_CREDENTIALS };
    const secretsClient = new SecretsManagerClient(clientConfig);
    const ssmClient = new SSMClient(clientConfig);
    cleanups.push(() => {
      secretsClient.destroy();
      ssmClient.destroy();
    });
    const config = {
      secretNamePrefix: 'dcr/clients/',
      defaultTarget: 'default',
      targets: { default: localTarget(idp, SANDBOX_IAT_SECRET_ID) },
    };
    await step(
      'seeding the configuration and the initial access token',
      async () => {
        const iat = await idp.issueInitialAccessToken();
        // moto loads each service on its first call: warm both at once.
        await Promise.all([
          seedInitialAccessToken(secretsClient, SANDBOX_IAT_SECRET_ID, iat),
          putConfigParameter(ssmClient, SANDBOX_CONFIG_PARAMETER, config),
        ]);
        writeFileSync(join(options.stateDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
      },
      () => `SSM ${SANDBOX_CONFIG_PARAMETER}, secret ${SANDBOX_IAT_SECRET_ID}`,
    );

    const env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: SANDBOX_REGION,
      AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
      CONFIG_PARAMETER_NAME: SANDBOX_CONFIG_PARAMETER,
    };
    const envFile = join(options.stateDir, 'sandbox.env');
    writeFileSync(
      envFile,
      `${Object.entries(env)
        .map(([key, value]) => `export ${key}=${value}`)
        .join('\n')}\n`,
    );

    const logs = routeFunctionLogs(join(options.stateDir, 'function.log'), { echo: options.echoLogs });
    cleanups.push(() => logs.restore());
    const handler = await step(
      'loading the function (functions/register/handler.ts)',
      async () => {
        // The handler wires its SDK clients from the environment at import time, as in a Lambda container.
        Object.assign(process.env, env, { LOG_LEVEL: process.env.LOG_LEVEL ?? 'INFO' });
        delete process.env.AWS_PROFILE;
        delete process.env.AWS_SESSION_TOKEN;
        return ((await import('../functions/register/handler.js')) as { handler: Handler }).handler;
      },
      () => `function logs go to ${join(options.stateDir, 'function.log')}`,
    );

    let requestCount = 0;
    const api = await step(
      'serving the function as an HTTP API',
      () =>
        startLocalHttpApi({
          port: options.port,
          invoke: (event) => handler(event, { awsRequestId: `sandbox-${++requestCount}` }),
          onResponse: ({ method, path, status, ms }) => options.print(`  ${method} ${path} → ${status} (${ms} ms)`),
        }),
      (a) => `HTTP API on ${a.url}`,
    );
    cleanups.push(() => api.close());

    const onboarded = await step(
      `onboarding sample tenant "${options.sampleTenant}" through an EventBridge TenantOnboarded event`,
      () => onboardThroughEvent(api.url, options.sampleTenant),
      (o) => `client ${o.clientId} stored in secret ${o.secretName}`,
    );

    const token = await step(
      'fetching a client_credentials token with the stored credentials',
      () => proveCredentials(new SecretsManagerSecretStore(secretsClient), onboarded.secretName),
      () => 'token obtained',
    );

    return {
      summary: {
        url: api.url,
        motoEndpoint: moto.endpoint,
        issuer: idp.issuer,
        registrationEndpoint: idp.registrationEndpoint,
        tokenEndpoint: idp.tokenEndpoint,
        configParameterName: SANDBOX_CONFIG_PARAMETER,
        iatSecretId: SANDBOX_IAT_SECRET_ID,
        stateDir: options.stateDir,
        envFile,
        sample: { ...onboarded, tokenObtained: true, expiresIn: token.expiresIn },
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function onboardThroughEvent(url: string, tenantId: string) {
  const response = await fetch(`${url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ 'detail-type': 'TenantOnboarded', source: 'com.example.tenants', detail: { tenantId } }),
    signal: AbortSignal.timeout(15_000),
  });
  const outcome = (await response.json()) as Record<string, string | undefined>;
  const { clientId, secretName, target } = outcome;
  if (!response.ok || !clientId || !secretName || !target) {
    throw new Error(`the sample onboarding failed: ${outcome.error ?? outcome.errorMessage ?? response.status} (see function.log)`);
  }
  return { tenantId, target, clientId, secretName };
}

/** Reads the stored record and asks the token endpoint for a token with it; the token is not kept. */
async function proveCredentials(secrets: SecretsManagerSecretStore, secretName: string): Promise<{ expiresIn?: number }> {
  const stored = await secrets.get(secretName);
  const record = stored && parseSecretRecord(stored.value);
  if (record?.dcr_status !== 'registered' || !record.token_endpoint) throw new Error(`secret ${secretName} holds no usable credentials`);
  const response = await clientCredentialsToken(record.token_endpoint, record);
  const body = (await response.json()) as { access_token?: unknown; expires_in?: number; error?: string };
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`the token endpoint refused the stored credentials (${response.status} ${body.error ?? ''})`);
  }
  return { expiresIn: body.expires_in };
}
