/**
 * Where a downloading file's bytes go: one buffer the size of the file (the loader needs the whole file in
 * memory anyway) and, chunk by chunk as each fills, the cache. `flush()` also stores an unfinished last
 * chunk, so an interrupted download resumes from the exact byte it stopped at.
 */
import { IrisError } from '../errors';
import { announcedMatches, checkAnnounced, verifyPinned, type PinnedFile } from './integrity';
import { sha256Hex, type FileRef, type PartialRecord, type WeightCache } from './weight-cache';

export interface SinkTarget {
  ref: FileRef;
  cache: WeightCache;
  progress(done: number, total: number): void;
  /** The exact file the catalogue expects (see integrity.ts): checked when the server announces it, and when complete. */
  pinned?: PinnedFile;
}

export class FileSink {
  readonly buffer: Uint8Array<ArrayBuffer>;
  /** Bytes received so far (a prefix of the file). */
  done = 0;
  /** Bytes durably in the cache. */
  private stored = 0;

  constructor(
    private readonly target: SinkTarget,
    readonly size: number,
    readonly chunkSize: number,
    /** From the server: checked on resume (etag) and on completion (sha256). */
    readonly meta: { etag?: string; sha256?: string },
  ) {
    checkAnnounced(target.ref, target.pinned, size, meta.sha256);
    this.buffer = new Uint8Array(size);
  }

  /** A sink holding the stored prefix of an interrupted download; undefined if there is none intact. */
  static async resume(target: SinkTarget): Promise<FileSink | undefined> {
    const partial = await target.cache.partial(target.ref);
    if (!partial) return undefined;
    if (Number.isSafeInteger(partial.size) && partial.size >= 0 && announcedMatches(target.pinned, partial.size, partial.sha256)) {
      const sink = new FileSink(target, partial.size, partial.chunkSize, { etag: partial.etag, sha256: partial.sha256 });
      if (await target.cache.readPartial(target.ref, partial, sink.buffer)) {
        sink.done = sink.stored = partial.bytesStored;
        target.progress(sink.done, sink.size);
        return sink;
      }
    }
    await target.cache.removeFile(target.ref);
    return undefined;
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
      if (this.done === this.chunkEnd()) await this.store(this.done);
      this.target.progress(this.done, this.size);
    }
  }

  /** Stores what arrived beyond the last full chunk, for a later resume. */
  async flush(): Promise<void> {
    if (this.done > this.stored) await this.store(this.done);
  }

  /**
   * Checks the sha256 (when the server gave one), then the pinned size and sha256 (when the catalogue has
   * them), and only then writes the manifest that marks the file complete.
   */
  async finish(): Promise<Uint8Array> {
    const { ref, cache, pinned } = this.target;
    const sha256 = this.meta.sha256 && (await sha256Hex(this.buffer));
    if (sha256 && sha256 !== this.meta.sha256) {
      await cache.removeFile(ref);
      throw new IrisError('download-failed', `${ref.file} of ${ref.repo}: the downloaded bytes do not match the sha256 the server gave.`, {
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
    await this.target.cache.putChunk(this.target.ref, index, this.buffer.subarray(index * this.chunkSize, end), partial);
    this.stored = end;
  }
}
