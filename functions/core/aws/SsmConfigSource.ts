import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationError } from '../errors.js';
import type { ConfigSource } from '../ports/ConfigSource.js';
import { classifyAwsError } from './classifyAwsError.js';

/** Reads the configuration JSON from an SSM parameter (String or SecureString). */
export class SsmConfigSource implements ConfigSource {
  readonly description: string;

  constructor(
    private readonly client: SSMClient,
    private readonly parameterName: string,
  ) {
    this.description = `SSM parameter ${parameterName}`;
  }

  async read(): Promise<string> {
    try {
      const { Parameter } = await this.client.send(new GetParameterCommand({ Name: this.parameterName, WithDecryption: true }));
      if (!Parameter?.Value) throw new ConfigurationError(`${this.description} is empty`);
      return Parameter.Value;
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      if ((error as Error).name === 'ParameterNotFound') {
        throw new ConfigurationError(`${this.description} does not exist`);
      }
      throw classifyAwsError(error, `reading ${this.description}`);
    }
  }
}
