// softmax on Dawn against a float64 CPU reference. Row lengths straddle the 128-wide workgroup stride.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { softmax } from '../../src/kernels/softmax';
import { createDawnGpu } from '../helpers/dawn';
import { expectClose, poisoned } from '../helpers/expect';
import { randomArray, softmaxRef } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

// Probabilities in [0, 1] from f32 exp and an f32 sum of ≤ 300 terms: 1e-6 absolute + 1e-5 relative.
const ATOL = 1e-6, RTOL = 1e-5;

async function run(x: Float32Array, shape: number[], mask?: { data: Float32Array; rows: number }) {
  const L = shape[shape.length - 1]!;
  const rec = new Recorder(gpu);
  const out = softmax(rec, gpu.fromHost(x, shape, 'f32'), {
    mask: mask && gpu.fromHost(mask.data, [mask.rows, L], 'f32'),
    out: poisoned(gpu, shape),
  });
  const result = rec.read(out);
  await rec.submit();
  return { actual: await result, expected: softmaxRef(x, x.length / L, L, mask?.data, mask?.rows), shape: out.shape };
}

describe('softmax', () => {
  for (const shape of [[1, 1], [7, 26], [65, 129], [3, 11, 300]]) {
    it(`[${shape}]`, async () => {
      const x = randomArray(shape.reduce((a, b) => a * b), shape.length * 1000 + shape[0]!, 4);
      const { actual, expected, shape: outShape } = await run(x, shape);
      expect(outShape).toEqual(shape);
      expectClose(actual, expected, ATOL, RTOL);
    });
  }

  it('is stable for logits around ±1e4', async () => {
    const x = randomArray(9 * 77, 5, 1e4).map((v, i) => v + (i % 2 ? 3e4 : -3e4));
    const { actual, expected } = await run(x, [9, 77]);
    expectClose(actual, expected, ATOL, RTOL);
  });

  it('adds a broadcast mask: -inf entries get 0, a fully -inf row gives zeros, finfo.min rows are uniform', async () => {
    const [rows, L, maskRows] = [2 * 3 * 7, 77, 7];
    const mask = new Float32Array(maskRows * L);
    for (let r = 0; r < maskRows; r++) {
      for (let c = 0; c < L; c++) {
        if (r === 2) mask[r * L + c] = -Infinity; // fully masked
        else if (r === 5) mask[r * L + c] = -3.4028234663852886e38; // HF's finfo(float32).min everywhere
        else mask[r * L + c] = c > r * 10 ? -Infinity : randomArray(1, r * L + c)[0]!;
      }
    }
    const x = randomArray(rows * L, 11, 3);
    const { actual, expected } = await run(x, [rows, L], { data: mask, rows: maskRows });
    // The reference's float64 turns x + finfo.min into distinct values; float32 (GPU and PyTorch) rounds them
    // all to finfo.min, so such a row is uniform.
    for (let r = 5; r < rows; r += maskRows) expected.fill(1 / L, r * L, (r + 1) * L);
    expectClose(actual, expected, ATOL, RTOL);
    for (let r = 2; r < rows; r += maskRows) expect(Array.from(actual.subarray(r * L, (r + 1) * L))).toEqual(new Array(L).fill(0));
  });

  it('rejects a mask of the wrong length and out = x', () => {
    const rec = new Recorder(gpu);
    const x = gpu.empty([4, 10]);
    expect(() => softmax(rec, x, { mask: gpu.empty([3, 7]) })).toThrow(expect.objectContaining({ code: 'tensor-shape' }));
    try {
      softmax(rec, x, { out: x });
      expect.unreachable();
    } catch (error) {
      expect(isIrisError(error, 'bad-input')).toBe(true);
    }
  });
});
