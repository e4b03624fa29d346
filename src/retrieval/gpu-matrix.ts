/**
 * Stored vectors on the GPU, kept there between queries, and the search over them: scores = queries ·
 * matrixᵀ (kernels/similarity) followed by a top-K (kernels/topk), one submit, one readback of K results.
 *
 * The matrix is a list of segments (dedicated buffers) of doubling capacity — 1024 rows, 2048, … up to what one
 * storage binding may hold — so growing never copies what is already on the GPU, and 100,000 f32 vectors fit
 * devices whose bindings are limited to 128 MiB. Rows are zero-padded to a multiple of 4 values and stored in
 * the similarity kernel's blocked layout (blocks of 4 rows), so a changed row is uploaded with its block.
 * The element type is the caller's choice (f16 needs shader-f16), whatever the host precision.
 */
import { IrisError } from '../errors';
import type { Gpu } from '../gpu/gpu';
import { f16ArrayToF32, f32ArrayToF16 } from '../gpu/half';
import { Recorder } from '../gpu/recorder';
import { Tensor } from '../gpu/tensor';
import { blockRows, SIMILARITY_BLOCK, similarity } from '../kernels/similarity';
import { MAX_TOPK, topK, topKReference } from '../kernels/topk';
import type { DirtyRows, VectorData } from './table';

const FIRST_SEGMENT_ROWS = 1024;
/** Segment rows are also bounded by one dispatch of the similarity kernel (64 rows per workgroup). */
const MAX_SEGMENT_ROWS = 1 << 20;

interface Segment {
  tensor: Tensor;
  start: number;
  capacity: number;
}

export interface SearchHits {
  /** Rows of the matrix, best first. */
  rows: Uint32Array;
  scores: Float32Array;
}

export class GpuMatrix {
  readonly dtype: 'f16' | 'f32';
  readonly dim4: number;
  private readonly segments: Segment[] = [];
  private readonly maxSegmentRows: number;
  /** Rows that hold vectors (the segments may have room for more). */
  rows = 0;

