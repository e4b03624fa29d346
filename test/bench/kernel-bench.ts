/**
 * Kernel benchmarks at the models' shapes (CLIP/ViT-B, GIT, GPT-2), shared by the Chromium page
 * (test/browser/pages/bench.ts) and Node + Dawn (scripts/bench.mjs --node).
 *
 * Timing: each repetition records the kernel `inner` times into one command buffer, submits once and
 * waits for queue.onSubmittedWorkDone(); the time per kernel is that wall time / inner. `inner` is
 * calibrated from the warm-up so a repetition lasts a few milliseconds: on a fast GPU one dispatch is far
 * shorter than a submit round trip. Inputs and outputs are allocated once, outside the timing.
 */
import type { AdapterDescription } from '../../src/gpu/device';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import type { Tensor } from '../../src/gpu/tensor';
import { attention } from '../../src/kernels/attention';
import { layerNorm } from '../../src/kernels/layernorm';
import { matmul } from '../../src/kernels/matmul';
import { softmax } from '../../src/kernels/softmax';
import { randomArray } from '../helpers/reference';
import { measurePeak, type PeakFigures } from './peak';
import { median } from './stats';

export interface BenchOptions {
  /** Where the benchmark runs ("headless Chromium", "node + Dawn"), for the report. */
  runtime: string;
  /** Timed repetitions per kernel, at least 5. Default 10, or 5 on a CPU adapter (SwiftShader, lavapipe). */
  reps?: number;
  log?: (line: string) => void;
}

export interface BenchRow {
  name: string;
  shape: string;
  /** Per kernel: GPU time from pass timestamps where the adapter has timestamp-query, else wall-clock. */
  medianMs: number;
  minMs: number;
  /** Which clock medianMs and minMs come from. */
  clock: 'gpu timestamps' | 'wall clock';
  /** Per kernel, wall-clock around submit + wait (includes the submit round trip). */
  wallMedianMs: number;
  reps: number;
  /** Kernels per submit (see the module comment). */
  inner: number;
  /** The first, cold run: includes shader compilation, which Chromium defers to the first dispatch. */
  firstMs: number;
  /** GFLOP/s for compute-bound kernels, GB/s for memory-bound ones. */
  rate: number;
  unit: 'GFLOP/s' | 'GB/s';
  /** rate / the adapter's measured peak in the same unit (FMA GFLOP/s or copy GB/s). */
  ofPeak: number;
}

export interface BenchReport {
  runtime: string;
  adapter: AdapterDescription;
  f16: boolean;
  date: string;
  notes: string[];
  /** The adapter's measured FMA and copy peaks (test/bench/peak.ts). */
  peak: PeakFigures;
  rows: BenchRow[];
}

interface Case {
  name: string;
  shape: string;
  /** FLOPs (compute-bound) or bytes moved (memory-bound) per kernel. */
  work: number;
  unit: BenchRow['unit'];
  /** The largest buffer it binds, bytes (checked against the adapter's maxStorageBufferBindingSize). */
  largestBinding?: number;
  /** Allocates inputs/outputs; returns the recording of one kernel and the cleanup. */
  setup(gpu: Gpu): { record(rec: Recorder): void; release(): void };
}

const TARGET_REP_MS = 5;
const MAX_INNER = 64;

/**
 * A matmul at a model's shape. With M ≤ 4 rows (a decoding step: one token per beam) the weights are read
 * once and hardly reused, so the kernel is bandwidth-bound and reported in GB/s (bytes of A, B and C).
 */
