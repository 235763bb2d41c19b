import { resolveTarget, type ResolvedTarget, type ServiceConfig } from '../config/serviceConfig.js';
import { InvalidRequestError } from '../errors.js';
import type { UseCaseDependencies } from './dependencies.js';

/** The named (or default) target with its endpoints; unknown names are the caller's error. */
export async function loadTarget(
  requested: string | undefined,
  deps: Pick<UseCaseDependencies, 'config' | 'discovery'>,
): Promise<ResolvedTarget> {
  const target = requireTarget(deps.config, requested);
  const { registrationEndpoint, issuer, tokenEndpoint } = target.config;
  if (registrationEndpoint && (tokenEndpoint || !issuer)) {
    return { name: target.name, config: { ...target.config, registrationEndpoint } };
  }
  if (registrationEndpoint && issuer) {
    // The tenant secret names the token endpoint (docs/secret-contract.md): read it from the issuer's metadata.
    const allowed = [...(target.config.allowedRegistrationOrigins ?? []), new URL(registrationEndpoint).origin];
    const discovered = await deps.discovery.discover(issuer, allowed);
    return { name: target.name, config: { ...target.config, registrationEndpoint, tokenEndpoint: discovered.tokenEndpoint } };
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
