// Retrieval kernels on Dawn (lavapipe or SwiftShader) against the CPU: top-K (shaders/topk.wgsl) in one and
// several passes, with ties, ±0, ±∞ and NaN, rows not a multiple of the workgroup or chunk size; and the
// query · matrixᵀ scores (shaders/similarity.wgsl) in f32 and f16, written into a wider scores tensor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import type { Gpu } from '../../src/gpu/gpu';
import { f16ArrayToF32, f32ArrayToF16 } from '../../src/gpu/half';
import { Recorder } from '../../src/gpu/recorder';
import { blockRows, similarity } from '../../src/kernels/similarity';
import { MAX_TOPK, topK, topKReference } from '../../src/kernels/topk';
import { createDawnGpu } from '../helpers/dawn';
import { allClose, randomArray } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

async function gpuTopK(values: Float32Array, rows: number, n: number, k: number) {
  const rec = new Recorder(gpu, 'topk test');
  const input = gpu.fromHost(values, [rows, n], 'f32');
  const out = topK(rec, input, k);
  const reads = [rec.read(out.values), rec.read(out.indices)] as const;
  rec.releaseAfterSubmit(input, out.values, out.indices);
  await rec.submit();
  return { values: (await reads[0]) as Float32Array, indices: (await reads[1]) as Uint32Array, shape: out.values.shape };
}

async function expectLikeCpu(values: Float32Array, rows: number, n: number, k: number) {
  const actual = await gpuTopK(values, rows, n, k);
  const expected = topKReference(values, rows, n, k);
  expect(actual.shape).toEqual([rows, Math.min(k, n)]);
  expect(Array.from(actual.indices)).toEqual(Array.from(expected.indices));
  // Object.is: NaN equals NaN, and a −0 would show up (the kernel returns +0 for it).
  const mismatch = Array.from(expected.values).findIndex((v, i) => !Object.is(v, actual.values[i]));
  expect(mismatch, `value ${mismatch}: ${actual.values[mismatch]} vs ${expected.values[mismatch]}`).toBe(-1);
}

/** Values on a coarse grid: many exact ties. */
const coarse = (n: number, seed: number, levels = 16) => randomArray(n, seed).map((v) => Math.round(v * levels) / levels);

describe('topK against a CPU sort', () => {
  const shapes: Array<[rows: number, n: number, k: number]> = [
    [1, 1, 1], [1, 3, 5], [2, 255, 10], [3, 257, 7], [1, 1000, 100], [2, 1025, 1], [1, 1024, 512],
    [2, 3001, 64], [1, 20_000, 512], [1, 100_003, 10],
  ];
  for (const [rows, n, k] of shapes) {
    it(`${rows}×${n}, k=${k} (random values)`, () => expectLikeCpu(randomArray(rows * n, n * 13 + k), rows, n, k));
  }

  it('ties go to the smaller index, in one pass and across passes', async () => {
    await expectLikeCpu(coarse(2 * 900, 1), 2, 900, 50);
    await expectLikeCpu(coarse(5000, 2, 4), 1, 5000, 300);
    await expectLikeCpu(new Float32Array(4097).fill(0.25), 1, 4097, 20);
  });

  it('long rows (group prefilter): ties, ±0, ±∞ and NaN as in a full sort', async () => {
    await expectLikeCpu(coarse(2 * 60_000, 3, 64), 2, 60_000, 200);
    const special = [0, -0, Infinity, -Infinity, NaN, 1, -1, 3.5, 2 ** -149];
    await expectLikeCpu(Float32Array.from({ length: 50_000 }, (_, i) => special[(i * 7 + (i >> 5)) % special.length]!), 1, 50_000, 100);
    await expectLikeCpu(Float32Array.from({ length: 30_000 }, () => NaN), 1, 30_000, 30);
  });

  it('−0 equals +0, ±∞ and NaN have their places (NaN last)', async () => {
    const special = [0, -0, Infinity, -Infinity, NaN, 1, -1, 0, -0, NaN, 3.5, -Infinity, Infinity, 2 ** -149, -(2 ** -149)];
    const values = Float32Array.from({ length: 2100 }, (_, i) => special[(i * 7) % special.length]!);
    await expectLikeCpu(values, 1, 2100, 512);
    await expectLikeCpu(values.subarray(0, 15), 1, 15, 15);
    await expectLikeCpu(Float32Array.of(NaN, NaN, -Infinity), 1, 3, 3);
  });

  it('rejects k outside 1 … MAX_TOPK and non-f32 values', () => {
    const rec = new Recorder(gpu, 'topk errors');
    const input = gpu.empty([1, 10], 'f32');
    for (const k of [0, 1.5, MAX_TOPK + 1]) {
      let error: unknown;
      try { topK(rec, input, k); } catch (e) { error = e; }
      expect(isIrisError(error, 'bad-input'), `k = ${k}`).toBe(true);
    }
    input.release();
  });
});

describe('similarity scores', () => {
  function reference(matrix: Float32Array, queries: Float32Array, rows: number, q: number, dim: number): Float32Array {
    const out = new Float32Array(q * rows);
    for (let i = 0; i < q; i++) for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += queries[i * dim + d]! * matrix[r * dim + d]!;
      out[i * rows + r] = sum;
    }
    return out;
  }

  for (const dtype of ['f32', 'f16'] as const) {
    it(`${dtype}: 2 queries × 1001 rows × 514 values (padded to 516, blocked), written at column 37 of a wider tensor`, async (ctx) => {
      if (dtype === 'f16' && !gpu.features.f16) ctx.skip();
      const [rows, q, dim, base, n] = [1001, 2, 514, 37, 1100];
      const dim4 = 516;
      let matrix = randomArray(rows * dim, 5, 0.1);
      if (dtype === 'f16') matrix = f16ArrayToF32(f32ArrayToF16(matrix));
      const queries = randomArray(q * dim, 6, 0.1);
      const paddedQueries = new Float32Array(q * dim4);
      for (let i = 0; i < q; i++) paddedQueries.set(queries.subarray(i * dim, (i + 1) * dim), i * dim4);
      const rec = new Recorder(gpu, 'similarity test');
      // 1024 rows of capacity: the 23 rows beyond the filled ones must be ignored.
      const filled = new Float32Array(1024 * dim).fill(1e6);
      filled.set(matrix);
      const tMatrix = gpu.upload(blockRows(filled, 1024, dim), [1024, dim4], dtype);
      const tQueries = gpu.fromHost(paddedQueries, [q, dim4], 'f32');
      const scores = gpu.fromHost(new Float32Array(q * n).fill(-7), [q, n], 'f32');
      similarity(rec, tMatrix, tQueries, { out: scores, base, rows });
      const read = rec.read(scores);
      await rec.submit();
      const actual = (await read) as Float32Array;
      const expected = reference(matrix, queries, rows, q, dim);
      for (let i = 0; i < q; i++) {
        const row = actual.subarray(i * n, (i + 1) * n);
        expect(Array.from(row.subarray(0, base)).every((v) => v === -7)).toBe(true);
        expect(Array.from(row.subarray(base + rows)).every((v) => v === -7)).toBe(true);
        const check = allClose(row.subarray(base, base + rows), expected.subarray(i * rows, (i + 1) * rows), 1e-5, 1e-4);
        expect(check.ok, check.detail).toBe(true);
      }
      tMatrix.release();
      tQueries.release();
      scores.release();
    });
  }
});