function matmulCase(M: number, N: number, K: number, weightType: 'f32' | 'f16' = 'f32', transB = true): Case {
  const decode = M <= 4;
  const weightBytes = weightType === 'f16' ? 2 : 4;
  return {
    name: `matmul${weightType === 'f16' ? ' (f16 weights)' : ''}${transB ? '' : ' [K,N]'}`,
    shape: `${M}×${N}×${K}`,
    work: decode ? N * K * weightBytes + 4 * (M * K + M * N) : 2 * M * N * K,
    unit: decode ? 'GB/s' : 'GFLOP/s',
    largestBinding: N * K * weightBytes,
    setup(gpu) {
      const a = gpu.fromHost(randomArray(M * K, 1), [M, K], 'f32');
      const b = gpu.upload(randomArray(N * K, 2), transB ? [N, K] : [K, N], weightType);
      const out = gpu.empty([M, N]);
      return { record: (rec) => matmul(rec, a, b, { transB, out }), release: () => release(a, b, out) };
    },
  };
}

function softmaxCase(heads: number, L: number): Case {
  const rows = heads * L;
  return {
    name: 'softmax',
    shape: `${heads}×${L}×${L}`,
    work: 2 * rows * L * 4, // read + write, f32
    unit: 'GB/s',
    setup(gpu) {
      const x = gpu.fromHost(randomArray(rows * L, 3, 4), [rows, L], 'f32');
      const out = gpu.empty([rows, L]);
      return { record: (rec) => softmax(rec, x, { out }), release: () => release(x, out) };
    },
  };
}

function layerNormCase(rows: number, H: number): Case {
  return {
    name: 'layerNorm',
    shape: `${rows}×${H}`,
    work: 2 * rows * H * 4,
    unit: 'GB/s',
    setup(gpu) {
      const x = gpu.fromHost(randomArray(rows * H, 4), [rows, H], 'f32');
      const w = gpu.upload(randomArray(H, 5), [H], 'f32');
      const b = gpu.upload(randomArray(H, 6), [H], 'f32');
      const out = gpu.empty([rows, H]);
      return { record: (rec) => layerNorm(rec, x, w, b, 1e-5, { out }), release: () => release(x, w, b, out) };
    },
  };
}

/** Self-attention over a packed qkv [1, L, 3·H·D], as a ViT / GPT-2 block runs it. */
function attentionCase(heads: number, L: number, D: number): Case {
  const hd = heads * D;
  return {
    name: 'attention',
    shape: `B1 H${heads} L${L} D${D}`,
    work: 4 * heads * L * L * D, // q·kᵀ and p·v
    unit: 'GFLOP/s',
    setup(gpu) {
      const qkv = gpu.fromHost(randomArray(L * 3 * hd, 7), [1, L, 3 * hd], 'f32');
      const out = gpu.empty([1, L, hd]);
      const view = (offset: number) => ({ tensor: qkv, offset, rowStride: 3 * hd, batchStride: L * 3 * hd });
      return {
        record: (rec) => attention(rec, { q: view(0), k: view(hd), v: view(2 * hd), batch: 1, heads, headDim: D, queryLen: L, keyLen: L, out }),
        release: () => release(qkv, out),
      };
    },
  };
}

/** One decoding step: a single query over `keyLen` cached keys/values [1, maxLen, H·D]. */
function decodeCase(heads: number, keyLen: number, D: number): Case {
  const hd = heads * D;
  const maxLen = 64;
  return {
    name: 'attention decode step',
    shape: `H${heads} D${D}, 1 query × ${keyLen} keys`,
    work: 2 * keyLen * hd * 4, // reading the cached K and V dominates
    unit: 'GB/s',
    setup(gpu) {
      const q = gpu.fromHost(randomArray(hd, 8), [1, 1, hd], 'f32');
      const k = gpu.fromHost(randomArray(maxLen * hd, 9), [1, maxLen, hd], 'f32');
      const v = gpu.fromHost(randomArray(maxLen * hd, 10), [1, maxLen, hd], 'f32');
      const out = gpu.empty([1, 1, hd]);
      const cache = (tensor: Tensor) => ({ tensor, rowStride: hd, batchStride: maxLen * hd });
      return {
        record: (rec) => attention(rec, {
          q: { tensor: q, rowStride: hd, batchStride: hd }, k: cache(k), v: cache(v), batch: 1, heads, headDim: D,
          queryLen: 1, keyLen, mask: { causal: true, queryOffset: keyLen - 1 }, out,
        }),
        release: () => release(q, k, v, out),
      };
    },
  };
}

