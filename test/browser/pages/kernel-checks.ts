// Kernel checks that run inside Chromium (page or Worker) on its WebGPU adapter, each against the same
// float64 CPU references the Dawn suite uses. Returns numbers; the Node-side test does the asserting.
import { Gpu } from '../../../src/gpu/gpu';
import { Recorder } from '../../../src/gpu/recorder';
import { attention } from '../../../src/kernels/attention';
import { embed, patchEmbed } from '../../../src/kernels/embedding';
import { layerNorm } from '../../../src/kernels/layernorm';
import { matmul } from '../../../src/kernels/matmul';
import { softmax } from '../../../src/kernels/softmax';
import {
  allClose, attentionRef, embedRef, layerNormRef, matmulRef, maxAbs, patchEmbedRef, randomArray, softmaxRef,
} from '../../helpers/reference';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  maxRef: number;
}

export interface KernelReport {
  adapter: string;
  f16: boolean;
  checks: CheckResult[];
}

type Check = (gpu: Gpu) => Promise<CheckResult>;

function result(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): CheckResult {
  const c = allClose(actual, expected, atol, rtol);
  return { name, ok: c.ok, detail: c.detail, maxRef: maxAbs(expected) };
}

const checks: Check[] = [
  async (gpu) => {
    const [M, N, K] = [65, 129, 33];
    const a = randomArray(M * K, 1), b = randomArray(N * K, 2), bias = randomArray(N, 3);
    const rec = new Recorder(gpu);
    const out = matmul(rec, gpu.fromHost(a, [M, K], 'f32'), gpu.upload(b, [N, K], 'f32'), {
      bias: gpu.upload(bias, [N], 'f32'), activation: 'quick_gelu',
    });
    const actual = rec.read(out);
    await rec.submit();
    const expected = matmulRef(a, b, 1, M, N, K, { transB: true, bias, activation: 'quick_gelu' });
    const c = allClose(await actual, expected, 1e-4, 1e-4);
    return { name: 'matmul 65×129×33 transB +bias quick_gelu', ok: c.ok, detail: c.detail, maxRef: Math.max(...expected.map(Math.abs)) };
  },
  async (gpu) => {
    const [B, M, N, K] = [2, 17, 70, 48];
    const a = randomArray(B * M * K, 4), b = randomArray(K * N, 5);
    const rec = new Recorder(gpu);
    const out = matmul(rec, gpu.fromHost(a, [B, M, K], 'f32'), gpu.upload(b, [K, N], 'f32'), { transB: false, activation: 'gelu_new' });
    const actual = rec.read(out);
    await rec.submit();
    const expected = matmulRef(a, b, B, M, N, K, { transB: false, activation: 'gelu_new' });
    const c = allClose(await actual, expected, 1e-4, 1e-4);
    return { name: 'matmul 2×17×70×48 plain gelu_new', ok: c.ok, detail: c.detail, maxRef: Math.max(...expected.map(Math.abs)) };
  },
  async (gpu) => {
    // Logits in (-8, 8), 3 mask rows with causal -inf entries; the maximum probability is well above 0.05.
    const [rows, L] = [12, 77];
    const x = randomArray(rows * L, 6, 8);
    const mask = new Float32Array(3 * L).map((_, i) => (i % L > 20 * Math.floor(i / L) + 5 ? -Infinity : 0));
    const rec = new Recorder(gpu);
    const out = softmax(rec, gpu.fromHost(x, [rows, L], 'f32'), { mask: gpu.fromHost(mask, [3, L], 'f32') });
    const actual = rec.read(out);
    await rec.submit();
    return result('softmax 12×77 + mask [3, 77]', await actual, softmaxRef(x, rows, L, mask, 3), 1e-6, 1e-5);
  },
  async (gpu) => {
    const [rows, H] = [9, 768];
    const x = randomArray(rows * H, 7, 2).map((v) => v + 1e4);
    const weight = randomArray(H, 8), bias = randomArray(H, 9);
    const rec = new Recorder(gpu);
    const out = layerNorm(rec, gpu.fromHost(x, [rows, H], 'f32'), gpu.upload(weight, [H], 'f32'), gpu.upload(bias, [H], 'f32'), 1e-5);
    const actual = rec.read(out);
    await rec.submit();
    return result('layerNorm 9×768, inputs around 1e4', await actual, layerNormRef(x, rows, H, weight, bias, 1e-5), 2e-5, 1e-5);
  },
  async (gpu) => {
    // GIT: 17 image tokens see each other; 9 text tokens see the image and the text causally.
    const [B, H, D, P, L] = [1, 2, 64, 17, 26];
    const hd = H * D;
    const [q, k, v] = [10, 11, 12].map((seed) => ({ data: randomArray(B * L * hd, seed, 2), rowStride: hd, batchStride: L * hd }));
    const view = (h: { data: Float32Array; rowStride: number; batchStride: number }) => ({ ...h, tensor: gpu.fromHost(h.data, [B, L, hd], 'f32') });
    const rec = new Recorder(gpu);
    const out = attention(rec, { q: view(q!), k: view(k!), v: view(v!), batch: B, heads: H, headDim: D, queryLen: L, keyLen: L, mask: { causal: true, prefixLength: P } });
    const actual = rec.read(out);
    await rec.submit();
    const expected = attentionRef(q!, k!, v!, { batch: B, heads: H, headDim: D, queryLen: L, keyLen: L }, (_, i, j) => (i < P ? j < P : j < P || j <= i));
    return result('attention GIT mask (17 image + 9 text, H=2, D=64)', await actual, expected.out, 2e-6, 1e-5);
  },
  async (gpu) => {
    const [B, L, V, H, P] = [2, 5, 40, 33, 12];
    const ids = new Int32Array([1, 39, 0, 17, 40, 5, -3, 22, 8, 8]);
    const table = randomArray(V * H, 13), positions = randomArray(P * H, 14);
    const rec = new Recorder(gpu);
    const out = embed(rec, gpu.fromHost(ids, [B, L], 'i32'), gpu.upload(table, [V, H], 'f32'), { positions: gpu.upload(positions, [P, H], 'f32'), positionOffset: 4 });
    const actual = rec.read(out);
    await rec.submit();
    return result('embed 2×5 ids (2 out of range) + positions from 4', await actual, embedRef(ids, B, L, table, V, H, positions, 4), 1e-6, 1e-6);
  },
  async (gpu) => {
    const [B, C, H, W, p, hidden] = [1, 3, 32, 48, 16, 24];
    const pixels = randomArray(B * C * H * W, 15), weight = randomArray(hidden * C * p * p, 16), bias = randomArray(hidden, 17);
    const rec = new Recorder(gpu);
    const out = patchEmbed(rec, gpu.fromHost(pixels, [B, C, H, W], 'f32'), gpu.upload(weight, [hidden, C, p, p], 'f32'), gpu.upload(bias, [hidden], 'f32'), p);
    const actual = rec.read(out);
    await rec.submit();
    return result('patchEmbed 3×32×48, patch 16, hidden 24', await actual, patchEmbedRef(pixels, B, C, H, W, weight, hidden, p, bias), 1e-4, 1e-4);
  },
];

export async function runKernelChecks(): Promise<KernelReport> {
  const gpu = await Gpu.create();
  try {
    const results: CheckResult[] = [];
    for (const check of checks) {
      try {
        results.push(await check(gpu));
      } catch (error) {
        results.push({ name: check.name || 'check', ok: false, detail: String(error), maxRef: 0 });
      }
    }
    return { adapter: `${gpu.adapter.vendor}/${gpu.adapter.architecture}`, f16: gpu.features.f16, checks: results };
  } finally {
    gpu.destroy();
  }
}
