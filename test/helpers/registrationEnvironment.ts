import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type LocalIdentityProvider, startLocalIdentityProvider } from '../../sandbox/localIdentityProvider.js';
import { CLIENT_CREDENTIALS_CLIENT, localTarget, putConfigParameter, seedInitialAccessToken } from '../../sandbox/seedLocalAws.js';
import { captureStdout } from './logCapture.js';
import { loadSeed000 } from './seedFixture.js';

/** Salesforce's request body from seed 000, exactly as the fixture has it. */
export const SEED_REQUEST = loadSeed000().request as { redirect_uris: string[]; response_types: string[]; client_name: string };

type Handler = (event: unknown, context?: { awsRequestId: string }) => Promise<any>;

export interface RegistrationEnvironment {
  run: string;
  prefix: string;
  salesforce: LocalIdentityProvider;
  rfc7591: LocalIdentityProvider;
  iatSecretIds: { salesforce: string; rfc7591: string; wrong: string };
  config: Record<string, unknown>;
  handler: Handler;
  secretsClient: SecretsManagerClient;
  logs: string[];
  responses: string[];
  /** Calls the handler and records its serialized answer for the secret scan. */
  invoke(event: unknown): Promise<any>;
  /** Stored records under this run's prefix, parsed. */
  storedRecords(): Promise<Record<string, any>[]>;
  /** Every secret value known to the run: IATs, and each client secret / registration access token stored. */
  secretValues(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Real peers for one test file: two oidc-providers (Salesforce-compatible and plain RFC 7591), the IAT
 * secrets and the SSM config in the shared moto_server, and the real handler imported afterwards.
 */
export async function startRegistrationEnvironment(
  shapeConfig: (config: Record<string, any>) => void = () => {},
): Promise<RegistrationEnvironment> {
  const run = randomUUID().slice(0, 8);
  const prefix = `dcr-test/${run}/clients/`;
  const [salesforce, rfc7591] = await Promise.all([
    startLocalIdentityProvider({ profile: 'salesforce' }),
    startLocalIdentityProvider({ profile: 'rfc7591' }),
  ]);
  const secretsClient = new SecretsManagerClient({});
  const ssm = new SSMClient({});
  const iatSecretIds = {
    salesforce: `dcr-test/${run}/iat/salesforce`,
    rfc7591: `dcr-test/${run}/iat/rfc7591`,
    wrong: `dcr-test/${run}/iat/wrong`,
  };
  const iats = { salesforce: await salesforce.issueInitialAccessToken(), rfc7591: await rfc7591.issueInitialAccessToken() };
  await seedInitialAccessToken(secretsClient, iatSecretIds.salesforce, iats.salesforce);
  await seedInitialAccessToken(secretsClient, iatSecretIds.rfc7591, iats.rfc7591, 'json');
  await seedInitialAccessToken(secretsClient, iatSecretIds.wrong, 'not-the-initial-access-token');

  const clientCredentialsClient = CLIENT_CREDENTIALS_CLIENT;
  const config: Record<string, any> = {
    secretNamePrefix: prefix,
    defaultTarget: 'default',
    targets: {
      default: localTarget(salesforce, iatSecretIds.salesforce),
      seed: {
        profile: 'salesforce',
        registrationEndpoint: salesforce.registrationEndpoint,
        initialAccessTokenSecretId: iatSecretIds.salesforce,
        clientMetadata: SEED_REQUEST,
      },
      rfc: localTarget(rfc7591, iatSecretIds.rfc7591),
      'wrong-iat': {
        profile: 'salesforce',
        registrationEndpoint: salesforce.registrationEndpoint,
        initialAccessTokenSecretId: iatSecretIds.wrong,
        clientMetadata: clientCredentialsClient,
      },
    },
  };
  shapeConfig(config);
  const configParameterName = `/dcr-test/${run}/config`;
  await putConfigParameter(ssm, configParameterName, config);
  process.env.CONFIG_PARAMETER_NAME = configParameterName;

  const capture = captureStdout();
  const { handler } = (await import('../../functions/register/handler.js')) as { handler: Handler };
  const responses: string[] = [];

  async function storedRecords() {
    const list = await secretsClient.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100 }));
    const records = [];
    for (const entry of list.SecretList ?? []) {
      const value = await secretsClient.send(new GetSecretValueCommand({ SecretId: entry.ARN }));
      records.push(JSON.parse(value.SecretString ?? '{}'));
    }
    return records;
  }

  return {
    run,
    prefix,
    salesforce,
    rfc7591,
    iatSecretIds,
    config,
    handler,
    secretsClient,
    logs: capture.lines,
    responses,
    async invoke(event) {
      const result = await handler(event, { awsRequestId: randomUUID() });
      responses.push(JSON.stringify(result ?? null));
      return result;
    },
    storedRecords,
    async secretValues() {
      const stored = await storedRecords();
      const fromRecords = stored.flatMap((r) => [r.client_secret, r.registration_access_token]).filter(Boolean);
      return [
        iats.salesforce,
        iats.rfc7591,
        'not-the-initial-access-token',
        ...fromRecords,
        ...salesforce.issuedSecrets,
        ...rfc7591.issuedSecrets,
      ];
    },
    async close() {
      capture.restore();
      await Promise.all([salesforce.close(), rfc7591.close()]);
      secretsClient.destroy();
      ssm.destroy();
    },
  };
}
