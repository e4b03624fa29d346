/**
 * A persistent, named index of image embeddings: add images (only new or changed ones are embedded),
 * search it with a query embedding on the GPU, remove, clear, export and import.
 *
 * Storage (a VectorStore; IndexedDB in the browser):
 *   ['meta', name]         IndexMeta: the model and dimension the vectors belong to, the live chunk ids, a version
 *   ['chunk', name, id]    ChunkRecord: keys, versions and their vectors (f16 bits or f32)
 * Every change is one atomic commit that writes the meta record with the chunks it adds, rewrites or deletes,
 * so a cancelled run or a closed tab leaves exactly the batches committed so far. Adding writes one small
 * chunk per batch; small chunks are merged into chunks of up to CHUNK_ROWS rows as they pile up.
 *
 * The worker keeps a copy of every vector (VectorTable) and, on the GPU, a GpuMatrix brought up to date on the
 * next search with just the rows that changed.
 */
import { IrisError, isIrisError, throwIfAborted } from '../errors';
import type { Gpu } from '../gpu/gpu';
import { f16ArrayToF32, f32ArrayToF16 } from '../gpu/half';
import { isQuotaError } from '../weights/cache-store';
import type { Embedder } from './embedder';
import { decodeIndexFile, encodeIndexFile } from './format';
import { GpuMatrix } from './gpu-matrix';
import { decodeItem, keyedItem, SkipError, type KeyedItem } from './items';
import { StoreConflict, type StoreKey, type VectorStore } from './store';
import { VectorTable, type ChunkRecord, type VectorData } from './table';
import type {
  IndexAddOptions, IndexAddProgress, IndexAddResult, IndexHit, IndexInfo, IndexItem, SkippedFile, SkipReason, VectorPrecision,
} from './types';

export interface IndexMeta {
  format: 1;
  name: string;
  model: string;
  /** 0 until the first vector is stored. */
  dim: number;
  precision: VectorPrecision;
  count: number;
  chunks: number[];
  nextChunk: number;
  /** Bumped by every commit; commits are guarded by it (two tabs cannot interleave). */
  version: number;
  created: number;
  updated: number;
}

/** Rows per chunk once small chunks are merged. */
export const CHUNK_ROWS = 4096;
/** Small chunks tolerated during a long add before they are merged. */
const MAX_SMALL_CHUNKS = 32;
const COMMIT_ATTEMPTS = 4;

const metaKey = (name: string): StoreKey => ['meta', name];
const chunkKey = (name: string, id: number): StoreKey => ['chunk', name, id];

interface Plan {
  puts: [StoreKey, unknown][];
  deletes: StoreKey[];
  meta: IndexMeta;
  apply(): void;
}

interface Entry {
  key: string;
  version: string;
  vector: VectorData;
}

export interface OpenOptions {
  /** The model the caller wants; an index holding vectors of another model is refused. */
  model?: string;
  /** The model of a new index when `model` is not given. */
  defaultModel: string;
  precision?: VectorPrecision;
}

export interface AddDependencies {
  /** The model, asked for only when an image must be embedded (re-adding unchanged files never loads it). */
  embedder: () => Promise<Embedder>;
  /** Runs GPU work in turn with other requests (the worker's queue). Default: right away. */
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface AddOptions extends IndexAddOptions {
  signal?: AbortSignal;
  onProgress?: (progress: IndexAddProgress) => void;
}

export class ImageIndex {
  private table: VectorTable | null = null;
  private matrix: GpuMatrix | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private dropped = false;

  private constructor(
    private readonly store: VectorStore,
    readonly name: string,
    private meta: IndexMeta,
  ) {}

  /** Opens (or creates, on its first commit) the index `name`. Refuses one that holds another model's vectors. */
  static async open(store: VectorStore, name: string, options: OpenOptions): Promise<ImageIndex> {
    if (typeof name !== 'string' || name === '') throw new IrisError('bad-input', 'An index needs a non-empty name.');
    const stored = (await store.get(metaKey(name))) as IndexMeta | undefined;
    const now = Date.now();
    const meta: IndexMeta = stored ?? {
      format: 1, name, model: options.model ?? options.defaultModel, dim: 0, precision: options.precision ?? 'f16',
      count: 0, chunks: [], nextChunk: 0, version: 0, created: now, updated: now,
    };
    if (meta.format !== 1) throw new IrisError('bad-input', `The stored index "${name}" has format ${String(meta.format)}, which this version of Iris cannot read.`);
    const index = new ImageIndex(store, name, meta);
    await index.load(meta);
    if (options.model) index.bindModel(options.model, options.precision);
    return index;
  }

