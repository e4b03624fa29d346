/**
 * Downloaded files in a KeyValueStore (IndexedDB by default), in fixed-size chunks:
 *
 *   ['chunk', repo, revision, file, i]   ArrayBuffer, chunkSize bytes (the last one shorter)
 *   ['partial', repo, revision, file]    PartialRecord: how many leading bytes are stored (for resuming)
 *   ['file', repo, revision, file]       FileManifest, written LAST: only a file with one is complete
 *   ['rev', repo, requested]             the commit a branch name resolved to, so offline loads find it
 *   ['model', repo, revision]            ModelRecord: the files of a load that completed (what "stored" means)
 *
 * `revision` is the resolved commit when the server reported one, else the requested revision.
 * Each chunk is written in one transaction with its partial record, so an interrupted download always
 * leaves a consistent prefix to resume from.
 */
import { IrisError } from '../errors';
import { isQuotaError, type CacheKey, type KeyValueStore } from './cache-store';
import { gitBlobSha1Hex, sha256Hex } from './digest';

export interface FileRef {
  repo: string;
  revision: string;
  file: string;
}

/** What the server said about a file: checked on resume (validator) and on completion and reads (hashes). */
export interface FileMeta {
  etag?: string;
  /** A strong ETag or Last-Modified: a partial download resumes only when the server still sends it. */
  validator?: string;
  sha256?: string;
  /** The git blob id (the Hub's ETag of a file not in LFS). */
  gitSha1?: string;
}

export type FileManifest =
  | ({ kind: 'file'; size: number; chunkSize: number; chunkCount: number } & FileMeta)
  /**
   * An optional file the server does not have. `confirmed`: the Hub said so (EntryNotFound), and a cached
   * load need not ask again; otherwise the next load asks again, and uses this answer only offline.
   */
  | { kind: 'missing'; confirmed?: boolean };

export interface PartialRecord extends FileMeta {
  size: number;
  chunkSize: number;
  bytesStored: number;
}

export interface CachedModel {
  repo: string;
  revision: string;
  /** Branch names (or other requested revisions) that resolved to `revision`. */
  requestedAs: string[];
  files: { file: string; bytes: number }[];
  /** Complete files only. */
  bytes: number;
  /** Bytes of interrupted downloads that a later load will resume. */
  partialBytes: number;
  /**
   * Every file a load of it needed is complete, so it loads offline. Otherwise it is partial: what an
   * interrupted or failed load left (a later load resumes it; it can be deleted like a complete one).
   */
  complete: boolean;
}

/** Written when a load has every file: which files that was. */
export interface ModelRecord {
  files: string[];
}

const key = (kind: 'file' | 'partial', ref: FileRef): CacheKey => [kind, ref.repo, ref.revision, ref.file];
const chunkKey = (ref: FileRef, index: number): CacheKey => ['chunk', ref.repo, ref.revision, ref.file, index];

export class WeightCache {
  constructor(private readonly store: KeyValueStore) {}

  async resolvedRevision(repo: string, requested: string): Promise<string | undefined> {
    const commit = await this.store.get(['rev', repo, requested]);
    return typeof commit === 'string' ? commit : undefined;
  }

  async linkRevision(repo: string, requested: string, revision: string): Promise<void> {
    await this.write([[['rev', repo, requested], revision]], `the revision of ${repo}`);
  }

  /** Records that a load of `repo` at `revision` had all of `files` (unless that is already recorded). */
  async markComplete(repo: string, revision: string, files: string[]): Promise<void> {
    const record = (await this.store.get(['model', repo, revision])) as ModelRecord | undefined;
    if (record && files.every((f) => record.files.includes(f))) return;
    const merged = [...new Set([...(record?.files ?? []), ...files])];
    await this.write([[['model', repo, revision], { files: merged } satisfies ModelRecord]], `the file list of ${repo}`);
  }

  async manifest(ref: FileRef): Promise<FileManifest | undefined> {
    return (await this.store.get(key('file', ref))) as FileManifest | undefined;
  }

  /** A complete file, checked chunk by chunk against its manifest (and its sha256 or git blob id when known). */
  async readFile(ref: FileRef, manifest: Extract<FileManifest, { kind: 'file' }>): Promise<Uint8Array> {
    const { size, chunkSize, chunkCount } = manifest;
    if (!isCount(size) || !isCount(chunkSize) || chunkSize === 0 || chunkCount !== Math.ceil(size / chunkSize)) {
      throw corrupt(ref, 'its manifest is inconsistent');
    }
    const out = new Uint8Array(size);
    if (!(await this.readChunks(ref, chunkSize, size, out))) throw corrupt(ref, 'a chunk is missing or has the wrong length');
    const sha256 = manifest.sha256 && (await sha256Hex(out));
    if (sha256 && sha256 !== manifest.sha256) throw corrupt(ref, 'its sha256 does not match');
    const gitSha1 = manifest.gitSha1 && (await gitBlobSha1Hex(out));
    if (gitSha1 && gitSha1 !== manifest.gitSha1) throw corrupt(ref, 'its git blob id does not match');
    return out;
  }

  async partial(ref: FileRef): Promise<PartialRecord | undefined> {
    return (await this.store.get(key('partial', ref))) as PartialRecord | undefined;
  }

  /** Copies the stored prefix of an interrupted download into `into`; false if it is not intact. */
  async readPartial(ref: FileRef, partial: PartialRecord, into: Uint8Array): Promise<boolean> {
    const { size, chunkSize, bytesStored } = partial;
    if (!isCount(chunkSize) || chunkSize === 0 || size !== into.byteLength || !isCount(bytesStored) || bytesStored > size) return false;
    return this.readChunks(ref, chunkSize, bytesStored, into);
  }

