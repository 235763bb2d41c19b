import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * oidc-provider storage on a plain Map, one per provider instance. The library's default memory
 * adapter is a process-wide LRU of ~1,000 entries that silently drops clients under load.
 */
export class MapAdapterStore {
  readonly entries = new Map<string, Entry>();

  adapterFor = (model: string): Adapter => new MapAdapter(model, this.entries);

  /** Every stored payload of one model (e.g. 'Client'), expired ones excluded. */
  payloads(model: string): AdapterPayload[] {
    const now = Date.now();
    return [...this.entries]
      .filter(([key, entry]) => key.startsWith(`${model}:`) && entry.expiresAt > now)
      .map(([, entry]) => entry.payload);
  }
}

class MapAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  #key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    this.entries.set(this.#key(id), { payload, expiresAt });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const entry = this.entries.get(this.#key(id));
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(this.#key(id));
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere((payload) => payload.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#findWhere((payload) => payload.userCode === userCode);
  }

  async consume(id: string): Promise<void> {
    const entry = this.entries.get(this.#key(id));
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.entries.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (entry.payload.grantId === grantId) this.entries.delete(key);
    }
  }

  #findWhere(predicate: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    const prefix = `${this.model}:`;
    for (const [key, entry] of this.entries) {
      if (key.startsWith(prefix) && entry.expiresAt > Date.now() && predicate(entry.payload)) return entry.payload;
    }
    return undefined;
  }
}
