/**
 * The worker's copy of an index: every key, its version and its vector in one growable row-major array
 * (f16 bits or f32, as stored), which storage chunk holds each key, and which rows changed since the GPU copy
 * was last brought up to date. Removal moves the last row into the hole, so rows stay dense.
 */
import { f16ArrayToF32 } from '../gpu/half';
import type { VectorPrecision } from './types';

export type VectorData = Uint16Array | Float32Array;

/** One stored chunk: parallel arrays of keys and versions, and their vectors [keys.length, dim]. */
export interface ChunkRecord {
  keys: string[];
  versions: string[];
  /** f16 bits (precision 'f16') or f32 values, row-major. */
  vectors: ArrayBuffer;
}

/** Rows [from, to) whose vectors changed, or 'all'. */
export type DirtyRows = Array<[number, number]> | 'all';

/** Beyond this many separate changed ranges, the GPU copy is rewritten whole. */
const MAX_DIRTY_RANGES = 1024;

export class VectorTable {
  private data: VectorData;
  private capacity = 0;
  readonly keys: string[] = [];
  readonly versions: string[] = [];
  /** Storage chunk of each row. */
  readonly chunkOf: number[] = [];
  private readonly rowOf = new Map<string, number>();
  private readonly chunkKeys = new Map<number, Set<string>>();
  private dirty: DirtyRows = 'all';

  constructor(
    readonly dim: number,
    readonly precision: VectorPrecision,
  ) {
    this.data = this.allocate(0);
  }

  get size(): number {
    return this.keys.length;
  }

  get vectorBytes(): number {
    return this.size * this.dim * (this.precision === 'f16' ? 2 : 4);
  }

  has(key: string): boolean {
    return this.rowOf.has(key);
  }

  rowOfKey(key: string): number | undefined {
    return this.rowOf.get(key);
  }

  versionOf(key: string): string | undefined {
    const row = this.rowOf.get(key);
    return row === undefined ? undefined : this.versions[row];
  }

  /** The stored vectors of rows [from, to), as stored (f16 bits or f32). A view: copy before keeping. */
  rows(from = 0, to = this.size): VectorData {
    return this.data.subarray(from * this.dim, to * this.dim);
  }

  /** One row as f32 (f16 widened). */
  vector(row: number): Float32Array {
    const raw = this.rows(row, row + 1);
    return raw instanceof Float32Array ? raw.slice() : f16ArrayToF32(raw);
  }

  /** Chunk ids and how many rows each holds. */
  chunks(): Map<number, number> {
    return new Map([...this.chunkKeys].map(([id, keys]) => [id, keys.size]));
  }

  keysOfChunk(id: number): string[] {
    return [...(this.chunkKeys.get(id) ?? [])];
  }

  /** A chunk record of these keys (all present in the table), `replacements` taking precedence. */
  chunkRecord(keys: readonly string[], replacements?: Map<string, { version: string; vector: VectorData }>): ChunkRecord {
    const out = this.allocate(keys.length);
    const versions = keys.map((key, i) => {
      const replaced = replacements?.get(key);
      if (replaced) {
        out.set(replaced.vector, i * this.dim);
        return replaced.version;
      }
      const row = this.rowOf.get(key)!;
      out.set(this.rows(row, row + 1), i * this.dim);
      return this.versions[row]!;
    });
    return { keys: [...keys], versions, vectors: out.buffer as ArrayBuffer };
  }

  /** Adds a key or overwrites its row in place; `vector` is in stored form (f16 bits or f32). */
  put(key: string, version: string, vector: VectorData, chunk: number): void {
    let row = this.rowOf.get(key);
    if (row === undefined) {
      row = this.size;
      this.reserve(row + 1);
      this.keys.push(key);
      this.versions.push(version);
      this.chunkOf.push(chunk);
      this.rowOf.set(key, row);
    } else {
      this.leaveChunk(key, this.chunkOf[row]!);
      this.versions[row] = version;
      this.chunkOf[row] = chunk;
    }
    this.data.set(vector.subarray(0, this.dim), row * this.dim);
    this.chunkSet(chunk).add(key);
    this.markDirty(row);
  }

  /** Adds every row of a stored chunk. */
  putChunk(id: number, record: ChunkRecord): void {
    const vectors = this.precision === 'f16' ? new Uint16Array(record.vectors) : new Float32Array(record.vectors);
    record.keys.forEach((key, i) => this.put(key, record.versions[i]!, vectors.subarray(i * this.dim, (i + 1) * this.dim), id));
  }

  /** Moves keys to another chunk (after a merge). */
  moveToChunk(keys: readonly string[], chunk: number): void {
    for (const key of keys) {
      const row = this.rowOf.get(key)!;
      this.leaveChunk(key, this.chunkOf[row]!);
      this.chunkOf[row] = chunk;
      this.chunkSet(chunk).add(key);
    }
  }

  remove(key: string): boolean {
    const row = this.rowOf.get(key);
    if (row === undefined) return false;
    this.leaveChunk(key, this.chunkOf[row]!);
    const last = this.size - 1;
    if (row !== last) {
      this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.keys[row] = this.keys[last]!;
      this.versions[row] = this.versions[last]!;
      this.chunkOf[row] = this.chunkOf[last]!;
      this.rowOf.set(this.keys[row]!, row);
      this.markDirty(row);
    }
    this.keys.pop();
    this.versions.pop();
    this.chunkOf.pop();
    this.rowOf.delete(key);
    return true;
  }

  clear(): void {
    this.keys.length = 0;
    this.versions.length = 0;
    this.chunkOf.length = 0;
    this.rowOf.clear();
    this.chunkKeys.clear();
    this.data = this.allocate(0);
    this.capacity = 0;
    this.dirty = 'all';
  }

  /** The rows changed since the last call (or 'all'), for the GPU copy; resets the record. */
  takeDirty(): DirtyRows {
    const dirty = this.dirty;
    this.dirty = [];
    return dirty;
  }

  /** The next takeDirty() says 'all' (a new GPU copy is being made). */
  markAllDirty(): void {
    this.dirty = 'all';
  }

  private markDirty(row: number): void {
    if (this.dirty === 'all') return;
    const last = this.dirty[this.dirty.length - 1];
    if (last && last[1] === row) last[1] = row + 1;
    else if (last && row >= last[0] && row < last[1]) return;
    else if (this.dirty.length >= MAX_DIRTY_RANGES) this.dirty = 'all';
    else this.dirty.push([row, row + 1]);
  }

  private leaveChunk(key: string, id: number): void {
    const set = this.chunkKeys.get(id);
    set?.delete(key);
    if (set?.size === 0) this.chunkKeys.delete(id);
  }

  private chunkSet(id: number): Set<string> {
    let set = this.chunkKeys.get(id);
    if (!set) this.chunkKeys.set(id, (set = new Set()));
    return set;
  }

  private allocate(rows: number): VectorData {
    return this.precision === 'f16' ? new Uint16Array(rows * this.dim) : new Float32Array(rows * this.dim);
  }

  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, Math.ceil(this.capacity * 1.5), 256);
    const grown = this.allocate(capacity);
    grown.set(this.data.subarray(0, this.size * this.dim));
    this.data = grown;
    this.capacity = capacity;
  }
}
