import { type ResolvedTarget, resolveTarget, type ServiceConfig } from '../config/serviceConfig.js';
import { InvalidRequestError } from '../errors.js';

export function requireTarget(config: ServiceConfig, requested: string | undefined): ResolvedTarget {
  const target = resolveTarget(config, requested);
  if (!target) throw new InvalidRequestError(`unknown target "${requested}"`);
  return target;
}