/** Pooled tensors go back to the pool; uploaded weights are destroyed. */
function release(...tensors: Tensor[]): void {
  for (const t of tensors) t.release();
}

/** One submit of `inner` kernels: wall-clock ms around submit + wait, and GPU ms where timestamps exist. */
async function timeOnce(gpu: Gpu, record: (rec: Recorder) => void, inner: number, label: string): Promise<{ wall: number; gpu: number | null }> {
  const rec = new Recorder(gpu, label);
  const gpuMs = rec.measureGpuTime();
  for (let i = 0; i < inner; i++) record(rec);
  const start = performance.now();
  await rec.submit();
  await gpu.device.queue.onSubmittedWorkDone();
  return { wall: performance.now() - start, gpu: await gpuMs };
}

/** SwiftShader and lavapipe run WebGPU on the CPU, two orders of magnitude slower than a GPU. */
export function isCpuAdapter(adapter: AdapterDescription): boolean {
  return adapter.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(`${adapter.architecture} ${adapter.description} ${adapter.device}`);
}

export async function runKernelBench(gpu: Gpu, options: BenchOptions): Promise<BenchReport> {
  const cpu = isCpuAdapter(gpu.adapter);
  const reps = Math.max(5, options.reps ?? (cpu ? 5 : 10));
  const log = options.log ?? (() => {});
  const notes = [
    `median of ${reps} timed repetitions after 2 warm-up runs; one submit per repetition`,
    gpu.features.timestampQuery
      ? 'median/min ms and rates: GPU time from compute-pass timestamps (timestamp-query), per kernel; "wall ms": submit to onSubmittedWorkDone, per kernel'
      : 'no timestamp-query on this adapter: every figure is wall-clock, submit to onSubmittedWorkDone',
  ];
  if (cpu) notes.push('CPU adapter: WebGPU runs on the CPU here, so these numbers say nothing about GPUs');

  log('measuring the adapter\'s peak (FMA GFLOP/s, copy GB/s)');
  const peak = await measurePeak(gpu, { cpu, reps });
  log(`peak: ${peak.gflops.toFixed(1)} GFLOP/s (${peak.detail.fma}); ${peak.gbps.toFixed(1)} GB/s (${peak.detail.copy})`);
  notes.push(`peak: FMA ${peak.detail.fma}; copy ${peak.detail.copy}`);

  const cases: Case[] = [
    matmulCase(50, 768, 768),
    matmulCase(50, 3072, 768),
    matmulCase(197, 768, 3072),
    matmulCase(1024, 1024, 1024),
    // Decoding steps: the split-K GEMV. Every model weight is [N, K] by then (GPT-2's Conv1D is
    // transposed at load); one [K, N] case measures the 4×128 matmul tile such a weight still gets.
    matmulCase(1, 768, 768),
    matmulCase(1, 3072, 768),
    matmulCase(1, 768, 3072),
    matmulCase(1, 3072, 768, 'f32', false),
    matmulCase(3, 3072, 768),
    matmulCase(1, 50257, 768),
  ];
  if (gpu.features.f16) {
    cases.push(
      matmulCase(50, 768, 768, 'f16'), matmulCase(50, 3072, 768, 'f16'), matmulCase(197, 768, 3072, 'f16'),
      matmulCase(1, 3072, 768, 'f16', false), matmulCase(1, 3072, 768, 'f16'), matmulCase(1, 50257, 768, 'f16'),
    );
  } else notes.push('no shader-f16 on this adapter: f16-weight matmuls skipped');
  cases.push(softmaxCase(12, 197), layerNormCase(197, 768), attentionCase(12, 197, 64), decodeCase(12, 40, 64));

  const rows: BenchRow[] = [];
  const maxBinding = gpu.device.limits.maxStorageBufferBindingSize;
  for (const c of cases) {
    if ((c.largestBinding ?? 0) > maxBinding) {
      notes.push(`${c.name} ${c.shape} skipped: it binds ${(c.largestBinding! / 2 ** 20).toFixed(0)} MiB, over this adapter's maxStorageBufferBindingSize (${(maxBinding / 2 ** 20).toFixed(0)} MiB)`);
      log(notes[notes.length - 1]!);
      continue;
    }
    const { record, release: cleanup } = c.setup(gpu);
    try {
      const label = `${c.name} ${c.shape}`;
      const firstMs = (await timeOnce(gpu, record, 1, label)).wall; // compiles the pipelines
      const steady = (await timeOnce(gpu, record, 1, label)).wall;
      const inner = Math.min(MAX_INNER, Math.max(1, Math.ceil(TARGET_REP_MS / Math.max(steady, 1e-3))));
      const runs: Array<{ wall: number; gpu: number | null }> = [];
      for (let r = 0; r < reps; r++) runs.push(await timeOnce(gpu, record, inner, label));
      const useGpu = runs.every((run) => run.gpu !== null);
      const times = runs.map((run) => (useGpu ? run.gpu! : run.wall) / inner).sort((a, b) => a - b);
      const medianMs = median(times);
      const wallMedianMs = median(runs.map((run) => run.wall / inner));
      const rate = c.work / (medianMs * 1e-3) / 1e9;
      const ofPeak = rate / (c.unit === 'GFLOP/s' ? peak.gflops : peak.gbps);
      const clock = useGpu ? 'gpu timestamps' : 'wall clock';
      rows.push({ name: c.name, shape: c.shape, medianMs, minMs: times[0]!, clock, wallMedianMs, reps, inner, firstMs, rate, unit: c.unit, ofPeak });
      log(`${label}: ${medianMs.toFixed(3)} ms by ${clock}, ${wallMedianMs.toFixed(3)} ms wall (${rate.toFixed(2)} ${c.unit}, ${(100 * ofPeak).toFixed(1)}% of peak; first run ${firstMs.toFixed(1)} ms)`);
    } finally {
      cleanup();
    }
  }
  return {
    runtime: options.runtime,
    adapter: gpu.adapter,
    f16: gpu.features.f16,
    date: new Date().toISOString(),
    notes,
    peak,
    rows,
  };
}

