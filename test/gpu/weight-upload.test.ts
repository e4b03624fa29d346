// WeightSet.upload on a real WebGPU device (Dawn): F16 stays f16 where shader-f16 exists (lavapipe),
// BF16/F32 become f16 only when asked, and the f32 fallback device widens everything. Read back exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { readTensor } from '../helpers/read-back';
import { WeightSet } from '../../src/weights/weight-set';
import { createDawnGpu, requireF16 } from '../helpers/dawn';
import { writeSafetensors } from '../helpers/safetensors-cases';

const u16 = (values: number[]): Uint8Array => new Uint8Array(new Uint16Array(values).buffer);
const weights = WeightSet.fromFiles([{
  file: 'model.safetensors',
  bytes: writeSafetensors({
    'odd.f16': { dtype: 'F16', shape: [3], data: u16([0x3c00, 0xc000, 0x7bff]) }, // 1, -2, 65504; 6 bytes, padded on the GPU
    'w.bf16': { dtype: 'BF16', shape: [2, 2], data: u16([0x3f80, 0xc040, 0x3e80, 0x4049]) }, // 1, -3, 0.25, 3.140625
  }),
}], 'gpu-test');

let gpu: Gpu;
let f32Only: Gpu;
beforeAll(async () => {
  gpu = await createDawnGpu();
  f32Only = await createDawnGpu({ disableF16: true });
});
afterAll(() => {
  gpu?.destroy();
  f32Only?.destroy();
});

async function roundTrip(device: Gpu, name: string, shape: number[], options: Parameters<WeightSet['upload']>[3]): Promise<{ dtype: string; values: number[] }> {
  const tensor = weights.upload(device, name, shape, options);
  const values = [...(await readTensor(device, tensor))];
  tensor.release();
  return { dtype: tensor.dtype, values };
}

describe('WeightSet.upload on Dawn', () => {
  it('keeps F16 as f16 on a shader-f16 device; BF16 becomes f16 only with preferF16', async (ctx) => {
    if (!gpu.features.f16) {
      if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
      ctx.skip();
    }
    expect(await roundTrip(gpu, 'odd.f16', [3], { as: 'weight' })).toEqual({ dtype: 'f16', values: [1, -2, 65504] });
    expect(await roundTrip(gpu, 'w.bf16', [2, 2], { as: 'weight' })).toEqual({ dtype: 'f32', values: [1, -3, 0.25, 3.140625] });
    expect(await roundTrip(gpu, 'w.bf16', [2, 2], { as: 'weight', preferF16: true })).toEqual({ dtype: 'f16', values: [1, -3, 0.25, 3.140625] });
    expect(await roundTrip(gpu, 'odd.f16', [3], { as: 'f32' })).toEqual({ dtype: 'f32', values: [1, -2, 65504] });
  });

  it('widens everything to f32 on a device without shader-f16', async () => {
    expect(await roundTrip(f32Only, 'odd.f16', [3], { as: 'weight' })).toEqual({ dtype: 'f32', values: [1, -2, 65504] });
    expect(await roundTrip(f32Only, 'w.bf16', [2, 2], { as: 'weight', preferF16: true })).toEqual({ dtype: 'f32', values: [1, -3, 0.25, 3.140625] });
  });
});
