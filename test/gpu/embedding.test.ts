// embed, patchEmbed (im2col + matmul vs a direct convolution), visionEmbeddings and selectRows on Dawn.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { f16ArrayToF32, f32ArrayToF16 } from '../../src/gpu/half';
import { Recorder } from '../../src/gpu/recorder';
import { embed, patchEmbed, selectRows, visionEmbeddings } from '../../src/kernels/embedding';
import { createDawnGpu, requireF16 } from '../helpers/dawn';
import { expectClose, runKernel } from '../helpers/expect';
import { embedRef, patchEmbedRef, randomArray, visionEmbeddingsRef } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

// Gathers and one addition: exact up to the f32 rounding of a sum.
const ATOL = 1e-6, RTOL = 1e-6;

/** Values as the GPU will hold them in `dtype` (f16 rounds). */
const asStored = (values: Float32Array, dtype: 'f32' | 'f16') => (dtype === 'f16' ? f16ArrayToF32(f32ArrayToF16(values)) : values);

function skipWithoutF16(ctx: { skip: () => void }, dtype: 'f32' | 'f16'): void {
  if (dtype === 'f32' || gpu.features.f16) return;
  if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
  ctx.skip();
}

describe('embed', () => {
  const [B, L, V, H, P] = [2, 7, 50, 33, 20];
  // Row 1 holds out-of-range ids (-1, V, 1000): they must give zero rows.
  const ids = new Int32Array([3, 0, 49, 7, 7, 12, 25, 1, -1, 50, 1000, 48, 2, 9]);

  for (const dtype of ['f32', 'f16'] as const) {
    it(`token + position rows, positionOffset 3, out-of-range ids → zeros (${dtype} tables)`, async (ctx) => {
      skipWithoutF16(ctx, dtype);
      const table = asStored(randomArray(V * H, 1), dtype);
      const positions = asStored(randomArray(P * H, 2), dtype);
      const { actual, shape } = await runKernel(gpu, (rec) => embed(rec, gpu.fromHost(ids, [B, L], 'i32'), gpu.upload(table, [V, H], dtype), {
        positions: gpu.upload(positions, [P, H], dtype), positionOffset: 3,
      }));
      expect(shape).toEqual([B, L, H]);
      expectClose(actual, embedRef(ids, B, L, table, V, H, positions, 3), ATOL, RTOL);
      expect(actual.subarray((L + 1) * H, (L + 4) * H).every((v) => v === 0)).toBe(true);
    });
  }

  it('tokens only, u32 ids', async () => {
    const table = randomArray(V * H, 3);
    const u32 = new Uint32Array([5, 4, 3, 2, 1, 0, 49]);
    const { actual } = await runKernel(gpu, (rec) => embed(rec, gpu.fromHost(u32, [1, 7], 'u32'), gpu.upload(table, [V, H], 'f32')));
    expectClose(actual, embedRef(new Int32Array(u32), 1, 7, table, V, H), ATOL, RTOL);
  });

  it('rejects positions that run out, and mismatched dtypes', () => {
    const rec = new Recorder(gpu);
    const idsT = gpu.fromHost(ids, [B, L], 'i32');
    const table = gpu.empty([V, H]);
    expect(() => embed(rec, idsT, table, { positions: gpu.empty([P, H]), positionOffset: P - L + 1 })).toThrow(expect.objectContaining({ code: 'tensor-shape' }));
    expect(() => embed(rec, idsT, table, { positions: gpu.empty([P, H], 'f16') })).toThrow(expect.objectContaining({ code: 'bad-input' }));
    expect(() => embed(rec, gpu.empty([B, L]), table)).toThrow(expect.objectContaining({ code: 'bad-input' }));
  });
});

