import type { ServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { parseServiceConfig } from '../../functions/core/config/serviceConfig.js';
import { FileConfigSource } from '../../functions/core/config/FileConfigSource.js';
import { ConfigurationError, InvalidRequestError, NotFoundError } from '../../functions/core/errors.js';
import { asTargetsDocument } from '../../functions/core/config/targetsDocument.js';
import type { Command } from '../command.js';
import { keyValues, table } from '../output.js';

function describeConfig(config: ServiceConfig): string {
  const top = keyValues([
    ['secretNamePrefix', config.secretNamePrefix],
    ['defaultTarget', config.defaultTarget],
    ['kmsKeyId', config.kmsKeyId ?? '(aws/secretsmanager)'],
  ]);
  const targets = table(
    ['target', 'profile', 'registration endpoint', 'registration credential', 'token endpoint'],
    Object.entries(config.targets).map(([name, t]) => [
      name,
      t.profile,
      t.registrationEndpoint ?? `discovered from ${t.issuer}`,
      'secretId' in t.registrationCredential ? `${t.registrationCredential.type} ${t.registrationCredential.secretId}` : 'none (open)',
      t.tokenEndpoint,
    ]),
  );
  return `${top}\n\n${targets}`;
}

export const configValidate: Command = {
  path: ['config', 'validate'],
  summary: 'check a configuration file against the schema the function uses',
  args: ['FILE'],
  options: {
    deploy: {
      type: 'boolean',
      description: "FILE is the stack's targets document (dcr:targetsFile): IAT secret ids may be left out, the stack creates them",
    },
  },
  details: 'Offline: reads only FILE. An invalid document names the bad field and exits 2.',
  async run(_context, values, [file]) {
    const source = new FileConfigSource(file ?? '');
    let config: ServiceConfig;
    try {
      const text = await source.read();
      config = parseServiceConfig(values.deploy ? asDeployedConfig(text, source.description) : text, source.description);
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

/**
 * The document the stack would write from a targets document: every target without an IAT secret
 * id gets the one the stack creates (`dcr/iat/<target>`, its default prefix); `kmsKeyId` is refused.
 */
function asDeployedConfig(text: string, source: string): string {
  let document: ReturnType<typeof asTargetsDocument>;
  try {
    document = asTargetsDocument(JSON.parse(text), source);
  } catch (error) {
    throw new InvalidRequestError(error instanceof SyntaxError ? `${source} is not valid JSON` : (error as Error).message);
  }
  const targets = Object.fromEntries(
    Object.entries(document.targets).map(([name, target]) => [
      name,
      target.registrationCredential === undefined ? { initialAccessTokenSecretId: `dcr/iat/${name}`, ...target } : target,
    ]),
  );
  return JSON.stringify({ ...document, targets });
}

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
