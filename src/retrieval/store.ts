/**
 * Where retrieval indexes live: one IndexedDB object store (database "iris-retrieval"), through idb-keyval's
 * store handle, or an in-memory map (Node tests). Every change is one `commit`: puts and deletes in a
 * single transaction, guarded by the index's version so that two tabs writing the same index cannot
 * interleave (the loser gets a StoreConflict, reloads and tries again).
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';

/** Array keys keep the parts (kind, index name, chunk id) apart without escaping. */
export type StoreKey = (string | number)[];

export interface CommitGuard {
  /** The record whose `version` field must still be `version` (an absent record counts as version 0). */
  key: StoreKey;
  version: number;
}

export interface VectorStore {
  get(key: StoreKey): Promise<unknown>;
  getMany(keys: StoreKey[]): Promise<unknown[]>;
  /** Values of every key whose first part is `kind`. */
  list(kind: string): Promise<unknown[]>;
  /** Atomic: all puts and deletes happen, or none (and a failed guard rejects with StoreConflict). */
  commit(puts: [StoreKey, unknown][], deletes: StoreKey[], guard?: CommitGuard): Promise<void>;
}

export class StoreConflict extends Error {
  override readonly name = 'StoreConflict';
  constructor() {
    super('The index was changed by another tab or worker since it was read.');
  }
}

const versionOf = (record: unknown): number => {
  const version = (record as { version?: unknown } | undefined)?.version;
  return typeof version === 'number' ? version : 0;
};

export function indexedDbVectorStore(dbName = 'iris-retrieval'): VectorStore {
  const store: UseStore = createStore(dbName, 'indexes');
  return {
    get: (key) => store('readonly', (s) => promisifyRequest(s.get(key))),
    getMany: (keys) => store('readonly', (s) => Promise.all(keys.map((key) => promisifyRequest(s.get(key))))),
    // Array keys sort after strings and numbers, so [kind, []] is above every [kind, name, ...].
    list: (kind) => store('readonly', (s) => promisifyRequest(s.getAll(IDBKeyRange.bound([kind], [kind, []])))),
    commit: (puts, deletes, guard) =>
      store('readwrite', (s) => new Promise<void>((resolve, reject) => {
        const tx = s.transaction;
        let conflict = false;
        const write = () => {
          for (const [key, value] of puts) s.put(value, key);
          for (const key of deletes) s.delete(key);
        };
        if (guard) {
          const read = s.get(guard.key);
          read.onsuccess = () => {
            if (versionOf(read.result) === guard.version) write();
            else {
              conflict = true;
              tx.abort();
            }
          };
        } else {
          write();
        }
        tx.oncomplete = () => resolve();
        tx.onabort = tx.onerror = () => reject(conflict ? new StoreConflict() : (tx.error ?? new Error('IndexedDB transaction aborted')));
      })),
  };
}

/** Values are structured-cloned in and out, as IndexedDB does. For Node tests. */
export function memoryVectorStore(): VectorStore & { entries: Map<string, [StoreKey, unknown]> } {
  const entries = new Map<string, [StoreKey, unknown]>();
  const id = (key: StoreKey) => JSON.stringify(key);
  return {
    entries,
    get: async (key) => structuredClone(entries.get(id(key))?.[1]),
    getMany: async (keys) => keys.map((key) => structuredClone(entries.get(id(key))?.[1])),
    list: async (kind) => [...entries.values()].filter(([key]) => key[0] === kind).map(([, value]) => structuredClone(value)),
    commit: async (puts, deletes, guard) => {
      if (guard && versionOf(entries.get(id(guard.key))?.[1]) !== guard.version) throw new StoreConflict();
      const cloned = puts.map(([key, value]) => [key, structuredClone(value)] as const);
      for (const [key, value] of cloned) entries.set(id(key), [key, value]);
      for (const key of deletes) entries.delete(id(key));
    },
  };
}
