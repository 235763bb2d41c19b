import type { ServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { FileConfigSource } from '../../functions/core/config/FileConfigSource.js';
import { ConfigurationError, InvalidRequestError, NotFoundError } from '../../functions/core/errors.js';
import type { Command } from '../command.js';
import { keyValues, table } from '../output.js';

function describeConfig(config: ServiceConfig): string {
  const top = keyValues([
    ['secretNamePrefix', config.secretNamePrefix],
    ['defaultTarget', config.defaultTarget],
    ['kmsKeyId', config.kmsKeyId ?? '(aws/secretsmanager)'],
  ]);
  const targets = table(
    ['target', 'profile', 'registration endpoint', 'iat secret', 'token endpoint'],
    Object.entries(config.targets).map(([name, t]) => [
      name,
      t.profile,
      t.registrationEndpoint ?? `discovered from ${t.issuer}`,
      t.initialAccessTokenSecretId,
      t.tokenEndpoint,
    ]),
  );
  return `${top}\n\n${targets}`;
}

export const configValidate: Command = {
  path: ['config', 'validate'],
  summary: 'check a configuration file against the schema the function uses',
  args: ['FILE'],
  options: {},
  details: 'Offline: reads only FILE. An invalid document names the bad field and exits 2.',
  async run(_context, _values, [file]) {
    const source = new FileConfigSource(file ?? '');
    let config: ServiceConfig;
    try {
      config = parseServiceConfig(await source.read(), source.description);
    } catch (error) {
      // Here the document is the user's input, not the service's configuration: bad input, not a server fault.
      if (error instanceof ConfigurationError) {
        throw /does not exist$/.test(error.message) ? new NotFoundError(error.message) : new InvalidRequestError(error.message);
      }
      throw error;
    }
    const count = Object.keys(config.targets).length;
    return {
      json: { valid: true, file, config },
      human: `${file} is valid: ${count} target${count === 1 ? '' : 's'}\n\n${describeConfig(config)}`,
    };
  },
};

export const configShow: Command = {
  path: ['config', 'show'],
  summary: 'print the configuration the function would load (with defaults applied)',
  options: {},
  details: 'Reads --config FILE, or the SSM parameter named by --config-parameter / CONFIG_PARAMETER_NAME.',
  async run(context) {
    const config = await context.config();
    return { json: config, human: describeConfig(config) };
  },
};
