// activation / add / scale (one fused element-wise shader) on Dawn against float64 references.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { f16ArrayToF32, f32ArrayToF16 } from '../../src/gpu/half';
import { Recorder } from '../../src/gpu/recorder';
import { activation, add, scale } from '../../src/kernels/elementwise';
import { createDawnGpu, requireF16 } from '../helpers/dawn';
import { expectClose, runKernel } from '../helpers/expect';
import { activationRef, randomArray, type ActivationName } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

describe('activation', () => {
  // Inputs in (-8, 8) reach both tails. The erf fit is good to ~1.2e-7 and tanh/exp are f32: 2e-6 absolute
  // + 2e-6 relative.
  const x = randomArray(7 * 129, 1, 8);
  for (const kind of ['gelu', 'gelu_new', 'quick_gelu', 'none'] as ActivationName[]) {
    it(kind, async () => {
      const { actual, shape } = await runKernel(gpu, (rec) => activation(rec, gpu.fromHost(x, [7, 129], 'f32'), kind));
      expect(shape).toEqual([7, 129]);
      expectClose(actual, Array.from(x, (v) => activationRef(v, kind)), 2e-6, 2e-6);
    });
  }

  it('stays finite for |x| = 1e4', async () => {
    const big = new Float32Array([1e4, -1e4, 3e4, -3e4]);
    const { actual } = await runKernel(gpu, (rec) => activation(rec, gpu.fromHost(big, [4], 'f32'), 'gelu_new'));
    expectClose(actual, [1e4, 0, 3e4, 0], 1e-3, 1e-6);
  });
});

describe('add', () => {
  // One f32 addition per element: exact up to f32 rounding of the sum.
  const ATOL = 1e-6, RTOL = 1e-6;
  const [B, L, H] = [2, 7, 33];
  const a = randomArray(B * L * H, 2);

  const cases: Array<{ name: string; shape: number[] }> = [
    { name: 'same shape', shape: [B, L, H] },
    { name: 'bias [H]', shape: [H] },
    { name: 'table [L, H]', shape: [L, H] },
    { name: 'leading 1: [1, L, H]', shape: [1, L, H] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const size = c.shape.reduce((x, y) => x * y);
      const b = randomArray(size, size);
      const { actual, shape } = await runKernel(gpu, (rec) => add(rec, gpu.fromHost(a, [B, L, H], 'f32'), gpu.fromHost(b, c.shape, 'f32')));
      expect(shape).toEqual([B, L, H]);
      expectClose(actual, Array.from(a, (v, i) => v + b[i % size]!), ATOL, RTOL);
    });
  }

  it('f16 b (a bias weight)', async (ctx) => {
    if (!gpu.features.f16) {
      if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
      ctx.skip();
    }
    const b = f16ArrayToF32(f32ArrayToF16(randomArray(H, 9))); // the reference sees the rounded values
    const { actual } = await runKernel(gpu, (rec) => add(rec, gpu.fromHost(a, [B, L, H], 'f32'), gpu.upload(b, [H], 'f16')));
    expectClose(actual, Array.from(a, (v, i) => v + b[i % H]!), ATOL, RTOL);
  });

  it('rejects a b that is not a trailing shape, and out = a', () => {
    const rec = new Recorder(gpu);
    const ta = gpu.empty([B, L, H]);
    expect(() => add(rec, ta, gpu.empty([L]))).toThrow(expect.objectContaining({ code: 'tensor-shape' }));
    expect(() => add(rec, ta, gpu.empty([2, H]))).toThrow(expect.objectContaining({ code: 'tensor-shape' }));
    expect(() => add(rec, ta, gpu.empty([H]), { out: ta })).toThrow(expect.objectContaining({ code: 'bad-input' }));
  });
});

describe('scale', () => {
  it('multiplies every element', async () => {
    const x = randomArray(1000, 3);
    const { actual } = await runKernel(gpu, (rec) => scale(rec, gpu.fromHost(x, [1000], 'f32'), 0.125));
    expectClose(actual, Array.from(x, (v) => v * 0.125), 1e-7, 1e-7);
  });

  it('covers more than 65535 workgroups (the dispatch is folded into y)', async () => {
    const n = 65535 * 64 + 1000; // the last 1000 elements live in the second row of workgroups
    const x = randomArray(n, 4);
    const { actual } = await runKernel(gpu, (rec) => scale(rec, gpu.fromHost(x, [n], 'f32'), -2));
    expectClose(actual, Array.from(x, (v) => v * -2), 1e-7, 1e-7);
  });
});
