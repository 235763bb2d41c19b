import { ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretCatalog, SecretSummary } from '../ports/SecretCatalog.js';
import { classifyAwsError } from './classifyAwsError.js';

export class SecretsManagerSecretCatalog implements SecretCatalog {
  constructor(private readonly client: SecretsManagerClient) {}

  async list(prefix: string): Promise<SecretSummary[]> {
    const found: SecretSummary[] = [];
    let NextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], NextToken, MaxResults: 100 }),
        );
        for (const entry of page.SecretList ?? []) {
          if (!entry.ARN || !entry.Name?.startsWith(prefix)) continue;
          const tags = Object.fromEntries((entry.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
          found.push({ arn: entry.ARN, name: entry.Name, tags });
        }
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      throw classifyAwsError(error, 'listing secrets');
    }
    return found;
  }
}
