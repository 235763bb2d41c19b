import { randomUUID } from 'node:crypto';
import {
  type CreateSecretInput,
  SecretAlreadyExistsError,
  SecretScheduledForDeletionError,
  type SecretStore,
  type StoredSecret,
} from '../../functions/core/ports/SecretStore.js';

interface Entry {
  arn: string;
  value: string;
  /** ClientRequestToken → value: a repeated token with the same value is a no-op, with another a collision. */
  versions: Map<string, string>;
  scheduled: boolean;
}

type Operation = 'get' | 'create' | 'put' | 'delete';

/**
 * Secrets Manager in memory, with the semantics the service relies on: CreateSecret refuses a taken
 * name, a ClientRequestToken is a compare-and-set, a scheduled deletion hides the value until
 * restored. `failWith` injects a failure for one operation on names matching a test.
 */
export class MemorySecretStore implements SecretStore {
  readonly entries = new Map<string, Entry>();
  readonly calls: string[] = [];
  #failures: { operation: Operation; matches: (name: string) => boolean; error: Error }[] = [];

  /** Every later `operation` on a name for which `matches` holds throws `error`. */
  failWith(operation: Operation, matches: (name: string) => boolean, error: Error): void {
    this.#failures.push({ operation, matches, error });
  }

  /** Names of live (not scheduled for deletion) secrets. */
  names(): string[] {
    return [...this.entries].filter(([, entry]) => !entry.scheduled).map(([name]) => name);
  }

  async get(secretId: string): Promise<StoredSecret | undefined> {
    this.#enter('get', secretId);
    const entry = this.entries.get(secretId);
    if (!entry || entry.scheduled) return undefined;
    return { arn: entry.arn, name: secretId, value: entry.value };
  }

  async create(input: CreateSecretInput): Promise<{ arn: string }> {
    this.#enter('create', input.name);
    const existing = this.entries.get(input.name);
    if (existing?.scheduled) throw new SecretScheduledForDeletionError(input.name);
    if (existing) {
      if (input.clientRequestToken && existing.versions.get(input.clientRequestToken) === input.value) return { arn: existing.arn };
      throw new SecretAlreadyExistsError(input.name);
    }
    const arn = `arn:aws:secretsmanager:eu-west-1:000000000000:secret:${input.name}-${randomUUID().slice(0, 6)}`;
    this.entries.set(input.name, {
      arn,
      value: input.value,
      versions: new Map([[input.clientRequestToken ?? randomUUID(), input.value]]),
      scheduled: false,
    });
    return { arn };
  }

  async put(secretId: string, value: string, clientRequestToken?: string): Promise<{ arn: string }> {
    this.#enter('put', secretId);
    const entry = this.entries.get(secretId);
    if (!entry) throw Object.assign(new Error(`secret ${secretId} not found`), { name: 'ResourceNotFoundException' });
    if (clientRequestToken && entry.versions.has(clientRequestToken)) {
      if (entry.versions.get(clientRequestToken) === value) return { arn: entry.arn };
      throw new SecretAlreadyExistsError(secretId);
    }
    entry.versions.set(clientRequestToken ?? randomUUID(), value);
    entry.value = value;
    return { arn: entry.arn };
  }

  async delete(secretId: string, options: { force: true } | { recoveryWindowDays: number }): Promise<void> {
    this.#enter('delete', secretId);
    const entry = this.entries.get(secretId);
    if (!entry) return;
    if ('force' in options) this.entries.delete(secretId);
    else entry.scheduled = true;
  }

  async restore(secretId: string): Promise<boolean> {
    const entry = this.entries.get(secretId);
    if (!entry) return false;
    entry.scheduled = false;
    return true;
  }

  #enter(operation: Operation, name: string): void {
    this.calls.push(`${operation} ${name}`);
    const failure = this.#failures.find((f) => f.operation === operation && f.matches(name));
    if (failure) throw failure.error;
  }
}