  get model(): string {
    return this.meta.model;
  }

  get size(): number {
    return this.table?.size ?? 0;
  }

  get dim(): number {
    return this.table?.dim ?? this.meta.dim;
  }

  info(): IndexInfo {
    return {
      name: this.name, model: this.meta.model, dim: this.dim, precision: this.table?.precision ?? this.meta.precision,
      size: this.size, vectorBytes: this.table?.vectorBytes ?? 0, version: this.meta.version,
    };
  }

  keys(): string[] {
    return [...(this.table?.keys ?? [])];
  }

  /** The stored embedding of a key (f32), for "more like this" queries. */
  vectorOf(key: string): Float32Array {
    const row = this.table?.rowOfKey(key);
    if (row === undefined) throw new IrisError('bad-input', `"${key}" is not in the index "${this.name}".`);
    return this.table!.vector(row);
  }

  /**
   * Embeds and stores the items that are new or whose version changed, in committed batches; skips
   * (and reports) anything that is not a decodable image. A cancelled run keeps every committed batch.
   */
  async add(items: ReadonlyArray<File | IndexItem>, deps: AddDependencies, options: AddOptions = {}): Promise<IndexAddResult> {
    const start = performance.now();
    const { signal, onProgress } = options;
    const batchSize = Math.max(1, Math.min(256, Math.floor(options.batchSize ?? 16)));
    const exclusive = deps.exclusive ?? ((work) => work());
    const model = this.meta.model;
    // The last occurrence of a key wins, at the position of its first.
    const byKey = new Map<string, KeyedItem>();
    items.forEach((item, i) => {
      const keyed = keyedItem(item, i);
      byKey.set(keyed.key, keyed);
    });
    const queue = [...byKey.values()];
    const skipped: SkippedFile[] = [];
    const counts = { processed: 0, embedded: 0, added: 0, updated: 0, unchanged: 0 };
    const progress = () => onProgress?.({
      total: items.length, processed: counts.processed + (items.length - queue.length),
      embedded: counts.embedded, unchanged: counts.unchanged, skipped: skipped.length, size: this.size,
    });
    let embedder: Embedder | null = null;
    const getEmbedder = async (): Promise<Embedder> => {
      if (!embedder) {
        embedder = await deps.embedder();
        this.bindDim(embedder.dim);
      }
      return embedder;
    };

    const embedAndCommit = async (batch: Array<{ item: KeyedItem; pixels: Float32Array }>): Promise<void> => {
      const loaded = await getEmbedder();
      const dim = loaded.dim;
      const pixels = new Float32Array(batch.reduce((n, b) => n + b.pixels.length, 0));
      batch.reduce((offset, b) => (pixels.set(b.pixels, offset), offset + b.pixels.length), 0);
      const vectors = await exclusive(() => loaded.embedPixels(pixels, batch.length));
      await this.lock(async () => {
        const precision = this.table?.precision ?? this.meta.precision;
        const entries = batch.map(({ item }, i) => {
          const vector = vectors.subarray(i * dim, (i + 1) * dim);
          return { key: item.key, version: item.version, vector: precision === 'f16' ? f32ArrayToF16(vector) : vector };
        });
        const before = new Set(entries.filter((e) => this.table?.has(e.key)).map((e) => e.key));
        await this.commit(() => this.planUpsert(entries, model, dim, precision));
        counts.updated += before.size;
        counts.added += entries.length - before.size;
        counts.embedded += entries.length;
        counts.processed += entries.length;
        await this.compact(false);
      });
      progress();
    };

    let pending: Promise<void> | null = null;
    try {
      let cursor = 0;
      while (cursor < queue.length) {
        // Decode the next batch while the previous one is on the GPU.
        const batch: Array<{ item: KeyedItem; pixels: Float32Array }> = [];
        while (cursor < queue.length && batch.length < batchSize) {
          throwIfAborted(signal, 'Indexing');
          const item = queue[cursor++]!;
          if (this.table?.versionOf(item.key) === item.version) {
            counts.unchanged++;
            counts.processed++;
            continue;
          }
          try {
            const image = await decodeItem(item, signal);
            batch.push({ item, pixels: (await getEmbedder()).preprocess(image) });
          } catch (error) {
            const reason: SkipReason | null = error instanceof SkipError ? error.reason : isIrisError(error, 'bad-image') ? 'undecodable' : null;
            if (!reason) throw error;
            skipped.push({ key: item.key, reason, message: (error as Error).message });
            counts.processed++;
          }
        }
        if (pending) await pending;
        pending = null;
        throwIfAborted(signal, 'Indexing');
        if (batch.length > 0) {
          pending = embedAndCommit(batch);
          pending.catch(() => undefined); // handled when awaited; not an unhandled rejection meanwhile
        } else {
          progress();
        }
      }
      if (pending) await pending;
      pending = null;
      await this.lock(() => this.compact(true));
    } catch (error) {
      // A batch already on the GPU is still committed: what was embedded is not thrown away.
      if (pending) await pending.catch(() => undefined);
      throw this.explainFailure(error, counts.embedded, items.length, signal);
    }
    const ms = performance.now() - start;
    const skippedByReason: Record<SkipReason, number> = { 'not-an-image': 0, empty: 0, unreadable: 0, undecodable: 0 };
    for (const s of skipped) skippedByReason[s.reason]++;
    return {
      added: counts.added, updated: counts.updated, unchanged: counts.unchanged, skipped, skippedByReason,
      size: this.size, ms, imagesPerSecond: counts.embedded / (ms / 1000),
    };
  }

