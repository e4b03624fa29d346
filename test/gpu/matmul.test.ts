// matmul on a real WebGPU implementation (Dawn + lavapipe or SwiftShader) against a float64 CPU reference.
// Shapes are deliberately not multiples of the 64×64×16 tile nor of the vec4 width.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { matmul } from '../../src/kernels/matmul';
import { createDawnGpu, requireF16 } from '../helpers/dawn';
import { allClose, matmulRef, randomArray, type ActivationName } from '../helpers/reference';
import { f16ArrayToF32, f32ArrayToF16 } from '../../src/gpu/half';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

// f32 tolerance: float32 accumulation over K ≤ 800 terms of |x| ≤ 1 (the GEMV cases reach 770) → error
// around 1e-5, well within 1e-4 + 1e-4·|C|.
const ATOL = 1e-4, RTOL = 1e-4;

interface Case { batch: number; M: number; N: number; K: number; transB: boolean; batchedB?: boolean; bias?: boolean; residual?: boolean; activation?: ActivationName }

async function run(c: Case, weightType: 'f32' | 'f16' = 'f32', device: Gpu = gpu) {
  const gpu = device;
  const seed = c.M * 7919 + c.N * 104729 + c.K * 31;
  const a = randomArray(c.batch * c.M * c.K, seed);
  let b = randomArray((c.batchedB ? c.batch : 1) * c.N * c.K, seed + 1);
  if (weightType === 'f16') b = f16ArrayToF32(f32ArrayToF16(b)); // the reference sees the rounded weights
  const bias = c.bias ? randomArray(c.N, seed + 2) : undefined;
  const residual = c.residual ? randomArray(c.batch * c.M * c.N, seed + 3) : undefined;
  const bShape = c.transB ? [c.N, c.K] : [c.K, c.N];
  const rec = new Recorder(gpu);
  const tA = gpu.fromHost(a, [c.batch, c.M, c.K], 'f32');
  const tB = gpu.upload(b, c.batchedB ? [c.batch, ...bShape] : bShape, weightType);
  const out = matmul(rec, tA, tB, {
    transB: c.transB,
    bias: bias && gpu.upload(bias, [c.N], 'f32'),
    residual: residual && gpu.fromHost(residual, [c.batch, c.M, c.N], 'f32'),
    activation: c.activation,
  });
  const result = rec.read(out);
  await rec.submit();
  const expected = matmulRef(a, b, c.batch, c.M, c.N, c.K, { ...c, bias, residual });
  return { actual: await result, expected, shape: out.shape };
}

const cases: Case[] = [
  { batch: 1, M: 1, N: 1, K: 1, transB: true },
  { batch: 1, M: 7, N: 26, K: 77, transB: true },
  { batch: 1, M: 65, N: 129, K: 33, transB: true },
  { batch: 1, M: 65, N: 129, K: 33, transB: false },
  { batch: 1, M: 77, N: 130, K: 64, transB: false, bias: true },
  { batch: 3, M: 50, N: 70, K: 36, transB: true, bias: true, activation: 'quick_gelu' },
  { batch: 2, M: 17, N: 68, K: 48, transB: false, bias: true, activation: 'gelu_new', residual: true },
  { batch: 2, M: 24, N: 100, K: 64, transB: true, bias: true, activation: 'gelu', residual: true },
  { batch: 4, M: 13, N: 19, K: 21, transB: true, batchedB: true },
  { batch: 4, M: 13, N: 19, K: 21, transB: false, batchedB: true },
  { batch: 1, M: 130, N: 67, K: 200, transB: false },
  // Decoding-step shapes (the small tile, M ≤ 4) and batches folded into one [batch·M] matrix.
  { batch: 1, M: 1, N: 257, K: 68, transB: false },
  { batch: 1, M: 3, N: 300, K: 100, transB: true, bias: true, activation: 'gelu', residual: true },
  { batch: 2, M: 2, N: 130, K: 40, transB: false, bias: true, activation: 'gelu_new', residual: true },
  { batch: 5, M: 1, N: 19, K: 21, transB: true, batchedB: true },
  { batch: 9, M: 11, N: 70, K: 24, transB: true, bias: true, residual: true },
];

describe('matmul (f32)', () => {
  for (const c of cases) {
    const name = `${c.batch}×${c.M}×${c.N}×${c.K} transB=${c.transB}${c.batchedB ? ' batchedB' : ''}${c.bias ? ' +bias' : ''}${c.activation ? ' ' + c.activation : ''}${c.residual ? ' +residual' : ''}`;
    it(name, async () => {
      const { actual, expected, shape } = await run(c);
      expect(shape).toEqual([c.batch, c.M, c.N]);
      const check = allClose(actual, expected, ATOL, RTOL);
      expect(check.ok, check.detail).toBe(true);
    });
  }
});

describe('matmul (f16 weights, f32 accumulation)', () => {
  for (const c of cases.filter((x) => x.K > 1)) {
    it(`${c.batch}×${c.M}×${c.N}×${c.K} transB=${c.transB}`, async (ctx) => {
      if (!gpu.features.f16) {
        if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
        ctx.skip();
      }
      const { actual, expected } = await run(c, 'f16');
      // The weights are exactly f16 in both; only f32 accumulation order differs.
      const check = allClose(actual, expected, ATOL, RTOL);
      expect(check.ok, check.detail).toBe(true);
    });
  }
});