describe('patchEmbed', () => {
  // Conv sums of C·p·p ≤ 768 products of values in (-1, 1) (f32 accumulation): 1e-4 absolute and relative,
  // as for matmul.
  const cases = [
    { B: 2, C: 3, H: 32, W: 48, p: 16, hidden: 13, bias: true }, // K = 768, 2×3 patches
    { B: 1, C: 3, H: 21, W: 14, p: 7, hidden: 20, bias: false }, // K = 147: not a multiple of 4
  ];
  for (const c of cases) {
    for (const dtype of ['f32', 'f16'] as const) {
      it(`${c.B}×${c.C}×${c.H}×${c.W}, patch ${c.p}, hidden ${c.hidden}${c.bias ? ' +bias' : ''} (${dtype} weight)`, async (ctx) => {
        skipWithoutF16(ctx, dtype);
        const pixels = randomArray(c.B * c.C * c.H * c.W, c.H);
        const weight = asStored(randomArray(c.hidden * c.C * c.p * c.p, c.W), dtype);
        const bias = c.bias ? randomArray(c.hidden, 5) : undefined;
        const { actual, shape } = await runKernel(gpu, (rec) => patchEmbed(rec, gpu.fromHost(pixels, [c.B, c.C, c.H, c.W], 'f32'),
          gpu.upload(weight, [c.hidden, c.C, c.p, c.p], dtype), bias && gpu.upload(bias, [c.hidden], 'f32'), c.p));
        expect(shape).toEqual([c.B, (c.H / c.p) * (c.W / c.p), c.hidden]);
        expectClose(actual, patchEmbedRef(pixels, c.B, c.C, c.H, c.W, weight, c.hidden, c.p, bias), 1e-4, 1e-4);
      });
    }
  }

  it('rejects an image that is not a whole number of patches', () => {
    const rec = new Recorder(gpu);
    expect(() => patchEmbed(rec, gpu.empty([1, 3, 30, 32]), gpu.empty([8, 3, 16, 16]), undefined, 16)).toThrow(expect.objectContaining({ code: 'tensor-shape' }));
  });
});

describe('visionEmbeddings', () => {
  const [B, N, H] = [2, 7, 26];
  for (const dtype of ['f32', 'f16'] as const) {
    it(`class token + patches + positions (${dtype} parameters)`, async (ctx) => {
      skipWithoutF16(ctx, dtype);
      const patches = randomArray(B * N * H, 1);
      const cls = asStored(randomArray(H, 2), dtype);
      const positions = asStored(randomArray((N + 1) * H, 3), dtype);
      const { actual, shape } = await runKernel(gpu, (rec) => visionEmbeddings(rec, gpu.fromHost(patches, [B, N, H], 'f32'),
        gpu.upload(cls, [H], dtype), gpu.upload(positions, [N + 1, H], dtype)));
      expect(shape).toEqual([B, N + 1, H]);
      expectClose(actual, visionEmbeddingsRef(patches, B, N, H, cls, positions), ATOL, RTOL);
    });
  }
});

describe('selectRows', () => {
  const [B, L, H] = [3, 9, 33];
  const x = randomArray(B * L * H, 4);
  const rowOf = (rows: number[]) => rows.flatMap((r, b) => Array.from(x.subarray((b * L + r) * H, (b * L + r + 1) * H)));

  it('one row per batch item from a list', async () => {
    const { actual, shape } = await runKernel(gpu, (rec) => selectRows(rec, gpu.fromHost(x, [B, L, H], 'f32'), [0, 8, 4]));
    expect(shape).toEqual([B, H]);
    expectClose(actual, rowOf([0, 8, 4]), ATOL, RTOL);
  });

  it('rows from a GPU tensor; an out-of-range row gives zeros', async () => {
    const rows = gpu.fromHost(new Int32Array([2, -1, 9]), [3], 'i32');
    const { actual } = await runKernel(gpu, (rec) => selectRows(rec, gpu.fromHost(x, [B, L, H], 'f32'), rows));
    expectClose(actual, [...rowOf([2]), ...new Array(2 * H).fill(0)], ATOL, RTOL);
  });

  it('rejects an out-of-range row in a list', () => {
    const rec = new Recorder(gpu);
    expect(() => selectRows(rec, gpu.empty([B, L, H]), [0, 9, 1])).toThrow(expect.objectContaining({ code: 'bad-input' }));
  });
});
