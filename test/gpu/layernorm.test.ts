// layerNorm on Dawn against a float64 CPU reference: row lengths around the 128-wide workgroup stride,
// CLIP/ViT's 768, inputs offset by 1e4 (where E[x²] - E[x]² would fail), f16 weight and bias.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { f16ArrayToF32, f32ArrayToF16 } from '../../src/gpu/half';
import { Recorder } from '../../src/gpu/recorder';
import { layerNorm } from '../../src/kernels/layernorm';
import { createDawnGpu, requireF16 } from '../helpers/dawn';
import { expectClose, poisoned } from '../helpers/expect';
import { layerNormRef, randomArray } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

// Outputs are O(1)·weight + bias; f32 sums of ≤ 768 terms: 2e-5 absolute + 1e-5 relative.
const ATOL = 2e-5, RTOL = 1e-5;

async function run(shape: number[], options: { offset?: number; eps?: number; weightType?: 'f32' | 'f16' } = {}) {
  const H = shape[shape.length - 1]!;
  const rows = shape.reduce((a, b) => a * b) / H;
  const seed = rows * 31 + H;
  const x = randomArray(rows * H, seed, 2).map((v) => v + (options.offset ?? 0));
  let weight: Float32Array = randomArray(H, seed + 1).map((v) => 1 + v / 2);
  let bias: Float32Array = randomArray(H, seed + 2);
  const weightType = options.weightType ?? 'f32';
  if (weightType === 'f16') { // the reference sees the rounded parameters
    weight = f16ArrayToF32(f32ArrayToF16(weight));
    bias = f16ArrayToF32(f32ArrayToF16(bias));
  }
  const eps = options.eps ?? 1e-5;
  const rec = new Recorder(gpu);
  const out = layerNorm(rec, gpu.fromHost(x, shape, 'f32'), gpu.upload(weight, [H], weightType), gpu.upload(bias, [H], weightType), eps, {
    out: poisoned(gpu, shape),
  });
  const result = rec.read(out);
  await rec.submit();
  return { actual: await result, expected: layerNormRef(x, rows, H, weight, bias, eps), shape: out.shape };
}

const shapes = [[1, 1], [7, 26], [65, 129], [2, 13, 77], [3, 768]];

describe('layerNorm (f32 parameters)', () => {
  for (const shape of shapes) {
    it(`[${shape}]`, async () => {
      const { actual, expected, shape: outShape } = await run(shape);
      expect(outShape).toEqual(shape);
      expectClose(actual, expected, ATOL, RTOL);
    });
  }

  it('keeps precision for rows offset by 1e4 (26×768)', async () => {
    // Each input is f32 at 1e4 (spacing 1e-3); the reference sees the same rounded inputs. The GPU result
    // is as exact as for unshifted inputs, where a one-pass E[x²] - E[x]² in f32 would be off by O(1).
    const { actual, expected } = await run([26, 768], { offset: 1e4 });
    expectClose(actual, expected, ATOL, RTOL);
  });

  it('a large eps dominates the variance', async () => {
    const { actual, expected } = await run([5, 33], { eps: 10 });
    expectClose(actual, expected, ATOL, RTOL);
  });
});

describe('layerNorm (f16 weight and bias)', () => {
  for (const shape of [[7, 26], [65, 129], [3, 768]]) {
    it(`[${shape}]`, async (ctx) => {
      if (!gpu.features.f16) {
        if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
        ctx.skip();
      }
      // The parameters are exactly f16 in both; the math is f32 in both, so the f32 tolerance holds.
      const { actual, expected } = await run(shape, { weightType: 'f16' });
      expectClose(actual, expected, ATOL, RTOL);
    });
  }
});

describe('layerNorm argument checks', () => {
  it('rejects mismatched parameters', () => {
    const rec = new Recorder(gpu);
    const x = gpu.empty([4, 10]);
    const w = gpu.empty([10]);
    expect(() => layerNorm(rec, x, gpu.empty([9]), w, 1e-5)).toThrow(expect.objectContaining({ code: 'tensor-shape' }));
    expect(() => layerNorm(rec, x, w, gpu.empty([10], 'f16'), 1e-5)).toThrow(expect.objectContaining({ code: 'bad-input' }));
    expect(() => layerNorm(rec, x, w, w, 1e-5, { out: x })).toThrow(expect.objectContaining({ code: 'bad-input' }));
  });
});
