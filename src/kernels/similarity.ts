/**
 * similarity: scores[q, base + r] = queries[q] · matrix[r] for the rows of one segment of a stored matrix
 * (shaders/similarity.wgsl) — the matrix–vector products of retrieval, one pass over the matrix per query.
 *   matrix  [capacity, dim4] f32 or f16 in the BLOCKED layout of `blockRows` (capacity a multiple of 4)
 *   queries [Q, dim4] f32 row-major (dim4 a multiple of 4: rows zero-padded)
 *   scores  [Q, n] f32; columns base .. base + rows are written
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import similaritySource from '../../shaders/similarity.wgsl?raw';
import { assemble, elementTypeOf, expectDType, MAX_WORKGROUPS_PER_DIM, shapeError } from './common';

/** Rows per block of the matrix layout (BLOCK in the shader). */
export const SIMILARITY_BLOCK = 4;
const WORKGROUP = 64;

export interface SimilarityOptions {
  /** Write into this [Q, n] tensor at column `base` (default: a new [Q, rows] tensor, base 0). */
  out?: Tensor;
  base?: number;
  /** Rows of `matrix` to use (default all): a segment may be allocated larger than it is filled. */
  rows?: number;
}

/**
 * Row-major rows [count, dim] → the blocked layout the kernel reads: rows padded to dim4 = roundUp(dim, 4) and
 * to whole blocks of 4 rows (room for `capacity` rows; those past `count` are zeros), vec4 v of row r at
 * (⌊r / 4⌋ · dim4/4 + v) · 4 + r % 4. Same element type out as in.
 */
export function blockRows<T extends Float32Array | Uint16Array>(rows: T, count: number, dim: number, capacity = count): T {
  const dim4 = Math.ceil(dim / 4) * 4;
  const vecs = dim4 / 4;
  const blocks = Math.ceil(Math.max(count, capacity) / SIMILARITY_BLOCK);
  const out = (rows instanceof Uint16Array ? new Uint16Array(blocks * SIMILARITY_BLOCK * dim4) : new Float32Array(blocks * SIMILARITY_BLOCK * dim4)) as T;
  for (let r = 0; r < count; r++) {
    const base = Math.floor(r / SIMILARITY_BLOCK) * vecs * SIMILARITY_BLOCK + (r % SIMILARITY_BLOCK);
    const row = r * dim;
    for (let v = 0; v < vecs; v++) {
      const at = (base + v * SIMILARITY_BLOCK) * 4;
      const d = v * 4;
      out[at] = rows[row + d]!;
      if (d + 1 < dim) out[at + 1] = rows[row + d + 1]!;
      if (d + 2 < dim) out[at + 2] = rows[row + d + 2]!;
      if (d + 3 < dim) out[at + 3] = rows[row + d + 3]!;
    }
  }
  return out;
}

export function similarity(rec: Recorder, matrix: Tensor, queries: Tensor, options: SimilarityOptions = {}): Tensor {
  const elementType = elementTypeOf(matrix, 'similarity');
  expectDType(queries, ['f32'], 'similarity', 'queries');
  if (matrix.shape.length !== 2 || queries.shape.length !== 2) throw shapeError('similarity', `matrix [${matrix.shape}] and queries [${queries.shape}] must be 2-D.`);
  const [capacity, dim4] = matrix.shape as [number, number];
  const [Q, queryDim] = queries.shape as [number, number];
  if (dim4 % 4 !== 0) throw shapeError('similarity', `matrix rows of ${dim4} values must be padded to a multiple of 4.`);
  if (capacity % SIMILARITY_BLOCK !== 0) throw shapeError('similarity', `matrix [${matrix.shape}] must hold whole blocks of ${SIMILARITY_BLOCK} rows.`);
  if (queryDim !== dim4) throw shapeError('similarity', `queries [${queries.shape}] and matrix [${matrix.shape}] disagree on the row length.`);
  const rows = options.rows ?? capacity;
  if (!Number.isInteger(rows) || rows < 0 || rows > capacity) throw shapeError('similarity', `rows = ${rows} is outside the matrix [${matrix.shape}].`);
  const base = options.base ?? 0;
  const out = options.out ?? rec.gpu.empty([Q, rows], 'f32', 'similarity.out');
  if (out.dtype !== 'f32' || out.shape.length !== 2 || out.shape[0] !== Q) throw shapeError('similarity', `out [${out.shape}] ${out.dtype} must be [${Q}, n] f32.`);
  const n = out.shape[1]!;
  if (base < 0 || base + rows > n) throw shapeError('similarity', `columns ${base} .. ${base + rows} do not fit out [${out.shape}].`);
  if (Q > MAX_WORKGROUPS_PER_DIM) throw new IrisError('bad-input', `similarity: ${Q} queries are more than one dispatch covers.`);
  if (Math.ceil(rows / WORKGROUP) > MAX_WORKGROUPS_PER_DIM) throw shapeError('similarity', `${rows} rows are more than one dispatch covers; split the matrix into segments.`);
  if (rows === 0) return out;
  rec.dispatch({
    shader: { name: 'similarity', code: assemble(similaritySource, { elementType }) },
    params: packParams([['u32', rows], ['u32', dim4 / 4], ['u32', n], ['u32', base]]),
    bindings: [matrix, queries, out],
    workgroups: [Math.ceil(rows / WORKGROUP), Q],
    output: out,
  });
  return out;
}
