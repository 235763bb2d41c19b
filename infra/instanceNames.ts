import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { managementPrefixOf, prefixesOverlap } from '../functions/core/config/serviceConfig.js';

/** Every physical name one DcrOnboarding instance fixes (the rest CloudFormation generates). */
export interface InstanceNames {
  /** The stack name for the app's 'Default' instance, else `<stack>-<path>`. */
  readonly instance: string;
  readonly configParameterName: string;
  /** KMS aliases without the `alias/` CDK adds. */
  readonly clientSecretsKeyAlias: string;
  readonly serviceKeyAlias: string;
  /** Every log group of the instance is named under this. */
  readonly logGroupNamePrefix: string;
  /** The bus the instance creates (ignored when it is given one). */
  readonly eventBusName: string;
  readonly secretNamePrefix: string;
  readonly managementSecretNamePrefix: string;
  readonly initialAccessTokenSecretPrefix: string;
}

export interface NameChoices {
  readonly secretNamePrefix?: string;
  readonly managementSecretNamePrefix?: string;
  readonly initialAccessTokenSecretPrefix?: string;
}

/**
 * The names of one instance. The app's instance (id 'Default') keeps the names the stack always had;
 * any other instance derives them from its path in the stack, so two instances never share one.
 */
export function instanceNames(scope: Construct, choices: NameChoices): InstanceNames {
  const stack = Stack.of(scope);
  const isDefault = scope.node.id === 'Default';
  const relativePath = scope.node.path.slice(stack.node.path.length).replace(/^\/+/, '');
  const suffix = relativePath.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const instance = isDefault ? stack.stackName : `${stack.stackName}-${suffix}`;
  const secretNamePrefix = choices.secretNamePrefix ?? (isDefault ? 'dcr/clients/' : `dcr/${instance}/clients/`);
  return {
    instance,
    configParameterName: `/${instance}/config`,
    clientSecretsKeyAlias: `${instance}/client-secrets`,
    serviceKeyAlias: `${instance}/service`,
    logGroupNamePrefix: `/dcr-onboarding/${instance}/`,
    eventBusName: isDefault ? 'dcr-onboarding' : `dcr-onboarding-${instance}`,
    secretNamePrefix,
    managementSecretNamePrefix: managementPrefixOf({ secretNamePrefix, managementSecretNamePrefix: choices.managementSecretNamePrefix }),
    initialAccessTokenSecretPrefix: choices.initialAccessTokenSecretPrefix ?? (isDefault ? 'dcr/iat/' : `dcr/${instance}/iat/`),
  };
}

interface Claimed {
  readonly path: string;
  readonly names: InstanceNames;
  readonly createsEventBus: boolean;
}

const claimedByStack = new WeakMap<Stack, Claimed[]>();

const EXACT: readonly (keyof InstanceNames)[] = ['configParameterName', 'clientSecretsKeyAlias', 'serviceKeyAlias'];
const PREFIXES: readonly (keyof InstanceNames)[] = [
  'secretNamePrefix',
  'managementSecretNamePrefix',
  'initialAccessTokenSecretPrefix',
  'logGroupNamePrefix',
];
const SECRET_PREFIXES = new Set<keyof InstanceNames>(['secretNamePrefix', 'managementSecretNamePrefix', 'initialAccessTokenSecretPrefix']);

/**
 * Records an instance's names in its stack and refuses one another instance already holds: the same
 * parameter, alias or bus, a log group prefix, or a secret prefix one grant (`prefix*`) would share.
 */
export function claimInstanceNames(scope: Construct, names: InstanceNames, createsEventBus: boolean): void {
  const stack = Stack.of(scope);
  const claimed = claimedByStack.get(stack) ?? [];
  for (const other of claimed) {
    const clash = firstClash(names, other.names, createsEventBus && other.createsEventBus);
    if (clash) {
      throw new Error(
        `DcrOnboarding ${scope.node.path}: its ${clash.mine} ${names[clash.mine]} collides with ${clash.theirs} ` +
          `${other.names[clash.theirs]} of ${other.path}; give each instance its own prefixes (props secretNamePrefix, ` +
          "initialAccessTokenSecretPrefix, or the document's managementSecretNamePrefix)",
      );
    }
  }
  claimedByStack.set(stack, [...claimed, { path: scope.node.path, names, createsEventBus }]);
}

function firstClash(
  mine: InstanceNames,
  theirs: InstanceNames,
  bothCreateBuses: boolean,
): { mine: keyof InstanceNames; theirs: keyof InstanceNames } | undefined {
  for (const key of EXACT) if (mine[key] === theirs[key]) return { mine: key, theirs: key };
  if (bothCreateBuses && mine.eventBusName === theirs.eventBusName) return { mine: 'eventBusName', theirs: 'eventBusName' };
  for (const a of PREFIXES) {
    for (const b of PREFIXES) {
      // A secret prefix and a log group prefix live in different namespaces.
      if (SECRET_PREFIXES.has(a) !== SECRET_PREFIXES.has(b)) continue;
      if (prefixesOverlap(mine[a], theirs[b])) return { mine: a, theirs: b };
    }
  }
  return undefined;
}
