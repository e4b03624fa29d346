/**
 * The key-value storage under the weight cache. The default is one IndexedDB object store (idb-keyval);
 * tests substitute their own (an in-memory map in Node, or a wrapper that fails writes to simulate a full
 * disk), which is why the cache talks to this interface and not to idb-keyval directly.
 */
import { createStore, delMany, get, keys, setMany } from 'idb-keyval';

/** Array keys keep the parts (repo, revision, file, chunk index) apart without any escaping. */
export type CacheKey = (string | number)[];

export interface KeyValueStore {
  get(key: CacheKey): Promise<unknown>;
  /** Atomic: either every entry is written or none is. */
  setMany(entries: [CacheKey, unknown][]): Promise<void>;
  delMany(keys: CacheKey[]): Promise<void>;
  keys(): Promise<CacheKey[]>;
}

export function indexedDbStore(dbName = 'iris-weights'): KeyValueStore {
  const store = createStore(dbName, 'cache');
  return {
    get: (key) => get(key, store),
    setMany: (entries) => setMany(entries, store),
    delMany: (list) => delMany(list, store),
    keys: () => keys<CacheKey>(store),
  };
}

/**
 * IndexedDB's "no room": QuotaExceededError over the site's quota (Firefox: NS_ERROR_DOM_QUOTA_REACHED);
 * a full disk under the quota is Chromium's DataError (or UnknownError) "Failed to write blobs (IOError)".
 */
export function isQuotaError(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  return (name === 'DataError' || name === 'UnknownError') && /write blobs|IOError|disk|space/i.test(String(message ?? ''));
}
