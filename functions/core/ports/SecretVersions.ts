import type { StoredSecret } from './SecretStore.js';

/** Version stages of one secret (AWSCURRENT, AWSPENDING, AWSPREVIOUS): what the rotation contract needs. */
export interface SecretVersions {
  /** One version by id and/or stage; undefined when there is no such version. */
  getVersion(secretId: string, version: { versionId?: string; stage?: string }): Promise<StoredSecret | undefined>;
  /** Version id → its stages. */
  versionStages(secretId: string): Promise<Record<string, string[]>>;
  /** Writes a version with the given token and stages (e.g. AWSPENDING), leaving AWSCURRENT where it is. */
  putVersion(secretId: string, value: string, clientRequestToken: string, stages: string[]): Promise<void>;
  /** Moves AWSCURRENT to `versionId` (the old current becomes AWSPREVIOUS). */
  promote(secretId: string, versionId: string, fromVersionId: string | undefined): Promise<void>;
}
