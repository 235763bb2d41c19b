export interface StoredSecret {
  arn: string;
  name: string;
  value: string;
  versionId?: string;
}

export interface CreateSecretInput {
  name: string;
  value: string;
  description?: string;
  kmsKeyId?: string;
  tags?: Record<string, string>;
  /** Idempotency token: a retried create with the same token and value is a no-op. */
  clientRequestToken?: string;
  /** Resource policy (JSON) attached right after creation; a secret that cannot get it is not kept. */
  resourcePolicy?: string;
}

/** Secrets Manager, reduced to what the service needs. */
export interface SecretStore {
  /** The secret's current value, or undefined when it does not exist (or is scheduled for deletion). */
  get(secretId: string): Promise<StoredSecret | undefined>;
  /** Creates a secret; throws SecretAlreadyExistsError when the name is taken. */
  create(input: CreateSecretInput): Promise<{ arn: string; versionId?: string }>;
  /** Writes a new current version. With a token, a version with that token and another value fails. */
  put(secretId: string, value: string, clientRequestToken?: string): Promise<{ arn: string; versionId?: string }>;
  /** Deletes a secret, immediately (`force`) or after a recovery window. Absent secrets are fine. */
  delete(secretId: string, options: { force: true } | { recoveryWindowDays: number }): Promise<void>;
  /** Cancels a scheduled deletion; false when there was no such secret to restore. */
  restore(secretId: string): Promise<boolean>;
}

export class SecretAlreadyExistsError extends Error {
  constructor(readonly secretName: string) {
    super(`secret ${secretName} already exists`);
    this.name = 'SecretAlreadyExistsError';
  }
}

/** The name belongs to a secret scheduled for deletion: it cannot be created again until then. */
export class SecretScheduledForDeletionError extends Error {
  constructor(readonly secretName: string) {
    super(`secret ${secretName} is scheduled for deletion`);
    this.name = 'SecretScheduledForDeletionError';
  }
}
