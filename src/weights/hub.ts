/**
 * Loads the files of a Hugging Face repository: from the cache when they are there (no network at all),
 * else from `{baseUrl}/{repo}/resolve/{revision}/{file}`, into the cache as they stream.
 */
import { IrisError, isIrisError, throwIfAborted } from '../errors';
import { indexedDbStore, type KeyValueStore } from './cache-store';
import { downloadFile } from './download';
import { contentProblem } from './file-content';
import { DEFAULT_HUB_URL, isCommitHash, repoCommit, resolveUrl } from './hub-url';
import { ModelFiles } from './model-files';
import { ProgressTracker, type LoadProgress } from './progress';
import { isSafetensorsFile, parseSafetensors } from './safetensors';
import { WeightCache, type CachedModel, type FileRef } from './weight-cache';

/** The parts of navigator.storage used (persist() is not exposed in Workers). */
export interface StorageLike {
  estimate(): Promise<StorageEstimate>;
  persist?(): Promise<boolean>;
}

export interface HubOptions {
  /** Default https://huggingface.co. */
  baseUrl?: string;
  /** Default: the IndexedDB database 'iris-weights'. */
  store?: KeyValueStore;
  /** Bytes per cached chunk; default 4 MiB. */
  chunkSize?: number;
  /**
   * How often a download also stores the chunk it is filling, so a closed tab (which runs no cleanup)
   * keeps what arrived; default every second.
   */
  flushIntervalMs?: number;
  /**
   * Coordinates the tabs (and workers) of one origin: a load or delete of a repository holds its lock, so a
   * second tab waits and then reads the cache instead of downloading again, and a delete is not undone by
   * a load running elsewhere. Default navigator.locks; null: no coordination.
   */
  locks?: LockManagerLike | null;
  fetch?: typeof fetch;
  /** Default navigator.storage; null skips the free-space check. */
  storage?: StorageLike | null;
}

/** The part of the Web Locks API used (navigator.locks). */
export interface LockManagerLike {
  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => Promise<T>): Promise<T>;
}

export interface LoadRequest {
  /** "org/name". */
  repo: string;
  /** Branch, tag or commit; default 'main'. A branch is resolved once, then served from the cache. */
  revision?: string;
  files: string[];
  /** Files some checkpoints lack (e.g. generation_config.json): absent ones are not an error. */
  optionalFiles?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** Problems that were handled, e.g. a 'cache-corrupt' file that was removed and downloaded again. */
  onWarning?: (warning: IrisError) => void;
}

export class Hub {
  readonly baseUrl: string;
  private readonly cache: WeightCache;
  private readonly chunkSize: number;
  private readonly fetch: typeof fetch;
  private readonly storage: StorageLike | null;
  private readonly flushIntervalMs: number;
  private readonly locks: LockManagerLike | null;
  private persistAsked = false;
  private readonly ifRange = { usable: true };

  constructor(options: HubOptions = {}) {
    this.baseUrl = options.baseUrl ?? DEFAULT_HUB_URL;
    this.cache = new WeightCache(options.store ?? indexedDbStore());
    this.chunkSize = options.chunkSize ?? 4 * 2 ** 20;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    const navigatorLocks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
    this.locks = options.locks === undefined ? (navigatorLocks ?? null) : options.locks;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.storage = options.storage === undefined ? (globalThis.navigator?.storage ?? null) : options.storage;
  }

  /** The repository's files, from the cache or the network; one tab at a time per repository. */
  load(request: LoadRequest): Promise<ModelFiles> {
    return this.exclusive(request.repo, request.signal, () => this.loadUnlocked(request));
  }

  private async loadUnlocked(request: LoadRequest): Promise<ModelFiles> {
    const { repo, signal } = request;
    const requested = request.revision ?? 'main';
    const wanted = [
      ...request.files.map((file) => ({ file, optional: false })),
      ...(request.optionalFiles ?? []).map((file) => ({ file, optional: true })),
    ];
    // Small files first: they resolve the revision, and the overall total is known before the weights stream.
    wanted.sort((a, b) => Number(isSafetensorsFile(a.file)) - Number(isSafetensorsFile(b.file)));
    const progress = new ProgressTracker(request.onProgress);
    let revision = (await this.cache.resolvedRevision(repo, requested)) ?? requested;
    let resolved = revision !== requested || isCommitHash(requested);
    let needsLink = false; // this load resolved a branch, and the mapping is stored with the first file
    const contents = new Map<string, Uint8Array | null>();
    for (const { file, optional } of wanted) {
      throwIfAborted(signal, `Loading ${repo}`);
      let bytes = await this.fromCache({ repo, revision, file }, progress, request.onWarning);
      if (bytes === undefined && !resolved) {
        resolved = true;
        revision = (await this.resolveCommit(repo, requested, file, signal)) ?? requested;
        needsLink = revision !== requested;
        if (revision !== requested) bytes = await this.fromCache({ repo, revision, file }, progress, request.onWarning);
      }
      const unconfirmedMissing = bytes === MISSING_UNCONFIRMED;
      if (bytes === undefined || bytes === MISSING_UNCONFIRMED) {
        const ref = { repo, revision, file };
        try {
          bytes = await downloadFile({
            ref, optional, signal, cache: this.cache, fetch: this.fetch, chunkSize: this.chunkSize, ifRange: this.ifRange, flushIntervalMs: this.flushIntervalMs,
            url: resolveUrl(this.baseUrl, repo, revision, file),
            progress: (done, total) => progress.update(file, done, total),
            ensureSpace: (needed) => this.ensureSpace(needed, ref),
          });
        } catch (error) {
          // Asked again because an earlier 404 was not the Hub's own answer; offline, that answer stands.
          if (!unconfirmedMissing || !isIrisError(error, 'download-failed')) throw error;
          bytes = null;
        }
        if (needsLink) await this.cache.linkRevision(repo, requested, revision);
        needsLink = false;
      }
      contents.set(file, bytes);
    }
    await this.cache.markComplete(repo, revision, wanted.map((w) => w.file));
    return new ModelFiles(repo, requested, revision, contents);
  }

