import type { Writable } from 'node:stream';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { awsClientDefaults } from '../functions/core/aws/awsClientDefaults.js';
import { SecretsManagerSecretCatalog } from '../functions/core/aws/SecretsManagerSecretCatalog.js';
import { SecretsManagerSecretStore } from '../functions/core/aws/SecretsManagerSecretStore.js';
import { SsmConfigSource } from '../functions/core/aws/SsmConfigSource.js';
import { cachedConfig } from '../functions/core/config/cachedConfig.js';
import { FileConfigSource } from '../functions/core/config/FileConfigSource.js';
import { InvalidRequestError } from '../functions/core/errors.js';
import { Logger } from '../functions/core/logger.js';
import type { ConfigSource } from '../functions/core/ports/ConfigSource.js';
import { loadSettings } from '../functions/core/settings.js';
import { settingsAdapters } from '../functions/core/settingsAdapters.js';
import type { CommandContext } from './command.js';
import type { GlobalValues } from './globalOptions.js';

const LOOPBACK = /^https?:\/\/(127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d+)?(?:\/|$)/i;

/** SDK client settings: the default chain for real AWS; for a loopback endpoint (the sandbox) no real credentials. */
export function awsClientConfig(globals: GlobalValues, env: Record<string, string | undefined>) {
  const endpoint = globals['endpoint-url'] ?? env.AWS_ENDPOINT_URL ?? undefined;
  const local = endpoint !== undefined && LOOPBACK.test(endpoint);
  const region = globals.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (local ? 'us-east-1' : undefined);
  const hasCredentials = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    // moto accepts anything; this keeps the SDK from searching for (and maybe using) real credentials.
    ...(local && !hasCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  };
}

function configSource(globals: GlobalValues, env: Record<string, string | undefined>, ssm: () => SSMClient): ConfigSource {
  const parameter = globals['config-parameter'] ?? env.CONFIG_PARAMETER_NAME;
  if (globals.config && globals['config-parameter']) {
    throw new InvalidRequestError('pass either --config FILE or --config-parameter NAME, not both');
  }
  if (globals.config) return new FileConfigSource(globals.config);
  if (parameter) return new SsmConfigSource(ssm(), parameter);
  throw new InvalidRequestError('no configuration: pass --config-parameter NAME (or set CONFIG_PARAMETER_NAME) or --config FILE');
}

/** The same adapters as the function, wired from options and env; each is created only when a command needs it. */
export function createCliContext(
  globals: GlobalValues,
  env: Record<string, string | undefined>,
  stderr: Writable,
): CommandContext & { close(): void } {
  // The function's own settings (IDP_TIMEOUT_MS, IDP_MAX_ATTEMPTS, AWS_REQUEST_TIMEOUT_MS, CLAIM_WAIT_MS, …),
  // validated the same way; the configuration's location comes from the options instead.
  const settings = loadSettings({ ...env, CONFIG_PARAMETER_NAME: env.CONFIG_PARAMETER_NAME || 'unused-by-the-cli' });
  const clientConfig = { ...awsClientConfig(globals, env), ...awsClientDefaults(settings) };
  const logger = new Logger({
    level: globals.verbose ? 'DEBUG' : 'WARN',
    sink: (line) => stderr.write(`${line}\n`),
    metrics: globals.verbose,
  });
  let secretsClient: SecretsManagerClient | undefined;
  let ssmClient: SSMClient | undefined;
  let eventsClient: EventBridgeClient | undefined;
  let sqsClient: SQSClient | undefined;
  let cloudWatchClient: CloudWatchClient | undefined;
  let secrets: SecretsManagerSecretStore | undefined;
  let config: ReturnType<typeof cachedConfig> | undefined;
  let adapters: ReturnType<typeof settingsAdapters> | undefined;

  const secretsManager = () => (secretsClient ??= new SecretsManagerClient(clientConfig));

  const context = {
    stderr,
    env,
    sqs: () => (sqsClient ??= new SQSClient(clientConfig)),
    cloudWatch: () => (cloudWatchClient ??= new CloudWatchClient(clientConfig)),
    secrets() {
      secrets ??= new SecretsManagerSecretStore(secretsManager());
      return secrets;
    },
    catalog() {
      return new SecretsManagerSecretCatalog(secretsManager());
    },
    async config() {
      config ??= cachedConfig(configSource(globals, env, () => (ssmClient ??= new SSMClient(clientConfig))));
      return config();
    },
    async dependencies() {
      const store = context.secrets();
      // With EVENT_BUS_NAME set, the CLI announces outcomes (ClientRegistered, …) as the function does.
      adapters ??= settingsAdapters(settings, store, () => (eventsClient ??= new EventBridgeClient(clientConfig)));
      return { ...adapters, config: await context.config(), secrets: store, secretVersions: store, logger };
    },
    close() {
      secretsClient?.destroy();
      ssmClient?.destroy();
      eventsClient?.destroy();
      sqsClient?.destroy();
      cloudWatchClient?.destroy();
    },
  };
  return context;
}