  /**
   * The best `topK` keys for each query [q, dim] (unit-length embeddings), by cosine similarity, ties to the
   * earlier-stored key. The matrix stays on `gpu` between calls; only changed rows are uploaded.
   */
  search(gpu: Gpu, queries: Float32Array, q: number, topK: number): Promise<IndexHit[][]> {
    if (!Number.isInteger(topK) || topK < 1) return Promise.reject(new IrisError('bad-input', `topK must be a positive integer, got ${topK}.`));
    return this.lock(async () => {
      await this.refresh();
      const table = this.table;
      if (!table || table.size === 0) return Array.from({ length: q }, () => []);
      if (queries.length !== q * table.dim) {
        throw new IrisError('bad-input', `The query has ${queries.length / q} values per vector; the index "${this.name}" holds ${table.dim}-value embeddings of ${this.meta.model}.`);
      }
      if (!this.matrix || this.matrix.gpu !== gpu || gpu.lost) {
        this.matrix?.destroy();
        this.matrix = new GpuMatrix(gpu, table.dim, table.precision === 'f16' && gpu.features.f16 ? 'f16' : 'f32');
        table.markAllDirty();
      }
      try {
        this.matrix.sync(table.rows(), table.precision, table.size, table.takeDirty());
        const hits = await this.matrix.search(queries, q, topK);
        return hits.map((h) => Array.from(h.rows, (row, i) => ({ key: table.keys[row]!, score: h.scores[i]! })));
      } catch (error) {
        this.matrix.destroy(); // rebuilt from the table next time
        this.matrix = null;
        throw error;
      }
    });
  }

  /** Removes these keys (unknown ones are ignored); returns how many were removed. */
  remove(keys: readonly string[]): Promise<number> {
    return this.lock(async () => {
      await this.refresh();
      const table = this.table;
      const present = [...new Set(keys)].filter((key) => table?.has(key));
      if (!table || present.length === 0) return 0;
      await this.commit(() => this.planRemove(present));
      await this.compact(false);
      return present.length;
    });
  }

  clear(): Promise<void> {
    return this.lock(async () => {
      await this.commit(() => ({
        puts: [],
        deletes: this.meta.chunks.map((id) => chunkKey(this.name, id)),
        meta: { ...this.meta, count: 0, chunks: [], version: this.meta.version + 1, updated: Date.now() },
        apply: () => this.table?.clear(),
      }));
    });
  }

  /**
   * Deletes the index from storage altogether. This object refuses every later change (an add still running
   * stops at its next commit), so a deleted index is not brought back half-filled.
   */
  drop(): Promise<void> {
    return this.lock(async () => {
      this.dropped = true;
      await ImageIndex.deleteStored(this.store, this.name);
      this.table?.clear();
      this.meta = { ...this.meta, count: 0, chunks: [], version: 0 };
      this.dispose();
    });
  }

  /** Deletes a stored index without reading its vectors. */
  static async deleteStored(store: VectorStore, name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const meta = (await store.get(metaKey(name))) as IndexMeta | undefined;
      if (!meta) return;
      try {
        await store.commit([], [metaKey(name), ...meta.chunks.map((id) => chunkKey(name, id))], { key: metaKey(name), version: meta.version });
        return;
      } catch (error) {
        if (!(error instanceof StoreConflict) || attempt >= COMMIT_ATTEMPTS) throw error;
      }
    }
  }