/** The report as a plain-text table. */
export function formatReport(report: BenchReport): string {
  const a = report.adapter;
  const header = ['kernel', 'shape', 'median ms', 'min ms', 'clock', 'wall ms', 'first ms', 'per submit', 'rate', 'of peak'];
  const body = report.rows.map((r) => [
    r.name, r.shape, r.medianMs.toFixed(3), r.minMs.toFixed(3), r.clock === 'gpu timestamps' ? 'GPU' : 'wall', r.wallMedianMs.toFixed(3),
    r.firstMs.toFixed(1), String(r.inner), `${r.rate.toFixed(2)} ${r.unit}`, `${(100 * r.ofPeak).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    `Iris kernel benchmark — ${report.runtime}`,
    `adapter: ${describeAdapter(a)}; shader-f16: ${report.f16 ? 'yes' : 'no'}`,
    `peak (measured): ${report.peak.gflops.toFixed(1)} GFLOP/s FMA, ${report.peak.gbps.toFixed(1)} GB/s copy (read + write)`,
    ...report.notes.map((n) => `note: ${n}`),
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ].join('\n');
}

/** One line naming the adapter, printed with every figure. */
export function describeAdapter(a: AdapterDescription): string {
  return `${a.description} (vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, device ${a.device || '?'}${a.isFallbackAdapter ? ', fallback adapter' : ''})`;
}