  constructor(
    readonly gpu: Gpu,
    readonly dim: number,
    dtype?: 'f16' | 'f32',
  ) {
    this.dtype = dtype ?? (gpu.features.f16 ? 'f16' : 'f32');
    if (this.dtype === 'f16' && !gpu.features.f16) throw new IrisError('bad-input', 'GpuMatrix: this device has no shader-f16.');
    this.dim4 = Math.ceil(dim / 4) * 4;
    const limits = gpu.device.limits;
    const rowBytes = this.dim4 * (this.dtype === 'f16' ? 2 : 4);
    const fit = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / rowBytes);
    this.maxSegmentRows = Math.min(MAX_SEGMENT_ROWS, Math.floor(fit / SIMILARITY_BLOCK) * SIMILARITY_BLOCK);
    if (this.maxSegmentRows < SIMILARITY_BLOCK) throw new IrisError('bad-input', `Vectors of ${dim} values do not fit one GPU storage binding.`);
  }

  /** GPU memory held, in bytes. */
  get bytes(): number {
    return this.segments.reduce((sum, s) => sum + s.tensor.byteLength, 0);
  }

  /**
   * Brings the GPU copy up to date with host rows [0, rows): the dirty ranges, or everything. `data` is
   * row-major [rows, dim] in `precision` (f16 bits or f32).
   */
  sync(data: VectorData, precision: 'f16' | 'f32', rows: number, dirty: DirtyRows): void {
    this.reserve(rows);
    const ranges = dirty === 'all' ? [[0, rows] as [number, number]] : [...dirty].sort((a, b) => a[0] - b[0]);
    // Whole blocks: a changed row is rewritten with the other rows of its block (from the host copy).
    let written = 0;
    for (const [from, to] of ranges) {
      const start = Math.max(Math.floor(from / SIMILARITY_BLOCK) * SIMILARITY_BLOCK, written);
      const end = Math.min(Math.ceil(to / SIMILARITY_BLOCK) * SIMILARITY_BLOCK, Math.ceil(rows / SIMILARITY_BLOCK) * SIMILARITY_BLOCK);
      if (end > start) this.write(data, precision, start, end, rows);
      written = Math.max(written, end);
    }
    this.rows = rows;
  }

  /** Scores of every row for each query [q, dim] (f32), and the best `k` rows of each, best first. */
  async search(queries: Float32Array, q: number, k: number): Promise<SearchHits[]> {
    if (queries.length !== q * this.dim) throw new IrisError('bad-input', `Queries must be ${q} × ${this.dim} values, got ${queries.length}.`);
    if (this.rows === 0 || q === 0) return Array.from({ length: q }, () => ({ rows: new Uint32Array(0), scores: new Float32Array(0) }));
    const kept = Math.min(k, this.rows);
    const rec = new Recorder(this.gpu, 'retrieval.search');
    const query = rec.upload(this.pad(queries, q), [q, this.dim4], 'f32', 'retrieval.queries');
    const scores = this.gpu.empty([q, this.rows], 'f32', 'retrieval.scores');
    for (const segment of this.segments) {
      const rows = Math.min(segment.capacity, this.rows - segment.start);
      if (rows > 0) similarity(rec, segment.tensor, query, { out: scores, base: segment.start, rows });
    }
    let hits: Promise<SearchHits[]>;
    if (kept <= MAX_TOPK) {
      const top = topK(rec, scores, kept);
      const [values, indices] = [rec.read(top.values), rec.read(top.indices)];
      rec.releaseAfterSubmit(top.values, top.indices);
      hits = Promise.all([values, indices]).then(([v, i]) =>
        Array.from({ length: q }, (_, r) => ({ rows: (i as Uint32Array).slice(r * kept, (r + 1) * kept), scores: (v as Float32Array).slice(r * kept, (r + 1) * kept) })));
    } else {
      // More results than the kernel keeps: the same order on the CPU over the read-back scores.
      hits = rec.read(scores).then((all) => {
        const top = topKReference(all, q, this.rows, kept);
        return Array.from({ length: q }, (_, r) => ({ rows: top.indices.slice(r * kept, (r + 1) * kept), scores: top.values.slice(r * kept, (r + 1) * kept) }));
      });
    }
    rec.releaseAfterSubmit(scores);
    await rec.submit();
    return hits;
  }

  destroy(): void {
    for (const s of this.segments) s.tensor.release();
    this.segments.length = 0;
    this.rows = 0;
  }

  private reserve(rows: number): void {
    let end = this.segments.reduce((sum, s) => sum + s.capacity, 0);
    while (end < rows) {
      const previous = this.segments[this.segments.length - 1]?.capacity ?? FIRST_SEGMENT_ROWS / 2;
      const capacity = Math.min(previous * 2, this.maxSegmentRows);
      const bytes = capacity * this.dim4 * (this.dtype === 'f16' ? 2 : 4);
      const buffer = this.gpu.device.createBuffer({
        size: bytes,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
        label: `retrieval.matrix[${this.segments.length}]`,
      });
      const tensor = new Tensor(buffer, [capacity, this.dim4], this.dtype, (b) => b.destroy());
      this.segments.push({ tensor, start: end, capacity });
      end += capacity;
    }
  }

  /**
   * Writes the blocks of rows [from, to) (block-aligned; rows at or past `available` are zeros) into the
   * segments they fall in. Segments start at multiples of the block size, so no block straddles two.
   */
  private write(data: VectorData, precision: 'f16' | 'f32', from: number, to: number, available: number): void {
    for (const segment of this.segments) {
      const start = Math.max(from, segment.start);
      const end = Math.min(to, segment.start + segment.capacity);
      if (end <= start) continue;
      const filled = Math.max(0, Math.min(end, available) - start);
      const host = this.convert(data.subarray(start * this.dim, (start + filled) * this.dim), precision);
      const blocked = blockRows(host, filled, this.dim, end - start);
      const offset = (start - segment.start) * this.dim4 * blocked.BYTES_PER_ELEMENT;
      this.gpu.device.queue.writeBuffer(segment.tensor.buffer, offset, blocked.buffer, blocked.byteOffset, blocked.byteLength);
    }
  }

  /** Host rows in `precision` → the GPU element type. */
  private convert(rows: VectorData, precision: 'f16' | 'f32'): Uint16Array | Float32Array {
    if (this.dtype === 'f16') return precision === 'f16' ? rows : f32ArrayToF16(rows as Float32Array);
    return precision === 'f32' ? rows : f16ArrayToF32(rows as Uint16Array);
  }

  private pad(queries: Float32Array, q: number): Float32Array {
    if (this.dim4 === this.dim) return queries;
    const out = new Float32Array(q * this.dim4);
    for (let r = 0; r < q; r++) out.set(queries.subarray(r * this.dim, (r + 1) * this.dim), r * this.dim4);
    return out;
  }
}

/**
 * Ranks candidate vectors [n, dim] for each query [q, dim] through the same GPU path (image → texts: the
 * candidates are a user's list of text embeddings). The matrix lives only for this call.
 */
export async function rankCandidates(gpu: Gpu, queries: Float32Array, q: number, candidates: Float32Array, dim: number, k: number): Promise<SearchHits[]> {
  const n = candidates.length / dim;
  if (!Number.isInteger(n)) throw new IrisError('bad-input', `Candidates must be rows of ${dim} values.`);
  const matrix = new GpuMatrix(gpu, dim, 'f32');
  try {
    matrix.sync(candidates, 'f32', n, 'all');
    return await matrix.search(queries, q, k);
  } finally {
    matrix.destroy();
  }
}
