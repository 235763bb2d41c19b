import { SecretAlreadyExistsError } from '../../functions/core/ports/SecretStore.js';
import type { SecretVersions } from '../../functions/core/ports/SecretVersions.js';
import type { StoredSecret } from '../../functions/core/ports/SecretStore.js';

/**
 * Version stages in memory, enough for the tenant lease (useCases/tenantLease.ts): a token is a
 * compare-and-set (the same token with another value is refused), a stage sits on one version at a time.
 */
export class MemorySecretVersions implements SecretVersions {
  readonly #secrets = new Map<string, Map<string, { value: string; stages: Set<string> }>>();
  /** Operations put, in order (`putVersion <stage>`): to see that a use case took the lease. */
  readonly calls: string[] = [];

  async getVersion(secretId: string, version: { versionId?: string; stage?: string }): Promise<StoredSecret | undefined> {
    const versions = this.#secrets.get(secretId);
    for (const [versionId, entry] of versions ?? []) {
      if (version.versionId !== undefined && version.versionId !== versionId) continue;
      if (version.stage !== undefined && !entry.stages.has(version.stage)) continue;
      return { arn: secretId, name: secretId, value: entry.value, versionId };
    }
    return undefined;
  }

  async versionStages(secretId: string): Promise<Record<string, string[]>> {
    return Object.fromEntries([...(this.#secrets.get(secretId) ?? [])].map(([id, entry]) => [id, [...entry.stages]]));
  }

  async putVersion(secretId: string, value: string, clientRequestToken: string, stages: string[]): Promise<void> {
    this.calls.push(`putVersion ${stages.join(',')}`);
    const versions = this.#secrets.get(secretId) ?? new Map();
    this.#secrets.set(secretId, versions);
    const existing = versions.get(clientRequestToken);
    if (existing) {
      if (existing.value === value) return;
      throw new SecretAlreadyExistsError(secretId);
    }
    for (const entry of versions.values()) for (const stage of stages) entry.stages.delete(stage);
    versions.set(clientRequestToken, { value, stages: new Set(stages) });
  }

  async promote(): Promise<void> {
    throw new Error('not used by these tests');
  }
}