describe('matmul into a strided view (KV-cache append)', () => {
  it('writes [2, 5, 24] at row 3 of a [2, 9, 30] buffer and leaves the rest untouched', async () => {
    const [batch, M, N, K, rows, width, row0] = [2, 5, 24, 20, 9, 30, 3];
    const a = randomArray(batch * M * K, 11), b = randomArray(N * K, 12);
    const sentinel = new Float32Array(batch * rows * width).fill(-7);
    const rec = new Recorder(gpu);
    const cache = gpu.fromHost(sentinel, [batch, rows, width], 'f32');
    matmul(rec, gpu.fromHost(a, [batch, M, K], 'f32'), gpu.upload(b, [N, K], 'f32'), {
      out: cache, outView: { offset: row0 * width, rowStride: width, batchStride: rows * width },
    });
    const result = rec.read(cache);
    await rec.submit();
    const actual = await result;
    const expected = Float64Array.from(sentinel);
    const dense = matmulRef(a, b, batch, M, N, K, { transB: true });
    for (let t = 0; t < batch; t++)
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) expected[t * rows * width + (row0 + m) * width + n] = dense[(t * M + m) * N + n]!;
    const check = allClose(actual, expected, ATOL, RTOL);
    expect(check.ok, check.detail).toBe(true);
  });

  it('appends one row per beam (the small tile, batches not folded) into a [3, 6, 40] buffer', async () => {
    const [batch, M, N, K, rows, width, row0] = [3, 1, 36, 28, 6, 40, 4];
    const a = randomArray(batch * M * K, 13), b = randomArray(K * N, 14);
    const sentinel = new Float32Array(batch * rows * width).fill(-7);
    const rec = new Recorder(gpu);
    const cache = gpu.fromHost(sentinel, [batch, rows, width], 'f32');
    matmul(rec, gpu.fromHost(a, [batch, M, K], 'f32'), gpu.upload(b, [K, N], 'f32'), {
      transB: false, out: cache, outView: { offset: row0 * width + 2, rowStride: width, batchStride: rows * width },
    });
    const result = rec.read(cache);
    await rec.submit();
    const actual = await result;
    const expected = Float64Array.from(sentinel);
    const dense = matmulRef(a, b, batch, M, N, K, { transB: false });
    for (let t = 0; t < batch; t++)
      for (let n = 0; n < N; n++) expected[t * rows * width + row0 * width + 2 + n] = dense[t * N + n]!;
    const check = allClose(actual, expected, ATOL, RTOL);
    expect(check.ok, check.detail).toBe(true);
  });
});

// Decoding steps (M ≤ 4 rows) with a [N, K] weight go to the split-K GEMV: gemv-subgroups.wgsl where the
// adapter has subgroups, gemv.wgsl's workgroup-memory sums otherwise (both run here, on one adapter);
// with a [K, N] weight to matmul.wgsl's 4×128 tile. N is not a multiple of any workgroup's column count
// and K not of the 32-way split.
describe('decoding-step GEMV (M ≤ 4), with and without subgroups', () => {
  let plain: Gpu;
  beforeAll(async () => { plain = await createDawnGpu({ disableSubgroups: true }); });
  afterAll(() => plain?.destroy());

  const gemvCases: Case[] = [
    { batch: 1, M: 1, N: 771, K: 770, transB: true, bias: true, activation: 'gelu', residual: true },
    { batch: 1, M: 4, N: 133, K: 515, transB: true },
    { batch: 1, M: 1, N: 5, K: 3, transB: false },
    { batch: 1, M: 4, N: 299, K: 263, transB: false, bias: true, activation: 'gelu_new', residual: true },
    { batch: 3, M: 1, N: 45, K: 97, transB: true, batchedB: true },
    { batch: 2, M: 2, N: 37, K: 61, transB: false, batchedB: true, residual: true },
  ];
  for (const c of gemvCases) {
    for (const weightType of ['f32', 'f16'] as const) {
      const name = `${c.batch}×${c.M}×${c.N}×${c.K} transB=${c.transB}${c.batchedB ? ' batchedB' : ''} ${weightType} weights`;
      it(`${name}: subgroup sums where the adapter has them`, async (ctx) => {
        if (requireF16 && !gpu.features.subgroups) throw new Error('CI\'s lavapipe has subgroups; this adapter lacks them');
        if (weightType === 'f16' && !gpu.features.f16) ctx.skip();
        const { actual, expected } = await run(c, weightType);
        const check = allClose(actual, expected, ATOL, RTOL);
        expect(check.ok, check.detail).toBe(true);
      });
      it(`${name}: workgroup-memory sums (subgroups disabled)`, async (ctx) => {
        expect(plain.features.subgroups).toBe(false);
        if (weightType === 'f16' && !plain.features.f16) ctx.skip();
        const { actual, expected } = await run(c, weightType, plain);
        const check = allClose(actual, expected, ATOL, RTOL);
        expect(check.ok, check.detail).toBe(true);
      });
    }
  }
});
