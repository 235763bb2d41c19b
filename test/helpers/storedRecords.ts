import { GetSecretValueCommand, ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Every secret under `prefix`, parsed as JSON, page by page (a load test stores more than 100). */
export async function storedRecords(secrets: SecretsManagerClient, prefix: string): Promise<Record<string, any>[]> {
  const records = [];
  let NextToken: string | undefined;
  do {
    const page = await secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 100, NextToken }));
    for (const entry of page.SecretList ?? []) {
      const value = await secrets.send(new GetSecretValueCommand({ SecretId: entry.ARN }));
      records.push(JSON.parse(value.SecretString ?? '{}'));
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return records;
}
