import { readFileSync } from 'node:fs';

/**
 * The targets config an operator writes: the service configuration document (see README,
 * "Configuration") without `kmsKeyId`, which the stack owns. A target's `initialAccessTokenSecretId`
 * is optional here: absent, the stack creates the IAT secret; present (a name or a full ARN), the
 * stack imports that existing secret. Either way the stack writes the id it resolved.
 */
export interface TargetsDocument {
  readonly secretNamePrefix?: string;
  readonly defaultTarget?: string;
  readonly targets: Readonly<Record<string, TargetEntry>>;
  readonly [key: string]: unknown;
}

export interface TargetEntry {
  readonly initialAccessTokenSecretId?: string;
  /** Given instead of `initialAccessTokenSecretId`: its secret (if any) is imported, never created. */
  readonly registrationCredential?: { readonly type?: unknown; readonly secretId?: unknown; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** Reads and shape-checks a targets document; the full check runs on the config the stack writes. */
export function readTargetsDocument(path: string): TargetsDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`targets config ${path} cannot be read as JSON: ${(error as Error).message}`);
  }
  return asTargetsDocument(raw, path);
}

export function asTargetsDocument(raw: unknown, source: string): TargetsDocument {
  const targets = (raw as { targets?: unknown } | null)?.targets;
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) {
    throw new Error(`targets config ${source} must be an object with a "targets" object`);
  }
  if ('kmsKeyId' in (raw as object)) {
    throw new Error(`targets config ${source} sets kmsKeyId: the stack creates the key for the client secrets`);
  }
  return raw as TargetsDocument;
}
