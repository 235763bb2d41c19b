import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsClientDefaults } from '../functions/core/aws/awsClientDefaults.js';

/**
 * The physical limit: only the three unavoidable calls (read the IAT, POST the registration, create
 * the secret), or four with the management secret, with the same SDK clients, built the same way as the function's. No validation, no
 * claim, no logging, no cache. Configured from env `BENCH_RAW_TARGET` (JSON).
 */
// The function's client options (request and connection timeouts, at their defaults): the same clients.
const clientConfig = awsClientDefaults({ awsRequestTimeoutMs: 5_000 });
export const secretsManager = new SecretsManagerClient(clientConfig);
// Created but unused: the function creates both clients at init, so the cold baseline does too.
export const ssm = new SSMClient(clientConfig);

export interface RawTarget {
  registrationEndpoint: string;
  initialAccessTokenSecretId: string;
  secretNamePrefix: string;
  clientMetadata: Record<string, unknown>;
}

let target: RawTarget | undefined;

function rawTarget(): RawTarget {
  target ??= JSON.parse(process.env.BENCH_RAW_TARGET ?? 'null') as RawTarget;
  if (!target) throw new Error('BENCH_RAW_TARGET is not set');
  return target;
}

let events: EventBridgeClient | undefined;

/**
 * Registers one tenant the raw way and returns the issued client_id. With `managementSecret`, a fourth raw
 * call creates a second secret with the RFC 7592 credentials, as the function stores them apart from the
 * tenant's (docs/secret-contract.md). With `outcomeEvent`, one more raw call puts one event on env
 * `EVENT_BUS_NAME`, as the deployed function does after storing the secret.
 */
export async function registerRaw(tenantId: string, options: { outcomeEvent?: boolean; managementSecret?: boolean } = {}): Promise<string> {
  const t = rawTarget();
  const iat = await secretsManager.send(new GetSecretValueCommand({ SecretId: t.initialAccessTokenSecretId }));
  const response = await fetch(t.registrationEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${iat.SecretString}` },
    body: JSON.stringify({ ...t.clientMetadata, client_name: tenantId }),
  });
  const text = await response.text();
  if (response.status !== 201 && response.status !== 200) throw new Error(`registration answered ${response.status}`);
  const body = JSON.parse(text) as { client_id: string; registration_access_token?: string; registration_client_uri?: string };
  await secretsManager.send(new CreateSecretCommand({ Name: `${t.secretNamePrefix}${tenantId}`, SecretString: text }));
  if (options.managementSecret) {
    const { client_id, registration_access_token, registration_client_uri } = body;
    await secretsManager.send(
      new CreateSecretCommand({
        Name: `${t.secretNamePrefix}management/${tenantId}`,
        SecretString: JSON.stringify({ client_id, registration_access_token, registration_client_uri }),
      }),
    );
  }
  if (options.outcomeEvent && process.env.EVENT_BUS_NAME) {
    events ??= new EventBridgeClient(clientConfig);
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: process.env.EVENT_BUS_NAME,
            Source: 'bench',
            DetailType: 'ClientRegistered',
            Detail: JSON.stringify({ tenantId, clientId: body.client_id }),
          },
        ],
      }),
    );
  }
  return body.client_id;
}
