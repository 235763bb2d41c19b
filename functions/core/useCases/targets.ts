import { resolveTarget, type ResolvedTarget, type ServiceConfig } from '../config/serviceConfig.js';
import { InvalidRequestError } from '../errors.js';
import type { UseCaseDependencies } from './dependencies.js';

/** The named (or default) target with its endpoints; unknown names are the caller's error. */
export async function loadTarget(
  requested: string | undefined,
  deps: Pick<UseCaseDependencies, 'config' | 'discovery'>,
): Promise<ResolvedTarget> {
  const target = requireTarget(deps.config, requested);
  if (target.config.registrationEndpoint) {
    return { name: target.name, config: { ...target.config, registrationEndpoint: target.config.registrationEndpoint } };
  }
  const discovered = await deps.discovery.discover(target.config.issuer ?? '', target.config.allowedRegistrationOrigins);
  return {
    name: target.name,
    config: {
      ...target.config,
      registrationEndpoint: discovered.registrationEndpoint,
      tokenEndpoint: target.config.tokenEndpoint ?? discovered.tokenEndpoint,
    },
  };
}

export function requireTarget(config: ServiceConfig, requested: string | undefined) {
  const target = resolveTarget(config, requested);
  if (!target) throw new InvalidRequestError(`unknown target "${requested}"`);
  return target;
}
