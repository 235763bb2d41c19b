import type { OptionSpec } from './command.js';

/** `--target`, as every command that works on a target takes it. */
export const TARGET_OPTION = {
  target: { type: 'string', value: 'X', description: "configured target (default: the configuration's defaultTarget)" },
} satisfies Record<string, OptionSpec>;

/** `--tenant T [--target X]`: which tenant's client a command works on. */
export const TENANT_OPTIONS = {
  tenant: { type: 'string', value: 'T', description: 'tenant id (required)' },
  ...TARGET_OPTION,
} satisfies Record<string, OptionSpec>;
