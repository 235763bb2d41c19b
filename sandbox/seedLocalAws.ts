import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { LocalIdentityProvider } from './localIdentityProvider.js';

/** Client metadata for a machine-to-machine client: what the sandbox and the tests register by default. */
export const CLIENT_CREDENTIALS_CLIENT = {
  client_name: 'Acme integration',
  redirect_uris: ['https://app.example.com/cb'],
  grant_types: ['client_credentials'],
};

/** A `targets.<name>` entry pointing at a local identity provider. */
export function localTarget(
  idp: LocalIdentityProvider,
  initialAccessTokenSecretId: string,
  clientMetadata: Record<string, unknown> = CLIENT_CREDENTIALS_CLIENT,
): Record<string, unknown> {
  return {
    profile: idp.profile,
    // The tenant secret names its issuer (docs/secret-contract.md); configured endpoints mean no discovery.
    issuer: idp.issuer,
    registrationEndpoint: idp.registrationEndpoint,
    initialAccessTokenSecretId,
    tokenEndpoint: idp.tokenEndpoint,
    clientMetadata,
  };
}

/** Stores an initial access token as an admin would: the raw token, or `{"initialAccessToken": "..."}`. */
export async function seedInitialAccessToken(
  client: SecretsManagerClient,
  secretId: string,
  token: string,
  format: 'raw' | 'json' = 'raw',
): Promise<void> {
  const value = format === 'json' ? JSON.stringify({ initialAccessToken: token }) : token;
  await client.send(new CreateSecretCommand({ Name: secretId, SecretString: value }));
}

/** Writes the service configuration to the SSM parameter the function reads (as a SecureString, like production). */
export async function putConfigParameter(client: SSMClient, name: string, config: unknown): Promise<void> {
  await client.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: JSON.stringify(config), Overwrite: true }));
}
