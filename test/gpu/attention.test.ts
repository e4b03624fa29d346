// Fused attention (online softmax) and attentionProbs on Dawn against a float64 reference that applies
// each mask as an explicit visibility matrix. Head dims 12, 16 and 64; lengths straddle the 16-query and
// 16-key tiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import type { Tensor } from '../../src/gpu/tensor';
import { attention, attentionProbs, type AttentionMask, type HeadsView } from '../../src/kernels/attention';
import { createDawnGpu } from '../helpers/dawn';
import { expectClose, poisoned } from '../helpers/expect';
import { attentionRef, randomArray, type HostHeads } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

// Outputs are convex combinations of values in (-1, 1), from f32 dot products of ≤ 64 terms and an f32
// online softmax: 2e-6 absolute + 1e-5 relative. Probabilities likewise.
const ATOL = 2e-6, RTOL = 1e-5;

interface Dims { batch: number; heads: number; headDim: number; queryLen: number; keyLen: number }

/** Separate q [B, Lq, H·D], k and v [B, Lk, H·D] host arrays in (-2, 2) and their dense views. */
function inputs(d: Dims, seed: number) {
  const hd = d.heads * d.headDim;
  const dense = (len: number, s: number): HostHeads => ({ data: randomArray(d.batch * len * hd, s, 2), rowStride: hd, batchStride: len * hd });
  return { q: dense(d.queryLen, seed), k: dense(d.keyLen, seed + 1), v: dense(d.keyLen, seed + 2) };
}

function upload(view: HostHeads): HeadsView {
  return { tensor: gpu.fromHost(view.data, [view.data.length], 'f32'), offset: view.offset, rowStride: view.rowStride, batchStride: view.batchStride };
}

async function runGpu(
  host: { q: HostHeads; k: HostHeads; v: HostHeads }, d: Dims,
  mask?: AttentionMask, scaleFactor?: number,
): Promise<{ out: Float32Array; probs: Float32Array }> {
  const rec = new Recorder(gpu);
  const args = { q: upload(host.q), k: upload(host.k), v: upload(host.v), ...d, mask, scale: scaleFactor };
  const out = attention(rec, { ...args, out: poisoned(gpu, [d.batch, d.queryLen, d.heads * d.headDim]) });
  const probs = attentionProbs(rec, { ...args, out: poisoned(gpu, [d.batch, d.heads, d.queryLen, d.keyLen]) });
  const results = [rec.read(out), rec.read(probs)];
  await rec.submit();
  const [o, p] = (await Promise.all(results)) as Float32Array[];
  return { out: o!, probs: p! };
}

/** Runs both kernels and checks them against the reference under `visible`. */
async function check(host: { q: HostHeads; k: HostHeads; v: HostHeads }, d: Dims, mask: AttentionMask | undefined,
  visible: (b: number, i: number, j: number) => boolean, scaleFactor?: number) {
  const actual = await runGpu(host, d, mask, scaleFactor);
  const expected = attentionRef(host.q, host.k, host.v, { ...d, scale: scaleFactor }, visible);
  expectClose(actual.out, expected.out, ATOL, RTOL);
  expectClose(actual.probs, expected.probs, ATOL, RTOL);
  return { actual, expected };
}

/** Padding [batch, n] as 0/1 in the requested dtype. */
function paddingTensor(keep: number[][], dtype: 'u32' | 'f32'): Tensor {
  const flat = keep.flat();
  const data = dtype === 'u32' ? new Uint32Array(flat) : new Float32Array(flat);
  return gpu.fromHost(data, [keep.length, keep[0]!.length], dtype);
}

const causal = (i: number, j: number, queryOffset = 0) => j <= i + queryOffset;

/**
 * GIT's mask, built as Hugging Face's GitModel.create_attention_mask builds it over [image; text]: image
 * rows see all image columns and no text; text rows see all image columns and the text causally.
 */
function gitVisible(P: number, L: number): boolean[][] {
  return Array.from({ length: L }, (_, i) => Array.from({ length: L }, (_, j) => {
    if (i < P) return j < P; // image → image only
    return j < P || j <= i; // text → all image tokens, text causally
  }));
}