  /**
   * Stores chunk `index` (possibly a short, still-growing last chunk) together with the partial record.
   * `resumableFrom`: the bytes already stored that a later load can resume from (0: it starts over).
   */
  async putChunk(ref: FileRef, index: number, bytes: Uint8Array, partial: PartialRecord, resumableFrom: number): Promise<void> {
    const kept = resumableFrom > 0
      ? `the first ${(resumableFrom / 2 ** 20).toFixed(1)} MiB of ${ref.file} are kept, and the download resumes from there`
      : `nothing of ${ref.file} could be kept, so it downloads from the start`;
    await this.write([[chunkKey(ref, index), bytes.slice().buffer], [key('partial', ref), partial]], `${ref.file} of ${ref.repo}`, kept);
  }

  /** Marks a file complete: its manifest goes in after every chunk, and the partial record is dropped. */
  async complete(ref: FileRef, manifest: FileManifest): Promise<void> {
    await this.write([[key('file', ref), manifest]], `${ref.file} of ${ref.repo}`);
    await this.store.delMany([key('partial', ref)]);
  }

  /** Every chunk, partial record and manifest of one file. */
  async removeFile(ref: FileRef): Promise<void> {
    const keys = await this.store.keys();
    await this.store.delMany(keys.filter((k) => k[0] !== 'rev' && k[1] === ref.repo && k[2] === ref.revision && k[3] === ref.file));
  }

  async list(): Promise<CachedModel[]> {
    const models = new Map<string, CachedModel & { record?: ModelRecord; manifests: Set<string> }>();
    const model = (repo: string, revision: string) => {
      const id = JSON.stringify([repo, revision]);
      let m = models.get(id);
      if (!m) models.set(id, (m = { repo, revision, requestedAs: [], files: [], bytes: 0, partialBytes: 0, complete: false, manifests: new Set() }));
      return m;
    };
    for (const k of await this.store.keys()) {
      const [kind, repo, revision] = k as [string, string, string];
      if (kind === 'file') {
        const manifest = (await this.store.get(k)) as FileManifest | undefined;
        if (!manifest) continue;
        const m = model(repo, revision);
        m.manifests.add(String(k[3]));
        if (manifest.kind !== 'file') continue;
        m.files.push({ file: String(k[3]), bytes: manifest.size });
        m.bytes += manifest.size;
      } else if (kind === 'partial') {
        const partial = (await this.store.get(k)) as PartialRecord | undefined;
        model(repo, revision).partialBytes += partial?.bytesStored ?? 0;
      } else if (kind === 'model') {
        model(repo, revision).record = (await this.store.get(k)) as ModelRecord | undefined;
      }
    }
    for (const k of await this.store.keys()) {
      if (k[0] !== 'rev') continue;
      const target = models.get(JSON.stringify([k[1], await this.store.get(k)]));
      target?.requestedAs.push(String(k[2]));
    }
    return [...models.values()].filter((m) => m.files.length > 0 || m.partialBytes > 0).map(({ record, manifests, ...m }) => ({
      ...m,
      // Caches written before model records: complete when weights are and nothing is half-downloaded.
      complete: record
        ? record.files.every((f) => manifests.has(f))
        : m.partialBytes === 0 && m.files.some((f) => f.file.endsWith('.safetensors')),
    }));
  }

  /** One repository: every revision, or just `revision` (a commit, or a branch name that resolved to one). */
  async remove(repo: string, revision?: string): Promise<void> {
    const target = revision === undefined ? undefined : ((await this.resolvedRevision(repo, revision)) ?? revision);
    const doomed: CacheKey[] = [];
    for (const k of await this.store.keys()) {
      if (k[1] !== repo) continue;
      const points = k[0] === 'rev' ? await this.store.get(k) : k[2];
      if (target === undefined || points === target) doomed.push(k);
    }
    await this.store.delMany(doomed);
  }

  async clear(): Promise<void> {
    await this.store.delMany(await this.store.keys());
  }

  /** Reads the first `length` bytes of a file from its chunks into `into`; false if any chunk is wrong. */
  private async readChunks(ref: FileRef, chunkSize: number, length: number, into: Uint8Array): Promise<boolean> {
    for (let i = 0; i * chunkSize < length; i++) {
      const chunk = await this.store.get(chunkKey(ref, i));
      const expected = Math.min(chunkSize, length - i * chunkSize);
      if (!(chunk instanceof ArrayBuffer) || chunk.byteLength !== expected) return false;
      into.set(new Uint8Array(chunk), i * chunkSize);
    }
    return true;
  }

  /** `afterwards`: what a later load does with what is stored (said in the hint, so it is true). */
  private async write(entries: [CacheKey, unknown][], what: string, afterwards?: string): Promise<void> {
    try {
      await this.store.setMany(entries);
    } catch (cause) {
      if (!isQuotaError(cause)) throw cause;
      throw new IrisError('quota-exceeded', `The browser's storage is full: storing ${what} failed.`, {
        cause,
        hint: `Delete cached models you no longer need (or free disk space) and load again${afterwards ? `: ${afterwards}` : ''}.`,
      });
    }
  }
}

function corrupt(ref: FileRef, reason: string): IrisError {
  return new IrisError('cache-corrupt', `The cached ${ref.file} of ${ref.repo} (${ref.revision}) is corrupt: ${reason}. It is removed and downloaded again.`);
}

function isCount(n: unknown): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0;
}