  /** Every cached model (complete files, plus interrupted downloads that a load will resume). */
  listCached(): Promise<CachedModel[]> {
    return this.cache.list();
  }

  /**
   * Removes a repository's cached files: one revision (a commit or branch name), or all of them. Waits for
   * a load of it in another tab to finish, so that load cannot write its files back afterwards.
   */
  deleteCached(repo: string, revision?: string): Promise<void> {
    return this.exclusive(repo, undefined, () => this.cache.remove(repo, revision));
  }

  async clearCache(): Promise<void> {
    for (const { repo } of await this.cache.list()) await this.deleteCached(repo);
    await this.cache.clear();
  }

  /** Runs `work` holding the repository's lock (where the environment has Web Locks). */
  private exclusive<T>(repo: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    if (!this.locks) return work();
    return this.locks.request(`iris-weights:${repo}`, signal ? { signal } : {}, work).catch((error: unknown) => {
      // Cancelled while waiting for another tab's load: the same 'aborted' as everywhere else.
      if (signal?.aborted && !isIrisError(error)) throw new IrisError('aborted', `Loading ${repo} was cancelled.`, { cause: signal.reason });
      throw error;
    });
  }

  /**
   * A complete cached file; undefined if not cached (a damaged entry, or one that does not parse, is
   * reported, removed, and not used: the load fetches it again, once). null: an optional file the Hub
   * said it lacks; MISSING_UNCONFIRMED: one that a plain 404 said was missing, to be asked again.
   */
  private async fromCache(ref: FileRef, progress: ProgressTracker, onWarning?: (w: IrisError) => void): Promise<Uint8Array | null | undefined | typeof MISSING_UNCONFIRMED> {
    const manifest = await this.cache.manifest(ref);
    if (!manifest) return undefined;
    if (manifest.kind === 'missing') return manifest.confirmed === true ? null : MISSING_UNCONFIRMED;
    try {
      const bytes = await this.cache.readFile(ref, manifest);
      if (isSafetensorsFile(ref.file)) parseSafetensors(bytes, ref.file);
      const problem = isSafetensorsFile(ref.file) ? undefined : contentProblem(ref.file, bytes);
      if (problem) throw new IrisError('cache-corrupt', `The cached ${ref.file} of ${ref.repo} (${ref.revision}) is unusable: ${problem}. It is removed and downloaded again.`);
      progress.update(ref.file, bytes.byteLength, bytes.byteLength);
      return bytes;
    } catch (error) {
      if (!isIrisError(error, 'cache-corrupt') && !isIrisError(error, 'safetensors-invalid')) throw error;
      onWarning?.(error.code === 'cache-corrupt' ? error : new IrisError('cache-corrupt', `The cached ${ref.file} of ${ref.repo} is damaged (${error.message}); it is removed and downloaded again.`));
      await this.cache.removeFile(ref);
      return undefined;
    }
  }

  /** The commit a branch points at (the Hub's X-Repo-Commit), asked with one HEAD request. */
  private async resolveCommit(repo: string, revision: string, file: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    try {
      return repoCommit(await this.fetch(resolveUrl(this.baseUrl, repo, revision, file), { method: 'HEAD', signal, cache: 'no-store' }));
    } catch {
      return undefined; // the download that follows reports the failure, with the right code
    }
  }

  private async ensureSpace(bytes: number, ref: FileRef): Promise<void> {
    if (!this.storage) return;
    if (!this.persistAsked) {
      this.persistAsked = true;
      // Persistent storage is not evicted under pressure; browsers may refuse, which is fine.
      await this.storage.persist?.().catch(() => false);
    }
    const { quota, usage } = await this.storage.estimate().catch((): StorageEstimate => ({}));
    if (quota === undefined || usage === undefined || bytes <= quota - usage) return;
    throw new IrisError('not-enough-storage', `${ref.file} of ${ref.repo} needs ${mib(bytes)} of browser storage, but only ${mib(quota - usage)} is free.`, {
      hint: 'Free disk space or delete cached models you no longer need, then load again.',
    });
  }
}

/** A cached "missing" answer that did not come from the Hub itself (see fromCache). */
const MISSING_UNCONFIRMED = Symbol('missing, unconfirmed');

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
