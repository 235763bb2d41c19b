import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../sandbox/localIdentityProvider.js';
import { type MotoServer, startMotoServer } from '../sandbox/motoServer.js';
import { putConfigParameter, seedInitialAccessToken } from '../sandbox/seedLocalAws.js';
import type { RawTarget } from './baseline.js';

export interface BenchPeers {
  moto: MotoServer;
  idp: LocalIdentityProvider;
  /** Secret name prefixes of the function (`svc`) and of the raw baseline (`raw`). */
  prefixes: { svc: string; raw: string };
  /** Environment for a child process running the function or the baseline against these peers; with
   * `EVENT_BUS_NAME` set, as the stack deploys it (outcome events published). */
  env: Record<string, string>;
  /** An SDK client on moto for verification, outside any measured process. */
  secrets: SecretsManagerClient;
  /**
   * Empties moto and seeds it again exactly as at start. moto finds a secret by scanning all of them,
   * so a phase run after another would pay for the earlier phase's secrets; each phase starts equal.
   */
  resetAws(): Promise<void>;
  stop(): Promise<void>;
}

const CLIENT_METADATA = {
  client_name: 'dcr-onboarding bench',
  redirect_uris: ['https://app.example.com/cb'],
  grant_types: ['client_credentials'],
};

/**
 * moto_server (child process) and a Salesforce-profile oidc-provider (in this process, Map-backed),
 * seeded with one IAT secret, the function's SSM configuration and an event bus for its outcome events. Stops what it started on failure.
 */
export async function startBenchPeers(run: string, options: { motoLauncher?: string } = {}): Promise<BenchPeers> {
  const moto = await startMotoServer({ launcher: options.motoLauncher });
  let idp: LocalIdentityProvider | undefined;
  const aws = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const secrets = new SecretsManagerClient(aws);
  const ssm = new SSMClient(aws);
  const events = new EventBridgeClient(aws);
  const stop = async () => {
    secrets.destroy();
    ssm.destroy();
    events.destroy();
    await Promise.allSettled([idp?.close(), moto.stop()]);
  };
  try {
    const provider = (idp = await startLocalIdentityProvider({ profile: 'salesforce' }));
    const iatSecretId = `bench/${run}/iat`;
    const prefixes = { svc: `bench/${run}/svc/`, raw: `bench/${run}/raw/` };
    const initialAccessToken = await provider.issueInitialAccessToken();
    const config = {
      secretNamePrefix: prefixes.svc,
      defaultTarget: 'default',
      targets: {
        default: {
          profile: 'salesforce',
          registrationEndpoint: provider.registrationEndpoint,
          initialAccessTokenSecretId: iatSecretId,
          tokenEndpoint: provider.tokenEndpoint,
          clientMetadata: CLIENT_METADATA,
        },
      },
    };
    const eventBusName = `bench-${run}`;
    const configParameterName = `/bench/${run}/config`;
    const seed = async () => {
      await seedInitialAccessToken(secrets, iatSecretId, initialAccessToken);
      await events.send(new CreateEventBusCommand({ Name: eventBusName }));
      await putConfigParameter(ssm, configParameterName, config);
    };
    const resetAws = async () => {
      const response = await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
      await seed();
    };
    await seed();
    const raw: RawTarget = {
      registrationEndpoint: provider.registrationEndpoint,
      initialAccessTokenSecretId: iatSecretId,
      secretNamePrefix: prefixes.raw,
      clientMetadata: CLIENT_METADATA,
    };
    const env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      CONFIG_PARAMETER_NAME: configParameterName,
      EVENT_BUS_NAME: eventBusName,
      BENCH_RAW_TARGET: JSON.stringify(raw),
    };
    return { moto, idp: provider, prefixes, env, secrets, resetAws, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
