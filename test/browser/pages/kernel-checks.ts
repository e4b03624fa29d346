// Kernel checks that run inside Chromium (page or Worker) on its WebGPU adapter, each against the same
// float64 CPU references the Dawn suite uses. Returns numbers; the Node-side test does the asserting.
import { Gpu } from '../../../src/gpu/gpu';
import { Recorder } from '../../../src/gpu/recorder';
import { matmul } from '../../../src/kernels/matmul';
import { allClose, matmulRef, randomArray } from '../../helpers/reference';

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
