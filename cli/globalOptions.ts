import type { OptionSpec } from './command.js';

/** Options every command accepts, before or after the command words. */
export const GLOBAL_OPTIONS = {
  'endpoint-url': {
    type: 'string',
    value: 'URL',
    description: 'AWS endpoint, e.g. the sandbox moto_server (env AWS_ENDPOINT_URL)',
  },
  region: { type: 'string', value: 'REGION', description: 'AWS region (env AWS_REGION; us-east-1 for a loopback endpoint)' },
  'config-parameter': {
    type: 'string',
    value: 'NAME',
    description: 'SSM parameter holding the JSON configuration (env CONFIG_PARAMETER_NAME)',
  },
  config: { type: 'string', value: 'FILE', description: 'read the configuration from a local JSON file instead of SSM' },
  json: { type: 'boolean', description: 'print JSON for scripts instead of tables' },
  verbose: { type: 'boolean', short: 'v', description: "print the core's log lines (JSON) on stderr" },
  help: { type: 'boolean', short: 'h', description: 'show help' },
} satisfies Record<string, OptionSpec>;

export interface GlobalValues {
  'endpoint-url'?: string;
  region?: string;
  'config-parameter'?: string;
  config?: string;
  json?: boolean;
  verbose?: boolean;
  help?: boolean;
}
