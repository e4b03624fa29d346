/**
 * topK: the K largest values of each row of a [rows, n] f32 tensor and their column indices, best first
 * (shaders/topk.wgsl). Ties go to the smaller index; −0 equals +0; NaN ranks last. `topKReference` is the
 * same order on the CPU.
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import topkSource from '../../shaders/topk.wgsl?raw';
import { MAX_WORKGROUPS_PER_DIM, shapeError } from './common';

/** Entries one workgroup sorts (CHUNK in the shader). */
export const TOPK_CHUNK = 1024;
/** The largest K the kernel keeps per row (every pass must at least halve the candidates). */
export const MAX_TOPK = TOPK_CHUNK / 2;

export interface TopK {
  /** [rows, k] f32, best first. */
  values: Tensor;
  /** [rows, k] u32: the columns of `values`. */
  indices: Tensor;
}

/** Entries per group of the prefilter (GROUP in the shader). */
const GROUP = 8;

/**
 * values [rows, n] f32 → the best min(k, n) of each row. Long rows (at least 4·k groups of 8) go through the
 * group prefilter first (see the `groups` entry point). Intermediate candidates are released after submit.
 */
export function topK(rec: Recorder, values: Tensor, k: number): TopK {
  if (values.dtype !== 'f32') throw new IrisError('bad-input', `topK: values must be f32, got ${values.dtype}.`);
  if (values.shape.length !== 2) throw shapeError('topK', `values [${values.shape}] must be [rows, n].`);
  const [rows, n] = values.shape as [number, number];
  if (rows === 0 || n === 0) throw shapeError('topK', `values [${values.shape}] is empty.`);
  if (!Number.isInteger(k) || k < 1) throw new IrisError('bad-input', `topK: k must be a positive integer, got ${k}.`);
  if (k > MAX_TOPK) throw new IrisError('bad-input', `topK: k = ${k} is more than the kernel keeps (${MAX_TOPK}).`);
  if (rows > MAX_WORKGROUPS_PER_DIM) throw shapeError('topK', `${rows} rows are more than one dispatch covers (${MAX_WORKGROUPS_PER_DIM}).`);
  const kept = Math.min(k, n);
  const groups = Math.ceil(n / GROUP);
  if (n <= TOPK_CHUNK || groups < 4 * kept) {
    const { keys, indices } = reduce(rec, values, undefined, rows, n, kept, true);
    return { values: keys, indices };
  }
  const bestKeys = rec.gpu.empty([rows, groups], 'u32', 'topk.groupKeys');
  const bestIdx = rec.gpu.empty([rows, groups], 'u32', 'topk.groupIndices');
  groupsPass(rec, 1, values, rec.gpu.placeholder, bestKeys, bestIdx, n, kept, groups, [Math.ceil(groups / 64), rows]);
  const selected = reduce(rec, bestKeys, bestIdx, rows, groups, kept, false);
  const memberKeys = rec.gpu.empty([rows, kept * GROUP], 'u32', 'topk.memberKeys');
  const memberIdx = rec.gpu.empty([rows, kept * GROUP], 'u32', 'topk.memberIndices');
  groupsPass(rec, 2, values, selected.indices, memberKeys, memberIdx, n, kept, kept * GROUP, [Math.ceil((kept * GROUP) / 64), rows]);
  rec.releaseAfterSubmit(selected.keys, selected.indices);
  const { keys, indices } = reduce(rec, memberKeys, memberIdx, rows, kept * GROUP, kept, true);
  return { values: keys, indices };
}

function groupsPass(rec: Recorder, mode: 1 | 2, values: Tensor, selected: Tensor | GPUBuffer, outKeys: Tensor, outIdx: Tensor, n: number, k: number, outStride: number, workgroups: [number, number]): void {
  rec.dispatch({
    shader: { name: 'topk.groups', code: topkSource, entryPoint: 'groups' },
    params: packParams([['u32', n], ['u32', k], ['u32', n], ['u32', outStride], ['u32', 0], ['u32', 0], ['u32', 0], ['u32', 0], ['u32', mode]]),
    bindings: [values, selected, outKeys, outIdx],
    workgroups,
  });
}

/**
 * Sorting passes until one workgroup per row is left: from the values themselves (`inputIdx` undefined: the
 * index is the column) or from (key, index) candidates, which are released after submit. The result holds
 * keys, or with `toValues` the f32 values.
 */
function reduce(rec: Recorder, input: Tensor, inputIdx: Tensor | undefined, rows: number, length: number, kept: number, toValues: boolean): { keys: Tensor; indices: Tensor } {
  const runLength = 2 ** Math.ceil(Math.log2(kept));
  for (;;) {
    const groups = Math.ceil(length / TOPK_CHUNK);
    if (groups > MAX_WORKGROUPS_PER_DIM) throw shapeError('topK', `rows of ${length} entries are more than one dispatch covers.`);
    const final = groups === 1;
    const outLength = groups * kept;
    const outKeys = rec.gpu.empty([rows, outLength], final && toValues ? 'f32' : 'u32', 'topk.keys');
    const outIdx = rec.gpu.empty([rows, outLength], 'u32', 'topk.indices');
    rec.dispatch({
      shader: { name: 'topk', code: topkSource },
      params: packParams([
        ['u32', length], ['u32', kept], ['u32', length], ['u32', outLength], ['u32', runLength], ['u32', TOPK_CHUNK],
        ['u32', inputIdx ? 0 : 1], ['u32', final && toValues ? 1 : 0], ['u32', 0],
      ]),
      bindings: [input, inputIdx ?? rec.gpu.placeholder, outKeys, outIdx],
      workgroups: [groups, rows],
      output: final && toValues ? outKeys : undefined,
    });
    if (inputIdx) rec.releaseAfterSubmit(input, inputIdx);
    if (final) return { keys: outKeys, indices: outIdx };
    input = outKeys;
    inputIdx = outIdx;
    length = outLength;
  }
}

/** The kernel's order on the CPU: indices of the best min(k, n) entries of each row, and their values. */
export function topKReference(values: ArrayLike<number>, rows: number, n: number, k: number): { values: Float32Array; indices: Uint32Array } {
  const kept = Math.min(k, n);
  const outValues = new Float32Array(rows * kept);
  const outIndices = new Uint32Array(rows * kept);
  const key = (v: number) => (Number.isNaN(v) ? -Infinity : v);
  for (let r = 0; r < rows; r++) {
    const order = Array.from({ length: n }, (_, i) => i);
    const row = (i: number) => values[r * n + i]!;
    order.sort((a, b) => {
      const va = row(a), vb = row(b);
      const na = Number.isNaN(va), nb = Number.isNaN(vb);
      if (na !== nb) return na ? 1 : -1;
      const ka = key(va), kb = key(vb);
      return ka === kb ? a - b : kb - ka;
    });
    for (let i = 0; i < kept; i++) {
      outIndices[r * kept + i] = order[i]!;
      outValues[r * kept + i] = row(order[i]!) + 0; // −0 comes back as +0
    }
  }
  return { values: outValues, indices: outIndices };
}
