/**
 * Where a downloading file's bytes go: one buffer the size of the file (the loader needs the whole file in
 * memory anyway) and, chunk by chunk as each fills, the cache. `flush()` also stores an unfinished last
 * chunk, so an interrupted download resumes from the exact byte it stopped at.
 */
import { IrisError } from '../errors';
import { gitBlobSha1Hex, sha256Hex } from './digest';
import { announcedMatches, checkAnnounced, verifyPinned, type PinnedFile } from './integrity';
import type { FileMeta, FileRef, PartialRecord, WeightCache } from './weight-cache';

/**
 * The largest file Iris holds in memory while it loads (no checkpoint it runs comes near). A size the
 * server claims is checked against it before anything is allocated.
 */
export const MAX_FILE_BYTES = 2 ** 32;

export interface SinkTarget {
  ref: FileRef;
  cache: WeightCache;
  progress(done: number, total: number): void;
  /** Also store the growing chunk when this long has passed since the last store (undefined: never). */
  flushIntervalMs?: number;
  /** The exact file the catalogue expects (see integrity.ts): checked when the server announces it, and when complete. */
  pinned?: PinnedFile;
}

export class FileSink {
  readonly buffer: Uint8Array<ArrayBuffer>;
  /** Bytes received so far (a prefix of the file). */
  done = 0;
  /** Bytes durably in the cache. */
  private stored = 0;
  /** When they last were stored (Date.now()). */
  private storedAt = Date.now();

  constructor(
    private readonly target: SinkTarget,
    readonly size: number,
    readonly chunkSize: number,
    /** From the server: checked on resume (validator) and on completion (hashes). */
    readonly meta: FileMeta,
  ) {
    checkAnnounced(target.ref, target.pinned, size, meta.sha256);
    this.buffer = allocateFile(target.ref, size);
  }

  /**
   * A sink holding the stored prefix of an interrupted download; undefined if there is none intact, or if
   * the server gave no strong validator to prove that a later answer is the same file (then it starts over).
   */
  static async resume(target: SinkTarget): Promise<FileSink | undefined> {
    const partial = await target.cache.partial(target.ref);
    if (!partial) return undefined;
    // Records written before validators were kept have only the ETag; a strong one serves.
    const validator = partial.validator ?? (partial.etag?.startsWith('W/') ? undefined : partial.etag);
    const usable = Number.isSafeInteger(partial.size) && partial.size >= 0 && partial.size <= MAX_FILE_BYTES && typeof validator === 'string';
    if (usable && announcedMatches(target.pinned, partial.size, partial.sha256)) {
      const { etag, sha256, gitSha1 } = partial;
      const sink = new FileSink(target, partial.size, partial.chunkSize, { etag, validator, sha256, gitSha1 });
      if (await target.cache.readPartial(target.ref, partial, sink.buffer)) {
        sink.done = sink.stored = partial.bytesStored;
        target.progress(sink.done, sink.size);
        return sink;
      }
    }
    await target.cache.removeFile(target.ref);
    return undefined;
  }

  /** Some bytes are stored, and the server's validator lets a later load prove it is the same file. */
  get resumable(): boolean {
    return this.stored > 0 && this.meta.validator !== undefined;
  }

  async push(bytes: Uint8Array): Promise<void> {
    if (this.done + bytes.byteLength > this.size) {
      throw new IrisError('download-failed', `${this.target.ref.file}: the server sent more than the ${this.size} bytes it announced.`);
    }
    // Chunk by chunk, so progress moves even when the network hands over many megabytes at once.
    for (let offset = 0; offset < bytes.byteLength; ) {
      const take = Math.min(bytes.byteLength - offset, this.chunkEnd() - this.done);
      this.buffer.set(bytes.subarray(offset, offset + take), this.done);
      this.done += take;
      offset += take;
      // A full chunk is stored; so is a growing one now and then, since a closed tab runs no flush().
      if (this.done === this.chunkEnd() || (this.target.flushIntervalMs !== undefined && Date.now() - this.storedAt >= this.target.flushIntervalMs)) {
        await this.store(this.done);
      }
      this.target.progress(this.done, this.size);
    }
  }

  /** Stores what arrived beyond the last full chunk, for a later resume. */
  async flush(): Promise<void> {
    if (this.done > this.stored) await this.store(this.done);
  }

  /**
   * Checks the hashes the server gave (sha256, git blob id), then the pinned size and sha256 (when the
   * catalogue has them), and only then writes the manifest that marks the file complete.
   */
  async finish(): Promise<Uint8Array> {
    const { ref, cache, pinned } = this.target;
    const sha256 = this.meta.sha256 && (await sha256Hex(this.buffer));
    const gitSha1 = this.meta.gitSha1 && (await gitBlobSha1Hex(this.buffer));
    const wrong = sha256 && sha256 !== this.meta.sha256 ? 'sha256' : gitSha1 && gitSha1 !== this.meta.gitSha1 ? 'git blob id' : undefined;
    if (wrong) {
      await cache.removeFile(ref);
      throw new IrisError('download-failed', `${ref.file} of ${ref.repo}: the downloaded bytes do not match the ${wrong} the server gave.`, {
        hint: 'Load again to download it afresh.',
      });
    }
    await verifyPinned(ref, pinned, this.buffer, sha256).catch(async (error: unknown) => {
      await cache.removeFile(ref);
      throw error;
    });
    // A verified pin gives the cache a sha256 to check on every read, even where the server sent no ETag.
    const manifestSha = this.meta.sha256 ?? pinned?.sha256;
    await cache.complete(ref, { kind: 'file', size: this.size, chunkSize: this.chunkSize, chunkCount: Math.ceil(this.size / this.chunkSize), ...this.meta, ...(manifestSha && { sha256: manifestSha }) });
    return this.buffer;
  }

  /** End of the chunk that byte `stored` falls in. */
  private chunkEnd(): number {
    return Math.min((Math.floor(this.stored / this.chunkSize) + 1) * this.chunkSize, this.size);
  }

  private async store(end: number): Promise<void> {
    const index = Math.floor(this.stored / this.chunkSize);
    const partial: PartialRecord = { size: this.size, chunkSize: this.chunkSize, bytesStored: end, ...this.meta };
    const resumableFrom = this.meta.validator ? this.stored : 0;
    await this.target.cache.putChunk(this.target.ref, index, this.buffer.subarray(index * this.chunkSize, end), partial, resumableFrom);
    this.stored = end;
    this.storedAt = Date.now();
  }
}

/** A size the server announced, checked before anything is allocated for it. */
export function checkAnnouncedSize(ref: FileRef, size: number): void {
  if (Number.isSafeInteger(size) && size >= 0 && size <= MAX_FILE_BYTES) return;
  throw tooLarge(ref, size);
}

/** The file's buffer; a size no browser can hold is a typed error, not a RangeError. */
function allocateFile(ref: FileRef, size: number): Uint8Array<ArrayBuffer> {
  checkAnnouncedSize(ref, size);
  try {
    return new Uint8Array(size);
  } catch (cause) {
    throw tooLarge(ref, size, cause);
  }
}

function tooLarge(ref: FileRef, size: number, cause?: unknown): IrisError {
  return new IrisError('download-failed', `${ref.file} of ${ref.repo} is announced as ${size} bytes (${(size / 2 ** 30).toFixed(1)} GiB), more than Iris can hold in memory (at most ${MAX_FILE_BYTES / 2 ** 30} GiB).`, {
    cause, hint: 'The server, or a proxy on the way, sent a wrong size; or the file is too big to load in a browser.',
  });
}
