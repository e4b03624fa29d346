// KeyValueStores for tests: an in-memory one (Node has no IndexedDB), and a wrapper that simulates a full disk;
// and an in-memory stand-in for the Web Locks API (Node 20 has no navigator.locks).
import type { CacheKey, KeyValueStore } from '../../src/weights/cache-store';
import type { LockManagerLike } from '../../src/weights/hub';

/** Values are structured-cloned in and out, as IndexedDB does. */
export function memoryStore(): KeyValueStore & { entries: Map<string, [CacheKey, unknown]> } {
  const entries = new Map<string, [CacheKey, unknown]>();
  return {
    entries,
    get: async (key) => structuredClone(entries.get(JSON.stringify(key))?.[1]),
    setMany: async (list) => {
      for (const [key, value] of list) entries.set(JSON.stringify(key), [key, structuredClone(value)]);
    },
    delMany: async (keys) => {
      for (const key of keys) entries.delete(JSON.stringify(key));
    },
    keys: async () => [...entries.values()].map(([key]) => key),
  };
}

/**
 * Simulates IndexedDB running out of quota: once `limitBytes` of chunk data have been written, every
 * further write fails (atomically, writing nothing) with a QuotaExceededError, as a real full disk does.
 */
export function quotaLimited(
  store: KeyValueStore,
  limitBytes: number,
  /** What the write throws; Chromium's full disk (under the quota) is DataError "Failed to write blobs (IOError)". */
  error = (): Error => new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
): KeyValueStore {
  let written = 0;
  return {
    ...store,
    setMany: async (list) => {
      const bytes = list.reduce((sum, [, value]) => sum + (value instanceof ArrayBuffer ? value.byteLength : 0), 0);
      if (written + bytes > limitBytes) throw error();
      written += bytes;
      await store.setMany(list);
    },
  };
}

/** Web Locks as one origin's tabs share them: a request for a held name waits until it is released. */
export function memoryLocks(): LockManagerLike & { requested: string[] } {
  const tails = new Map<string, Promise<unknown>>();
  const requested: string[] = [];
  return {
    requested,
    request(name, _options, callback) {
      requested.push(name);
      const run = (tails.get(name) ?? Promise.resolve()).then(() => callback());
      tails.set(name, run.catch(() => undefined));
      return run;
    },
  };
}
