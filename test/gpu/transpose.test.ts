// transpose on Dawn against the index arithmetic of a transpose: exact, since it only moves values.
// Shapes are not multiples of the 16×16 tile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { transpose } from '../../src/kernels/transpose';
import { f16ArrayToF32, f32ArrayToF16 } from '../../src/gpu/half';
import { createDawnGpu, requireF16 } from '../helpers/dawn';
import { runKernel } from '../helpers/expect';
import { randomArray } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

describe('transpose', () => {
  for (const [rows, cols] of [[1, 5], [17, 33], [40, 16], [3, 70]] as const) {
    for (const dtype of ['f32', 'f16'] as const) {
      it(`[${rows}, ${cols}] ${dtype} → [${cols}, ${rows}]`, async (ctx) => {
        if (dtype === 'f16' && !gpu.features.f16) {
          if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
          ctx.skip();
        }
        let data = randomArray(rows * cols, rows * 100 + cols);
        if (dtype === 'f16') data = f16ArrayToF32(f32ArrayToF16(data));
        const { actual, shape } = await runKernel(gpu, (rec) => transpose(rec, gpu.upload(data, [rows, cols], dtype)));
        expect(shape).toEqual([cols, rows]);
        const expected = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expected[c * rows + r] = data[r * cols + c]!;
        expect(Array.from(actual)).toEqual(Array.from(expected));
      });
    }
  }

  it('rejects an output of the wrong size', async () => {
    const rec = new Recorder(gpu);
    const x = gpu.upload(new Float32Array(6), [2, 3], 'f32');
    expect(() => transpose(rec, x, { out: gpu.empty([4, 2], 'f32') })).toThrow(/cannot hold the transpose/);
    await rec.submit(); // closes the recording's error scopes
  });
});