  export(): Promise<Blob> {
    return this.lock(async () => {
      await this.refresh();
      const table = this.table;
      return encodeIndexFile({
        name: this.name, model: this.meta.model, dim: this.dim, precision: table?.precision ?? this.meta.precision,
        keys: table?.keys ?? [], versions: table?.versions ?? [], vectors: table?.rows() ?? new Uint16Array(0),
      });
    });
  }

  /**
   * Adds the entries of an export (same keys replaced), or with `replace` makes the index exactly the file.
   * An empty index takes on the file's model; a non-empty one refuses a file of another model.
   */
  import(blob: Blob, options: { replace?: boolean } = {}): Promise<number> {
    return this.lock(async () => {
      const file = await decodeIndexFile(blob);
      await this.refresh();
      const adopt = options.replace || this.size === 0;
      if (!adopt) this.checkModel(file.model, 'import a file of');
      if (!adopt && file.dim !== this.dim) throw new IrisError('bad-input', `The file holds ${file.dim}-value vectors; the index "${this.name}" holds ${this.dim}-value ones.`);
      await this.commit(() => this.planImport(file, adopt));
      return file.keys.length;
    });
  }

  /** Frees the GPU copy (the index stays usable: the next search uploads it again). */
  dispose(): void {
    this.matrix?.destroy();
    this.matrix = null;
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private lock<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Binds the index to `model` (default: its own) and, while it is empty, to `precision`. Refused with a
   * 'bad-input' IrisError when it holds vectors of another model.
   */
  useModel(model: string = this.meta.model, precision?: VectorPrecision): void {
    this.bindModel(model, precision);
  }

  /** Picks up what other tabs committed since this copy was read. */
  sync(): Promise<void> {
    return this.lock(() => this.refresh());
  }

  private bindModel(model: string, precision?: VectorPrecision): void {
    if (this.size > 0) return this.checkModel(model, 'use');
    if (model !== this.meta.model) this.meta = { ...this.meta, model, dim: 0 };
    if (precision && precision !== this.meta.precision) this.meta = { ...this.meta, precision };
    if (this.table && (this.table.dim !== this.meta.dim || this.table.precision !== this.meta.precision)) this.table = null;
  }

  private checkModel(model: string, action: string): void {
    if (model === this.meta.model || this.size === 0) return;
    throw new IrisError(
      'bad-input',
      `The index "${this.name}" holds ${this.size} image embeddings made by ${this.meta.model}; it cannot ${action} ${model}: ` +
        'embeddings of different models are not comparable, so they are never mixed.',
      { hint: `Open it with { model: '${this.meta.model}' }, use another index name for ${model}, or delete this index first.` },
    );
  }

  /** The first embedding fixes the dimension of a new index. */
  private bindDim(dim: number): void {
    if (this.table) {
      if (this.table.dim !== dim) {
        throw new IrisError('bad-input', `The index "${this.name}" holds ${this.table.dim}-value embeddings; ${this.meta.model} now gives ${dim} values.`, {
          hint: 'The model changed under the same name: clear the index and add the images again.',
        });
      }
      return;
    }
    this.table = new VectorTable(dim, this.meta.precision);
    this.meta = { ...this.meta, dim };
  }

  /** Reads every chunk of `meta` into a new table. Chunks that have gone missing are dropped from the meta. */
  private async load(meta: IndexMeta): Promise<void> {
    this.dispose();
    this.meta = meta;
    this.table = null;
    if (meta.dim === 0) return;
    const table = new VectorTable(meta.dim, meta.precision);
    const records = (await this.store.getMany(meta.chunks.map((id) => chunkKey(this.name, id)))) as Array<ChunkRecord | undefined>;
    const live: number[] = [];
    records.forEach((record, i) => {
      if (!record) return;
      live.push(meta.chunks[i]!);
      table.putChunk(meta.chunks[i]!, record);
    });
    this.table = table;
    if (live.length !== meta.chunks.length || table.size !== meta.count) this.meta = { ...meta, chunks: live, count: table.size };
  }

  private async reload(): Promise<void> {
    const stored = (await this.store.get(metaKey(this.name))) as IndexMeta | undefined;
    const model = this.meta.model;
    if (stored) await this.load(stored);
    else await this.load({ ...this.meta, model, dim: 0, count: 0, chunks: [], version: 0 });
  }

  /** Picks up changes another tab committed since this copy was read. */
  private async refresh(): Promise<void> {
    const stored = (await this.store.get(metaKey(this.name))) as IndexMeta | undefined;
    if ((stored?.version ?? 0) !== this.meta.version) await this.reload();
  }

  /** One atomic, version-guarded write; on a conflict (another tab wrote), reloads and plans again. */
  private async commit(plan: () => Plan): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.dropped) throw new IrisError('aborted', `The index "${this.name}" was deleted.`);
      const p = plan();
      try {
        await this.store.commit([...p.puts, [metaKey(this.name), p.meta]], p.deletes, { key: metaKey(this.name), version: this.meta.version });
      } catch (error) {
        if (error instanceof StoreConflict && attempt < COMMIT_ATTEMPTS) {
          await this.reload();
          continue;
        }
        if (isQuotaError(error)) {
          throw new IrisError('quota-exceeded', `The browser refused to store more of the index "${this.name}" (storage quota); the ${this.size} images stored so far are kept.`, {
            cause: error, hint: 'Free some disk space or remove other site data, then add the same files again: only the missing ones are embedded.',
          });
        }
        throw error;
      }
      this.meta = p.meta;
      p.apply();
      return;
    }
  }

  private nextMeta(changes: Partial<IndexMeta>): IndexMeta {
    return { ...this.meta, ...changes, version: this.meta.version + 1, updated: Date.now() };
  }

  /** Chunks that lose `keys`: rewritten without them, or deleted when nothing is left. */
  private shrinkChunks(keys: Iterable<string>, puts: [StoreKey, unknown][], deletes: StoreKey[], chunks: Set<number>): void {
    const table = this.table!;
    const lost = new Map<number, Set<string>>();
    for (const key of keys) {
      const row = table.rowOfKey(key);
      if (row === undefined) continue;
      const id = table.chunkOf[row]!;
      if (!lost.has(id)) lost.set(id, new Set());
      lost.get(id)!.add(key);
    }
    for (const [id, gone] of lost) {
      const remaining = table.keysOfChunk(id).filter((key) => !gone.has(key));
      if (remaining.length === 0) {
        deletes.push(chunkKey(this.name, id));
        chunks.delete(id);
      } else {
        puts.push([chunkKey(this.name, id), table.chunkRecord(remaining)]);
      }
    }
  }

  /** (The checks matter after a reload: another tab may have cleared the index and rebound it.) */
  private planUpsert(entries: Entry[], model: string, dim: number, precision: VectorPrecision): Plan {
    if (this.meta.model !== model) {
      throw new IrisError('bad-input', `The index "${this.name}" was switched to ${this.meta.model} by another tab while ${model} embeddings were being added; the rest were not stored.`);
    }
    this.bindDim(dim);
    const table = this.table!;
    if (table.precision !== precision) throw new IrisError('bad-input', `The index "${this.name}" was re-created with ${table.precision} vectors by another tab while images were being added.`);
    const id = this.meta.nextChunk;
    const vectors = table.precision === 'f16' ? new Uint16Array(entries.length * table.dim) : new Float32Array(entries.length * table.dim);
    entries.forEach((e, i) => vectors.set(e.vector, i * table.dim));
    const record: ChunkRecord = { keys: entries.map((e) => e.key), versions: entries.map((e) => e.version), vectors: vectors.buffer as ArrayBuffer };
    const puts: [StoreKey, unknown][] = [[chunkKey(this.name, id), record]];
    const deletes: StoreKey[] = [];
    const chunks = new Set(this.meta.chunks);
    this.shrinkChunks(entries.map((e) => e.key), puts, deletes, chunks);
    chunks.add(id);
    const added = entries.filter((e) => !table.has(e.key)).length;
    return {
      puts, deletes,
      meta: this.nextMeta({ chunks: [...chunks], nextChunk: id + 1, count: table.size + added, dim: table.dim, precision: table.precision }),
      apply: () => entries.forEach((e) => table.put(e.key, e.version, e.vector, id)),
    };
  }

  private planRemove(keys: string[]): Plan {
    const table = this.table!;
    const puts: [StoreKey, unknown][] = [];
    const deletes: StoreKey[] = [];
    const chunks = new Set(this.meta.chunks);
    const present = keys.filter((key) => table.has(key));
    this.shrinkChunks(present, puts, deletes, chunks);
    return {
      puts, deletes,
      meta: this.nextMeta({ chunks: [...chunks], count: table.size - present.length }),
      apply: () => present.forEach((key) => table.remove(key)),
    };
  }

  private planImport(file: Awaited<ReturnType<typeof decodeIndexFile>>, adopt: boolean): Plan {
    const replace = adopt;
    // The file's precision is kept when the index takes it on, else converted to the index's.
    const target = adopt ? new VectorTable(file.dim, file.precision) : this.table!;
    let id = this.meta.nextChunk;
    const puts: [StoreKey, unknown][] = [];
    const deletes: StoreKey[] = replace ? this.meta.chunks.map((c) => chunkKey(this.name, c)) : [];
    const chunks = new Set(replace ? [] : this.meta.chunks);
    if (!replace) this.shrinkChunks(file.keys.filter((key) => target.has(key)), puts, deletes, chunks);
    const newChunks: Array<{ id: number; from: number; to: number }> = [];
    for (let from = 0; from < file.keys.length; from += CHUNK_ROWS) {
      newChunks.push({ id, from, to: Math.min(from + CHUNK_ROWS, file.keys.length) });
      chunks.add(id++);
    }
    const convert = (row: number): VectorData => {
      const raw = file.vectors.subarray(row * file.dim, (row + 1) * file.dim);
      if (target.precision === file.precision) return raw;
      return raw instanceof Uint16Array ? f16ArrayToF32(raw) : f32ArrayToF16(raw);
    };
    for (const { id: chunk, from, to } of newChunks) {
      const vectors = target.precision === 'f16' ? new Uint16Array((to - from) * file.dim) : new Float32Array((to - from) * file.dim);
      for (let r = from; r < to; r++) vectors.set(convert(r), (r - from) * file.dim);
      puts.push([chunkKey(this.name, chunk), { keys: file.keys.slice(from, to), versions: file.versions.slice(from, to), vectors: vectors.buffer as ArrayBuffer } satisfies ChunkRecord]);
    }
    const existing = replace ? 0 : target.size - file.keys.filter((key) => target.has(key)).length;
    return {
      puts, deletes,
      meta: this.nextMeta({
        chunks: [...chunks], nextChunk: id, count: existing + file.keys.length,
        ...(adopt ? { model: file.model, dim: file.dim, precision: file.precision } : {}),
      }),
      apply: () => {
        if (adopt) {
          this.dispose();
          this.table = target;
        }
        for (const { id: chunk, from, to } of newChunks) {
          for (let r = from; r < to; r++) target.put(file.keys[r]!, file.versions[r]!, convert(r), chunk);
        }
      },
    };
  }

  /**
   * Merges small chunks (fewer than CHUNK_ROWS rows) into bigger ones, one atomic commit per merged chunk:
   * when `force`, any two or more; otherwise only once MAX_SMALL_CHUNKS have piled up.
   */
  private async compact(force: boolean): Promise<void> {
    for (;;) {
      const table = this.table;
      if (!table) return;
      const small = [...table.chunks()].filter(([, rows]) => rows < CHUNK_ROWS).sort((a, b) => a[0] - b[0]);
      if (small.length < 2 || (!force && small.length < MAX_SMALL_CHUNKS)) return;
      // The first run of consecutive small chunks that fit one chunk together.
      let group: number[] = [];
      let rows = 0;
      for (const [id, n] of small) {
        if (rows + n > CHUNK_ROWS) {
          if (group.length > 1) break;
          group = [];
          rows = 0;
        }
        group.push(id);
        rows += n;
      }
      if (group.length < 2) return;
      await this.commit(() => {
        const id = this.meta.nextChunk;
        const keys = group.flatMap((g) => this.table!.keysOfChunk(g));
        const chunks = new Set(this.meta.chunks);
        group.forEach((g) => chunks.delete(g));
        chunks.add(id);
        return {
          puts: [[chunkKey(this.name, id), this.table!.chunkRecord(keys)]],
          deletes: group.map((g) => chunkKey(this.name, g)),
          meta: this.nextMeta({ chunks: [...chunks], nextChunk: id + 1 }),
          apply: () => this.table!.moveToChunk(keys, id),
        };
      });
    }
  }

  private explainFailure(error: unknown, embedded: number, total: number, signal: AbortSignal | undefined): unknown {
    if (isIrisError(error, 'aborted') && signal?.aborted) {
      return new IrisError('aborted', `Indexing was cancelled after ${embedded} new images of ${total} files; the ${this.size} images in the index "${this.name}" are kept.`, { cause: error });
    }
    return error;
  }
}
