import type { Writable } from 'node:stream';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ServiceConfig } from '../functions/core/config/serviceConfig.js';
import type { SecretCatalog } from '../functions/core/ports/SecretCatalog.js';
import type { SecretStore } from '../functions/core/ports/SecretStore.js';
import type { UseCaseDependencies } from '../functions/core/useCases/dependencies.js';

/** A `node:util` parseArgs option plus what `--help` says about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in help after the flag, e.g. `T` in `--tenant T`. */
  value?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What a command prints: `json` with `--json`, `human` otherwise. */
export interface CommandOutput {
  json: unknown;
  human: string;
  /** Default ok; `attention` when the command ran but found what an operator must act on. */
  exitCode?: number;
}

/** The ports, built lazily: `config validate` needs none, `list` needs no identity provider. */
export interface CommandContext {
  config(): Promise<ServiceConfig>;
  secrets(): SecretStore;
  catalog(): SecretCatalog;
  dependencies(): Promise<UseCaseDependencies>;
  /** The onboarding lane's queue client (`import`, `lane`). */
  sqs?(): SQSClient;
  /** CloudWatch, for the lane's oldest-message age (`dcr lane`). */
  cloudWatch?(): CloudWatchClient;
  /** The environment, for settings a command reads (LANE_QUEUE_URL). */
  env?: Record<string, string | undefined>;
  stderr: Writable;
}

export interface Command {
  /** Words that select the command: `['register']`, `['config', 'validate']`. */
  path: readonly string[];
  summary: string;
  /** Positional arguments, e.g. `['FILE']`; all required. */
  args?: readonly string[];
  options: Record<string, OptionSpec>;
  /** Extra lines for `--help`. */
  details?: string;
  run(context: CommandContext, values: OptionValues, args: string[]): Promise<CommandOutput>;
}
