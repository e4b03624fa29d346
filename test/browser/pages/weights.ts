// Page entry for test/browser/weights.test.ts: the weight loader in Chromium, with real fetch (CORS, to the
// Node-side hub server) and real IndexedDB. Returns plain data; the Node-side test does the asserting.
import { isIrisError } from '../../../src/errors';
import { Gpu } from '../../../src/gpu/gpu';
import { readTensor } from '../../helpers/read-back';
import { indexedDbStore, type CacheKey, type KeyValueStore } from '../../../src/weights/cache-store';
import { toFloat32 } from '../../../src/weights/host-tensor';
import { Hub } from '../../../src/weights/hub';
import type { LoadProgress } from '../../../src/weights/progress';
import type { CachedModel } from '../../../src/weights/weight-cache';
import type { WeightSet } from '../../../src/weights/weight-set';
import { quotaLimited } from '../../helpers/stores';

export interface LoadArgs {
  baseUrl: string;
  /** IndexedDB database: one per test keeps the tests independent. */
  db: string;
  repo: string;
  revision?: string;
  files: string[];
  optionalFiles?: string[];
  /** Simulate a full disk after this many bytes of chunks (a QuotaExceededError from the store). */
  quotaLimitBytes?: number;
  /** Throw Chromium's full-disk error (DataError "Failed to write blobs") instead of QuotaExceededError. */
  diskFull?: boolean;
  /** Bytes per cached chunk (default 64 KiB). */
  chunkSize?: number;
  /** Abort once this many bytes of model.safetensors have arrived. */
  abortAfterBytes?: number;
  /** Upload these tensors to the GPU and read them back. */
  upload?: string[];
}

export interface LoadResult {
  error?: { code: string; message: string };
  progress: LoadProgress[];
  warnings: { code: string; message: string }[];
  resolvedRevision?: string;
  /** sha256 of each loaded file (null: an optional file the repository lacks). */
  sha256?: Record<string, string | null>;
  /** For each uploaded tensor: GPU dtype and the largest difference between GPU readback and host values. */
  uploads?: Record<string, { dtype: string; maxDiff: number }>;
}

const stores = new Map<string, KeyValueStore>();
const store = (db: string): KeyValueStore => stores.get(db) ?? stores.set(db, indexedDbStore(db)).get(db)!;

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function load(args: LoadArgs): Promise<LoadResult> {
  const progress: LoadProgress[] = [];
  const warnings: LoadResult['warnings'] = [];
  const controller = new AbortController();
  const base = store(args.db);
  const diskFull = args.diskFull ? () => new DOMException('Failed to write blobs (IOError)', 'DataError') : undefined;
  const limited = args.quotaLimitBytes === undefined ? base : quotaLimited(base, args.quotaLimitBytes, diskFull);
  const hub = new Hub({ baseUrl: args.baseUrl, store: limited, chunkSize: args.chunkSize ?? 64 * 1024 });
  try {
    const files = await hub.load({
      repo: args.repo, revision: args.revision, files: args.files, optionalFiles: args.optionalFiles, signal: controller.signal,
      onProgress: (p) => {
        progress.push(p);
        if (args.abortAfterBytes !== undefined && p.file === 'model.safetensors' && p.fileBytesDone > args.abortAfterBytes) controller.abort();
      },
      onWarning: (w) => warnings.push(w.toJSON()),
    });
    const digests: Record<string, string | null> = {};
    for (const file of [...args.files, ...(args.optionalFiles ?? [])]) {
      const bytes = files.bytes(file);
      digests[file] = bytes ? await sha256(bytes as Uint8Array<ArrayBuffer>) : null;
    }
    return { progress, warnings, resolvedRevision: files.resolvedRevision, sha256: digests, uploads: args.upload && (await uploadAndRead(files.weights(), args.upload)) };
  } catch (error) {
    return { progress, warnings, error: isIrisError(error) ? error.toJSON() : { code: 'unexpected', message: String(error) } };
  }
}

async function uploadAndRead(weights: WeightSet, names: string[]): Promise<LoadResult['uploads']> {
  const gpu = await Gpu.create();
  try {
    const out: NonNullable<LoadResult['uploads']> = {};
    for (const name of names) {
      const host = weights.get(name);
      const tensor = weights.upload(gpu, name, host.shape, { as: name.endsWith('.weight') ? 'weight' : 'f32' });
      const back = await readTensor(gpu, tensor);
      const expected = toFloat32(host);
      out[name] = { dtype: tensor.dtype, maxDiff: Math.max(...expected.map((v, i) => Math.abs(v - back[i]!))) };
      tensor.release();
    }
    return out;
  } finally {
    gpu.destroy();
  }
}

/** Damages one stored chunk in place: flip a byte (only the sha256 check can notice) or cut one off. */
async function corruptChunk(db: string, repo: string, file: string, index: number, how: 'flip' | 'truncate'): Promise<boolean> {
  const key = (await store(db).keys()).find((k) => k[0] === 'chunk' && k[1] === repo && k[3] === file && k[4] === index);
  const value = key && (await store(db).get(key));
  if (!(value instanceof ArrayBuffer)) return false;
  const bytes = new Uint8Array(value);
  bytes[100]! ^= 0xff;
  await store(db).setMany([[key!, how === 'flip' ? bytes.buffer : value.slice(1)]]);
  return true;
}

/** A fetch from the page, to tell whether the network is really cut. */
async function canFetch(url: string): Promise<boolean> {
  return fetch(url, { cache: 'no-store' }).then(() => true, () => false);
}

Object.assign(window, {
  irisWeights: {
    load,
    corruptChunk,
    canFetch,
    list: (db: string): Promise<CachedModel[]> => new Hub({ store: store(db) }).listCached(),
    remove: (db: string, repo: string): Promise<void> => new Hub({ store: store(db) }).deleteCached(repo),
    clear: (db: string): Promise<void> => new Hub({ store: store(db) }).clearCache(),
    keys: (db: string): Promise<CacheKey[]> => store(db).keys(),
  },
});
