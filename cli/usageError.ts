import { InvalidRequestError } from '../functions/core/errors.js';
import type { OptionValues } from './command.js';

/** The command line itself is wrong; exits as bad input, with a pointer to `--help`. */
export class UsageError extends InvalidRequestError {
  override readonly name: string = 'UsageError';
}

export function requiredString(values: OptionValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}
