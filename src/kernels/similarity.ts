/**
 * similarity: scores[q, base + r] = queries[q] · matrix[r] for the rows of one segment of a stored matrix
 * (shaders/similarity.wgsl) — the matrix–vector products of retrieval, one pass over the matrix per query.
 *   matrix  [rows, dim4] f32 or f16 (dim4 a multiple of 4: rows zero-padded)
 *   queries [Q, dim4] f32
 *   scores  [Q, n] f32; columns base .. base + rows are written
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import similaritySource from '../../shaders/similarity.wgsl?raw';
import { assemble, elementTypeOf, expectDType, MAX_WORKGROUPS_PER_DIM, shapeError } from './common';

/** Matrix rows per workgroup (ROWS_PER_GROUP in the shader). */
const ROWS_PER_GROUP = 32;

export interface SimilarityOptions {
  /** Write into this [Q, n] tensor at column `base` (default: a new [Q, rows] tensor, base 0). */
  out?: Tensor;
  base?: number;
  /** Rows of `matrix` to use (default all): a segment may be allocated larger than it is filled. */
  rows?: number;
}

export function similarity(rec: Recorder, matrix: Tensor, queries: Tensor, options: SimilarityOptions = {}): Tensor {
  const elementType = elementTypeOf(matrix, 'similarity');
  expectDType(queries, ['f32'], 'similarity', 'queries');
  if (matrix.shape.length !== 2 || queries.shape.length !== 2) throw shapeError('similarity', `matrix [${matrix.shape}] and queries [${queries.shape}] must be 2-D.`);
  const [capacity, dim4] = matrix.shape as [number, number];
  const [Q, queryDim] = queries.shape as [number, number];
  if (dim4 % 4 !== 0) throw shapeError('similarity', `matrix rows of ${dim4} values must be padded to a multiple of 4.`);
  if (queryDim !== dim4) throw shapeError('similarity', `queries [${queries.shape}] and matrix [${matrix.shape}] disagree on the row length.`);
  const rows = options.rows ?? capacity;
  if (!Number.isInteger(rows) || rows < 0 || rows > capacity) throw shapeError('similarity', `rows = ${rows} is outside the matrix [${matrix.shape}].`);
  const base = options.base ?? 0;
  const out = options.out ?? rec.gpu.empty([Q, rows], 'f32', 'similarity.out');
  if (out.dtype !== 'f32' || out.shape.length !== 2 || out.shape[0] !== Q) throw shapeError('similarity', `out [${out.shape}] ${out.dtype} must be [${Q}, n] f32.`);
  const n = out.shape[1]!;
  if (base < 0 || base + rows > n) throw shapeError('similarity', `columns ${base} .. ${base + rows} do not fit out [${out.shape}].`);
  if (Q > MAX_WORKGROUPS_PER_DIM) throw new IrisError('bad-input', `similarity: ${Q} queries are more than one dispatch covers.`);
  if (Math.ceil(rows / ROWS_PER_GROUP) > MAX_WORKGROUPS_PER_DIM) throw shapeError('similarity', `${rows} rows are more than one dispatch covers; split the matrix into segments.`);
  if (rows === 0) return out;
  rec.dispatch({
    shader: { name: 'similarity', code: assemble(similaritySource, { elementType }) },
    params: packParams([['u32', rows], ['u32', dim4 / 4], ['u32', n], ['u32', base]]),
    bindings: [matrix, queries, out],
    workgroups: [Math.ceil(rows / ROWS_PER_GROUP), Q],
    output: out,
  });
  return out;
}
