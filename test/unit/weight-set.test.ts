// WeightSet: the name → parameter mapping models use, with a fake GPU that records what would be uploaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IrisErrorCode } from '../../src/errors';
import type { HostArray } from '../../src/gpu/gpu';
import type { DType, Shape, Tensor } from '../../src/gpu/tensor';
import { WeightSet, type WeightGpu } from '../../src/weights/weight-set';
import { GOLDEN_DIR } from '../helpers/golden';
import { validFile } from '../helpers/safetensors-cases';

function fakeGpu(f16: boolean): WeightGpu & { uploads: { data: HostArray; shape: Shape; dtype: DType; label?: string }[] } {
  const uploads: { data: HostArray; shape: Shape; dtype: DType; label?: string }[] = [];
  return {
    uploads,
    features: { f16, subgroups: false, subgroupMaxSize: 0, timestampQuery: false },
    upload(data: HostArray, shape: Shape, dtype: DType, label?: string): Tensor {
      uploads.push({ data, shape, dtype, label });
      return { shape, dtype } as Tensor;
    },
  };
}

function codeOf(fn: () => unknown): { code: IrisErrorCode; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    return e as { code: IrisErrorCode; message: string };
  }
  return undefined;
}

const small = (): WeightSet => WeightSet.fromFiles([{ file: 'model.safetensors', bytes: validFile() }], 'test/small');

describe('WeightSet', () => {
  it('get checks the shape and names the tensor; extra tensors (position_ids) are ignored', () => {
    const w = small();
    expect(w.get('a.weight', [2, 3]).dtype).toBe('F32');
    expect(w.has('position_ids')).toBe(true); // present, but nothing forces a model to use it
    expect(codeOf(() => w.get('a.weight', [3, 2]))).toMatchObject({ code: 'tensor-shape', message: expect.stringMatching(/"a.weight" has shape \[2, 3\], the model expects \[3, 2\]/) });
    expect(codeOf(() => w.get('nope'))).toMatchObject({ code: 'tensor-missing', message: expect.stringMatching(/test\/small has no tensor "nope"/) });
  });

  it('ties GPT-2 lm_head to wte (not stored in the vit-gpt2 checkpoint)', () => {
    const bytes = new Uint8Array(readFileSync(join(GOLDEN_DIR, 'vit-gpt2', 'model.safetensors')));
    const w = WeightSet.fromFiles([{ file: 'model.safetensors', bytes }], 'vit-gpt2');
    expect(w.has('decoder.lm_head.weight')).toBe(false);
    w.alias('decoder.lm_head.weight', 'decoder.transformer.wte.weight');
    expect(w.has('decoder.lm_head.weight')).toBe(true);
    expect(w.get('decoder.lm_head.weight', w.get('decoder.transformer.wte.weight').shape)).toBe(w.get('decoder.transformer.wte.weight'));
    w.alias('x.tied', 'x.absent');
    expect(codeOf(() => w.get('x.tied'))).toMatchObject({ code: 'tensor-missing', message: expect.stringMatching(/nor "x.absent", which it is tied to/) });
  });

  it("'weight' keeps F16 as f16 only on a shader-f16 device; F32/BF16 become f16 only when preferred", () => {
    const on = fakeGpu(true);
    const off = fakeGpu(false);
    const w = small();
    w.upload(on, 'b.half', [4], { as: 'weight' });
    w.upload(off, 'b.half', [4], { as: 'weight' });
    w.upload(on, 'c.bf16', [2], { as: 'weight' });
    w.upload(on, 'c.bf16', [2], { as: 'weight', preferF16: true });
    w.upload(off, 'c.bf16', [2], { as: 'weight', preferF16: true });
    w.upload(on, 'a.weight', [2, 3], { as: 'weight', preferF16: true });
    w.upload(on, 'b.half', [4], { as: 'f32' });
    expect(on.uploads.map((u) => u.dtype)).toEqual(['f16', 'f32', 'f16', 'f16', 'f32']);
    expect(off.uploads.map((u) => u.dtype)).toEqual(['f32', 'f32']);
    expect([...on.uploads[0]!.data]).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff]); // the stored bits, untouched
    expect([...off.uploads[0]!.data]).toEqual([1, -2, 0.5, 65504]);
    expect([...on.uploads[1]!.data]).toEqual([1, -3]); // bf16 → f32
    expect([...on.uploads[2]!.data]).toEqual([0x3c00, 0xc200]); // bf16 → f16
    expect(on.uploads[0]!.label).toBe('b.half');
  });

  it('refuses to upload an integer tensor as a float parameter', () => {
    expect(codeOf(() => small().upload(fakeGpu(false), 'position_ids', [1, 3], { as: 'f32' }))).toMatchObject({ code: 'tensor-shape', message: expect.stringMatching(/I64/) });
  });

  it('a tensor stored in two shards is an error', () => {
    const file = validFile();
    expect(codeOf(() => WeightSet.fromFiles([{ file: 'a.safetensors', bytes: file }, { file: 'b.safetensors', bytes: file }], 'sharded'))).toMatchObject({
      code: 'safetensors-invalid', message: expect.stringMatching(/"a.weight" is stored twice \(again in b.safetensors\)/),
    });
  });
});
