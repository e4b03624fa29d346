// KeyValueStores for tests: an in-memory one (Node has no IndexedDB), and a wrapper that simulates a full disk.
import type { CacheKey, KeyValueStore } from '../../src/weights/cache-store';

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
export function quotaLimited(store: KeyValueStore, limitBytes: number): KeyValueStore {
  let written = 0;
  return {
    ...store,
    setMany: async (list) => {
      const bytes = list.reduce((sum, [, value]) => sum + (value instanceof ArrayBuffer ? value.byteLength : 0), 0);
      if (written + bytes > limitBytes) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      written += bytes;
      await store.setMany(list);
    },
  };
}
