/**
 * Loads the files of a Hugging Face repository: from the cache when they are there (no network at all),
 * else from `{baseUrl}/{repo}/resolve/{revision}/{file}`, into the cache as they stream.
 */
import { IrisError, isIrisError, throwIfAborted } from '../errors';
import { indexedDbStore, type KeyValueStore } from './cache-store';
import { checkShards, findConversionBranch, parseShardIndex, pickleOnly, PICKLE_WEIGHTS_FILE, SHARD_INDEX_FILE, WEIGHTS_FILE, type ShardIndex } from './checkpoint-layout';
import { downloadFile } from './download';
import { contentProblem } from './file-content';
import { DEFAULT_HUB_URL, isCommitHash, repoCommit, resolveUrl } from './hub-url';
import { announcedMatches, type PinnedFile } from './integrity';
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
  /** Files whose exact size (and sha256) the catalogue pins: every download of them is checked (integrity.ts). */
  pinned?: Readonly<Record<string, PinnedFile>>;
}

/** Cache key suffix (after a commit) of the conversion branch found for that commit: not a revision name anyone asks for. */
const CONVERSION_KEY = ' safetensors conversion';

/** A revision being loaded: the name asked for and, once known, the commit it resolved to. */
interface RevisionState {
  repo: string;
  requested: string;
  revision: string;
  resolved: boolean;
  /** This load resolved a branch; the mapping is stored with the first file downloaded. */
  needsLink: boolean;
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
    const wanted = [
      ...request.files.map((file) => ({ file, optional: false })),
      ...(request.optionalFiles ?? []).map((file) => ({ file, optional: true })),
    ];
    // Small files first: they resolve the revision, and the overall total is known before the weights stream.
    wanted.sort((a, b) => Number(isSafetensorsFile(a.file)) - Number(isSafetensorsFile(b.file)));
    const progress = new ProgressTracker(request.onProgress);
    const at = await this.revisionOf(repo, request.revision ?? 'main');
    const contents = new Map<string, Uint8Array | null>();
    let weightsBranch: string | undefined;
    for (const { file, optional } of wanted) {
      throwIfAborted(signal, `Loading ${repo}`);
      // model.safetensors may be absent for a reason with a way out (shards, a conversion branch): asked as optional.
      const weights = file === WEIGHTS_FILE && !optional;
      const bytes = await this.file(at, file, optional || weights, request, progress);
      if (bytes === null && weights) weightsBranch = await this.otherWeights(at, request, progress, contents);
      else contents.set(file, bytes);
    }
    // Best effort: a full disk must not fail a load that needed no new bytes (the model then lists as partial).
    await this.cache.markComplete(repo, at.revision, [...contents.keys()]).catch((error: unknown) => {
      if (!isIrisError(error, 'quota-exceeded')) throw error;
    });
    return new ModelFiles(repo, at.requested, at.revision, contents, weightsBranch);
  }

  /** Where `requested` points: the cached resolution, else resolved by the first download (one HEAD request). */
  private async revisionOf(repo: string, requested: string): Promise<RevisionState> {
    const revision = (await this.cache.resolvedRevision(repo, requested)) ?? requested;
    return { repo, requested, revision, resolved: revision !== requested || isCommitHash(requested), needsLink: false };
  }

  /** One file at `at`: from the cache, else downloaded into it (null: an optional file the revision lacks). */
  private async file(at: RevisionState, file: string, optional: boolean, request: LoadRequest, progress: ProgressTracker): Promise<Uint8Array | null> {
    const { repo, signal } = request;
    const pinned = request.pinned?.[file];
    let bytes = await this.fromCache({ repo, revision: at.revision, file }, progress, request.onWarning, pinned);
    if (bytes === undefined && !at.resolved) {
      at.resolved = true;
      at.revision = (await this.resolveCommit(repo, at.requested, file, signal)) ?? at.requested;
      at.needsLink = at.revision !== at.requested; // the mapping is stored with the first file
      if (at.needsLink) bytes = await this.fromCache({ repo, revision: at.revision, file }, progress, request.onWarning, pinned);
    }
    if (bytes !== undefined && bytes !== MISSING_UNCONFIRMED) return bytes;
    const unconfirmedMissing = bytes === MISSING_UNCONFIRMED;
    const ref = { repo, revision: at.revision, file };
    let downloaded: Uint8Array | null;
    try {
      downloaded = await downloadFile({
        ref, optional, signal, pinned, cache: this.cache, fetch: this.fetch, chunkSize: this.chunkSize, ifRange: this.ifRange, flushIntervalMs: this.flushIntervalMs,
        url: resolveUrl(this.baseUrl, repo, at.revision, file),
        progress: (done, total) => progress.update(file, done, total),
        ensureSpace: (needed) => this.ensureSpace(needed, ref),
      });
    } catch (error) {
      // Asked again because an earlier 404 was not the Hub's own answer; offline, that answer stands.
      if (!unconfirmedMissing || !isIrisError(error, 'download-failed')) throw error;
      downloaded = null;
    }
    if (at.needsLink) await this.cache.linkRevision(repo, at.requested, at.revision);
    at.needsLink = false;
    return downloaded;
  }

  /**
   * The revision has no model.safetensors: its shards (model.safetensors.index.json) go into `contents`, or,
   * where it has only pytorch_model.bin, the safetensors of the Hub's conversion branch (returned, and reported
   * as a warning); otherwise a typed error that names the way out.
   */
  private async otherWeights(at: RevisionState, request: LoadRequest, progress: ProgressTracker, contents: Map<string, Uint8Array | null>): Promise<string | undefined> {
    const indexBytes = await this.file(at, SHARD_INDEX_FILE, true, request, progress);
    if (indexBytes) {
      for (const [shard, bytes] of await this.shards(at, parseShardIndex(indexBytes, at.repo), request, progress)) contents.set(shard, bytes);
      return undefined;
    }
    const { branch, bytes } = await this.convertedWeights(at, request, progress);
    contents.set(WEIGHTS_FILE, bytes);
    request.onWarning?.(new IrisError('unsupported-model', `${at.repo} has only ${PICKLE_WEIGHTS_FILE} at ${at.requested}; its weights were loaded from ${branch}, the Hub's safetensors conversion of it.`));
    return branch;
  }

  /** Every shard the index names, checked against it. */
  private async shards(at: RevisionState, index: ShardIndex, request: LoadRequest, progress: ProgressTracker): Promise<Map<string, Uint8Array>> {
    const shards = new Map<string, Uint8Array>();
    for (const shard of index.shards) {
      throwIfAborted(request.signal, `Loading ${at.repo}`);
      shards.set(shard, (await this.file(at, shard, false, request, progress))!);
    }
    checkShards(index, shards, at.repo);
    return shards;
  }

  /**
   * model.safetensors of the conversion branch of a revision that has only pytorch_model.bin. The branch the Hub
   * API named is remembered in the cache (keyed by the revision's commit), so a later load needs no network.
   */
  private async convertedWeights(at: RevisionState, request: LoadRequest, progress: ProgressTracker): Promise<{ branch: string; bytes: Uint8Array }> {
    const { repo, signal } = request;
    const key = `${at.revision}${CONVERSION_KEY}`;
    let branch = await this.cache.resolvedRevision(repo, key);
    const remembered = branch !== undefined;
    if (!branch) {
      if (!(await this.exists(repo, at.revision, PICKLE_WEIGHTS_FILE, signal))) {
        throw new IrisError('download-failed', `${repo} has no ${WEIGHTS_FILE} (nor a ${SHARD_INDEX_FILE}) at ${at.requested}.`, {
          hint: 'Check the repository name and the revision; Iris reads safetensors checkpoints only.',
        });
      }
      branch = await findConversionBranch(this.fetch, this.baseUrl, repo, signal);
      if (!branch) throw pickleOnly(repo, at.requested, undefined);
    }
    const converted = await this.revisionOf(repo, branch);
    if (!converted.resolved) {
      // The branch holds the whole repository; its config.json (a plain file, not an LFS redirect) names the commit.
      converted.resolved = true;
      converted.revision = (await this.resolveCommit(repo, branch, 'config.json', signal)) ?? branch;
      converted.needsLink = converted.revision !== branch;
    }
    const bytes = await this.file(converted, WEIGHTS_FILE, true, request, progress);
    if (!bytes) throw pickleOnly(repo, at.requested, undefined);
    if (!remembered) await this.cache.linkRevision(repo, key, branch);
    return { branch, bytes };
  }

  /** Whether the server has `file` at `revision` (one HEAD request; failures count as no). */
  private async exists(repo: string, revision: string, file: string, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      const response = await this.fetch(resolveUrl(this.baseUrl, repo, revision, file), { method: 'HEAD', signal, cache: 'no-store' });
      return response.ok;
    } catch {
      throwIfAborted(signal, `Loading ${repo}`);
      return false;
    }
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
  private async fromCache(ref: FileRef, progress: ProgressTracker, onWarning?: (w: IrisError) => void, pinned?: PinnedFile): Promise<Uint8Array | null | undefined | typeof MISSING_UNCONFIRMED> {
    const manifest = await this.cache.manifest(ref);
    if (!manifest) return undefined;
    if (manifest.kind === 'missing') return manifest.confirmed === true ? null : MISSING_UNCONFIRMED;
    try {
      if (!announcedMatches(pinned, manifest.size, manifest.sha256)) throw new IrisError('cache-corrupt', `The cached ${ref.file} of ${ref.repo} is not the pinned file; it is removed and downloaded again.`);
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