describe('attention', () => {
  it('self-attention without a mask (B=2, H=3, L=26, D=16)', async () => {
    const d = { batch: 2, heads: 3, headDim: 16, queryLen: 26, keyLen: 26 };
    await check(inputs(d, 1), d, undefined, () => true);
  });

  it('causal (B=1, H=2, L=33, D=64)', async () => {
    const d = { batch: 1, heads: 2, headDim: 64, queryLen: 33, keyLen: 33 };
    await check(inputs(d, 2), d, { causal: true }, (_, i, j) => causal(i, j));
  });

  it('causal over several query blocks (B=1, H=1, L=129, D=64)', async () => {
    const d = { batch: 1, heads: 1, headDim: 64, queryLen: 129, keyLen: 129 };
    await check(inputs(d, 3), d, { causal: true }, (_, i, j) => causal(i, j));
  });

  for (const dtype of ['u32', 'f32'] as const) {
    it(`key padding as ${dtype}, with causal left padding leaving rows with no visible key (B=2, H=2, L=19, D=12)`, async () => {
      const d = { batch: 2, heads: 2, headDim: 12, queryLen: 19, keyLen: 19 };
      const keep = [
        Array.from({ length: 19 }, (_, j) => (j < 14 ? 1 : 0)), // right padding
        Array.from({ length: 19 }, (_, j) => (j < 3 ? 0 : 1)), // left padding: queries 0-2 see nothing
      ];
      const { actual } = await check(inputs(d, 4), d, { causal: true, keyPadding: paddingTensor(keep, dtype) },
        (b, i, j) => keep[b]![j] === 1 && causal(i, j));
      const rowLength = d.heads * d.headDim;
      expect(Array.from(actual.out.subarray(19 * rowLength, 22 * rowLength))).toEqual(new Array(3 * rowLength).fill(0));
    });
  }

  it('a batch item whose keys are all padded gives zeros, the others are unaffected', async () => {
    const d = { batch: 2, heads: 2, headDim: 16, queryLen: 7, keyLen: 26 };
    const keep = [new Array(26).fill(1), new Array(26).fill(0)];
    const { actual } = await check(inputs(d, 5), d, { keyPadding: paddingTensor(keep, 'u32') }, (b) => b === 0);
    const half = actual.out.length / 2;
    expect(actual.out.subarray(half).every((v) => v === 0)).toBe(true);
    expect(actual.probs.subarray(actual.probs.length / 2).every((v) => v === 0)).toBe(true);
  });

  it('GIT: 17 image tokens (bidirectional) + 9 text tokens (causal), text padding on one item', async () => {
    const P = 17, T = 9, L = P + T;
    const d = { batch: 2, heads: 2, headDim: 16, queryLen: L, keyLen: L };
    const keep = [new Array(L).fill(1), Array.from({ length: L }, (_, j) => (j < L - 2 ? 1 : 0))];
    const git = gitVisible(P, L);
    await check(inputs(d, 6), d, { causal: true, prefixLength: P, keyPadding: paddingTensor(keep, 'u32') },
      (b, i, j) => git[i]![j]! && keep[b]![j] === 1);
  });

  it('cross-attention, Lq ≠ Lk, with padded keys (B=2, H=3, Lq=7, Lk=65, D=64)', async () => {
    const d = { batch: 2, heads: 3, headDim: 64, queryLen: 7, keyLen: 65 };
    const keep = [new Array(65).fill(1), Array.from({ length: 65 }, (_, j) => (j < 50 ? 1 : 0))];
    await check(inputs(d, 7), d, { keyPadding: paddingTensor(keep, 'f32') }, (b, _, j) => keep[b]![j] === 1);
  });

  it('packed qkv [B, L, 3·H·D] read through offsets (GPT-2 c_attn, causal)', async () => {
    const d = { batch: 2, heads: 3, headDim: 16, queryLen: 20, keyLen: 20 };
    const hd = d.heads * d.headDim;
    const qkv = randomArray(d.batch * d.queryLen * 3 * hd, 8, 2);
    const view = (offset: number): HostHeads => ({ data: qkv, offset, rowStride: 3 * hd, batchStride: d.queryLen * 3 * hd });
    const host = { q: view(0), k: view(hd), v: view(2 * hd) };
    // Upload qkv once and bind the same tensor three times, as a model would.
    const tensor = gpu.fromHost(qkv, [d.batch, d.queryLen, 3 * hd], 'f32');
    const rec = new Recorder(gpu);
    const packed = (offset: number): HeadsView => ({ tensor, offset, rowStride: 3 * hd, batchStride: d.queryLen * 3 * hd });
    const out = attention(rec, { q: packed(0), k: packed(hd), v: packed(2 * hd), ...d, mask: { causal: true } });
    const result = rec.read(out);
    await rec.submit();
    expect(out.shape).toEqual([d.batch, d.queryLen, hd]);
    expectClose(await result, attentionRef(host.q, host.k, host.v, d, (_, i, j) => causal(i, j)).out, ATOL, RTOL);
  });

  it('the largest head dim, 128 (B=1, H=2, Lq=20, Lk=37, causal with queryOffset 17)', async () => {
    const d = { batch: 1, heads: 2, headDim: 128, queryLen: 20, keyLen: 37 };
    await check(inputs(d, 11), d, { causal: true, queryOffset: 17 }, (_, i, j) => causal(i, j, 17));
  });

  it('is stable for scores of order ±1000 (the running maximum is subtracted)', async () => {
    // q, k in (-30, 30): q·k/4 reaches ~±1000, where exp without max-subtraction overflows. f32 scores of
    // that size carry ~1e-3 absolute rounding, which moves the weights by ~1e-3 relative: atol 5e-3.
    const d = { batch: 1, heads: 2, headDim: 16, queryLen: 19, keyLen: 33 };
    const host = inputs(d, 12);
    for (const view of [host.q, host.k]) view.data.forEach((x, i) => { view.data[i] = x * 15; });
    const actual = await runGpu(host, d, { causal: true });
    const expected = attentionRef(host.q, host.k, host.v, d, (_, i, j) => causal(i, j));
    expectClose(actual.out, expected.out, 5e-3, 1e-3);
    expectClose(actual.probs, expected.probs, 5e-3, 1e-3);
  });

  it('a custom scale', async () => {
    const d = { batch: 1, heads: 2, headDim: 12, queryLen: 9, keyLen: 17 };
    await check(inputs(d, 9), d, undefined, () => true, 0.5);
  });

  for (const P of [0, 6]) {
    it(`KV-cache decoding step by step equals full ${P ? `GIT (P=${P})` : 'causal'} attention`, async () => {
      // Prompt of `prompt` rows, then one query per step over a cache [B, maxLen, H·D] whose rows past the
      // current length hold NaN: reading one would poison the output.
      const [B, H, D, L, maxLen, prompt] = [2, 2, 16, 14, 40, P + 3];
      const hd = H * D;
      const full = { batch: B, heads: H, headDim: D, queryLen: L, keyLen: L };
      const host = inputs(full, 10 + P);
      const cacheOf = (src: Float32Array) => {
        const cache = new Float32Array(B * maxLen * hd).fill(NaN);
        for (let b = 0; b < B; b++) cache.set(src.subarray(b * L * hd, (b + 1) * L * hd), b * maxLen * hd);
        return gpu.fromHost(cache, [B, maxLen, hd], 'f32');
      };
      const kCache = cacheOf(host.k.data), vCache = cacheOf(host.v.data);
      const q = gpu.fromHost(host.q.data, [B, L, hd], 'f32');
      const mask = { causal: true, prefixLength: P };

      const rec = new Recorder(gpu);
      const reference = attention(rec, { ...full, q: { tensor: q, rowStride: hd, batchStride: L * hd },
        k: { tensor: kCache, rowStride: hd, batchStride: maxLen * hd }, v: { tensor: vCache, rowStride: hd, batchStride: maxLen * hd }, mask });
      const steps: Array<{ start: number; len: number; out: Tensor }> = [];
      for (let start = 0; start < L; start += start === 0 ? prompt : 1) {
        const len = start === 0 ? prompt : 1;
        const out = attention(rec, {
          batch: B, heads: H, headDim: D, queryLen: len, keyLen: start + len,
          q: { tensor: q, offset: start * hd, rowStride: hd, batchStride: L * hd },
          k: { tensor: kCache, rowStride: hd, batchStride: maxLen * hd },
          v: { tensor: vCache, rowStride: hd, batchStride: maxLen * hd },
          mask: { ...mask, queryOffset: start },
        });
        steps.push({ start, len, out });
      }
      const fullResult = rec.read(reference);
      const stepResults = steps.map((s) => rec.read(s.out));
      await rec.submit();

      const expected = await fullResult;
      const git = gitVisible(P, L);
      expectClose(expected, attentionRef(host.q, host.k, host.v, full, (_, i, j) => git[i]![j]!).out, ATOL, RTOL);
      const assembled = new Float32Array(expected.length);
      const stepOutputs = await Promise.all(stepResults);
      steps.forEach((s, n) => {
        const out = stepOutputs[n]!;
        for (let b = 0; b < B; b++) assembled.set(out.subarray(b * s.len * hd, (b + 1) * s.len * hd), (b * L + s.start) * hd);
      });
      // Same keys, same visibility, same tile order: the step results match the full pass to rounding.
      expectClose(assembled, expected, 1e-6, 1e-6);
    });
  }

  it('rejects views that reach past their tensor, and oversized heads', () => {
    const rec = new Recorder(gpu);
    const t = gpu.empty([2, 5, 32]);
    const view = { tensor: t, rowStride: 32, batchStride: 160 };
    const d = { batch: 2, heads: 2, headDim: 16, queryLen: 5, keyLen: 5 };
    expect(() => attention(rec, { ...d, q: view, k: view, v: { ...view, offset: 1 } })).toThrow(expect.objectContaining({ code: 'tensor-shape' }));
    expect(() => attention(rec, { ...d, keyLen: 6, q: view, k: view, v: view })).toThrow(expect.objectContaining({ code: 'tensor-shape' }));
    expect(() => attention(rec, { ...d, heads: 1, headDim: 160, q: { ...view, rowStride: 160 }, k: view, v: view })).toThrow(expect.objectContaining({ code: 'bad-input' }));
    expect(() => attention(rec, { ...d, q: view, k: view, v: view, out: t })).toThrow(expect.objectContaining({ code: 'bad-input' }));
  });
});
