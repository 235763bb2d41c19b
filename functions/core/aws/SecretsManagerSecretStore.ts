import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  DescribeSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  type CreateSecretInput,
  SecretAlreadyExistsError,
  SecretScheduledForDeletionError,
  type SecretStore,
  type StoredSecret,
} from '../ports/SecretStore.js';
import type { SecretVersions } from '../ports/SecretVersions.js';
import { classifyAwsError } from './classifyAwsError.js';
import { rememberSecretsIn } from '../redaction.js';

const ABSENT = new Set(['ResourceNotFoundException']);

function isScheduledForDeletion(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidRequestException' && /deleted|deletion/i.test(error.message);
}

export class SecretsManagerSecretStore implements SecretStore, SecretVersions {
  constructor(private readonly client: SecretsManagerClient) {}

  async get(secretId: string): Promise<StoredSecret | undefined> {
    return this.#read(secretId, {}, 'reading a secret');
  }

  async create(input: CreateSecretInput): Promise<{ arn: string; versionId?: string }> {
    try {
      const out = await this.client.send(
        new CreateSecretCommand({
          Name: input.name,
          SecretString: input.value,
          Description: input.description,
          KmsKeyId: input.kmsKeyId,
          ClientRequestToken: input.clientRequestToken,
          Tags: input.tags && Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      if (input.resourcePolicy) await this.#attachPolicy(input.name, input.resourcePolicy);
      return { arn: out.ARN ?? '', versionId: out.VersionId };
    } catch (error) {
      if (error instanceof PolicyNotAttachedError) throw error.cause;
      if ((error as Error).name === 'ResourceExistsException') throw new SecretAlreadyExistsError(input.name);
      if (isScheduledForDeletion(error)) throw new SecretScheduledForDeletionError(input.name);
      throw classifyAwsError(error, 'creating a secret');
    }
  }

  /** CreateSecret takes no policy: attach it at once, or remove the secret so that no unprotected one stays. */
  async #attachPolicy(secretId: string, policy: string): Promise<void> {
    try {
      await this.client.send(new PutResourcePolicyCommand({ SecretId: secretId, ResourcePolicy: policy, BlockPublicPolicy: true }));
    } catch (error) {
      await this.client.send(new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true })).catch(() => undefined);
      throw new PolicyNotAttachedError(classifyAwsError(error, 'attaching the resource policy to a secret'));
    }
  }

  async put(secretId: string, value: string, clientRequestToken?: string): Promise<{ arn: string; versionId?: string }> {
    try {
      const out = await this.client.send(
        new PutSecretValueCommand({ SecretId: secretId, SecretString: value, ClientRequestToken: clientRequestToken }),
      );
      return { arn: out.ARN ?? '', versionId: out.VersionId };
    } catch (error) {
      if ((error as Error).name === 'ResourceExistsException') throw new SecretAlreadyExistsError(secretId);
      throw classifyAwsError(error, 'writing a secret');
    }
  }

  async delete(secretId: string, options: { force: true } | { recoveryWindowDays: number }): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({
          SecretId: secretId,
          ...('force' in options ? { ForceDeleteWithoutRecovery: true } : { RecoveryWindowInDays: options.recoveryWindowDays }),
        }),
      );
    } catch (error) {
      if (ABSENT.has((error as Error).name) || isScheduledForDeletion(error)) return;
      throw classifyAwsError(error, 'deleting a secret');
    }
  }

  async restore(secretId: string): Promise<boolean> {
    try {
      await this.client.send(new RestoreSecretCommand({ SecretId: secretId }));
      return true;
    } catch (error) {
      if (ABSENT.has((error as Error).name)) return false;
      throw classifyAwsError(error, 'restoring a secret');
    }
  }

  async getVersion(secretId: string, version: { versionId?: string; stage?: string }): Promise<StoredSecret | undefined> {
    return this.#read(secretId, version, 'reading a secret version');
  }

  async versionStages(secretId: string): Promise<Record<string, string[]>> {
    try {
      const out = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return out.VersionIdsToStages ?? {};
    } catch (error) {
      throw classifyAwsError(error, 'describing a secret');
    }
  }

  async putVersion(secretId: string, value: string, clientRequestToken: string, stages: string[]): Promise<void> {
    try {
      await this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          SecretString: value,
          ClientRequestToken: clientRequestToken,
          VersionStages: stages,
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ResourceExistsException') throw new SecretAlreadyExistsError(secretId);
      throw classifyAwsError(error, 'writing a secret version');
    }
  }

  async promote(secretId: string, versionId: string, fromVersionId: string | undefined): Promise<void> {
    try {
      await this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: versionId,
          RemoveFromVersionId: fromVersionId,
        }),
      );
    } catch (error) {
      throw classifyAwsError(error, 'promoting a secret version');
    }
  }

  /** Absent, or scheduled for deletion (unreadable until restored): undefined. */
  async #read(secretId: string, version: { versionId?: string; stage?: string }, action: string): Promise<StoredSecret | undefined> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionId: version.versionId, VersionStage: version.stage }),
      );
      if (out.SecretString === undefined || !out.ARN || !out.Name) return undefined;
      // Every secret read is remembered, so no later output of this container can repeat it.
      rememberSecretsIn(out.SecretString);
      return { arn: out.ARN, name: out.Name, value: out.SecretString, versionId: out.VersionId };
    } catch (error) {
      if (ABSENT.has((error as Error).name) || isScheduledForDeletion(error)) return undefined;
      throw classifyAwsError(error, action);
    }
  }
}

/** Carries the classified failure of PutResourcePolicy past create's own classification. */
class PolicyNotAttachedError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}
