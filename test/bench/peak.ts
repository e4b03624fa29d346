/**
 * The adapter's measured peak, the yardstick for the kernel table's "of peak" column:
 *
 *   FMA     each invocation runs 8 independent vec4<f32> fma chains in a loop (no memory traffic but one
 *           store at the end); GFLOP/s = invocations · iterations · 8 · 4 · 2 / time.
 *   copy    a grid-stride vec4<f32> copy of a buffer far larger than any cache; GB/s counts bytes read
 *           and written (as the usual device-to-device copy figure does).
 *
 * Both are calibrated so one dispatch lasts at least TARGET_MS (so the submit round trip is small beside
 * it) and reported as the median of the timed repetitions, like the kernels.
 */
import type { Gpu } from '../../src/gpu/gpu';
import { median } from './stats';

export interface PeakFigures {
  /** Single-precision FMA throughput, GFLOP/s. */
  gflops: number;
  /** Copy bandwidth, GB/s (read + write). */
  gbps: number;
  detail: { fma: string; copy: string };
}

const FMA_SHADER = /* wgsl */ `
struct Params { iterations: u32, seed: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * 256u;
  let s = p.seed + f32(i & 7u) * 1e-7;
  // Multiplier just below 1 and a tiny addend: the values stay finite for any iteration count.
  let m = vec4<f32>(0.9999999, 0.9999998, 0.9999997, 0.9999996);
  let c = vec4<f32>(s * 1e-7);
  var a0 = vec4<f32>(s);        var a1 = vec4<f32>(s + 1.0); var a2 = vec4<f32>(s + 2.0); var a3 = vec4<f32>(s + 3.0);
  var a4 = vec4<f32>(s + 4.0);  var a5 = vec4<f32>(s + 5.0); var a6 = vec4<f32>(s + 6.0); var a7 = vec4<f32>(s + 7.0);
  for (var k = 0u; k < p.iterations; k++) {
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
  }
  out[i] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}`;

const COPY_SHADER = /* wgsl */ `
struct Params { count: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * 256u;
  for (var i = gid.x; i < p.count; i += stride) { dst[i] = src[i]; }
}`;

const FLOPS_PER_ITERATION = 8 * 4 * 2; // 8 vec4 fma chains, 2 flops per lane

async function timeDispatch(gpu: Gpu, pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, groups: number): Promise<number> {
  const encoder = gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.min(groups, 65535), Math.ceil(groups / 65535));
  pass.end();
  const start = performance.now();
  gpu.device.queue.submit([encoder.finish()]);
  await gpu.device.queue.onSubmittedWorkDone();
  return performance.now() - start;
}

/** Measures both figures; `cpu` picks sizes that finish in seconds on SwiftShader/lavapipe. */
export async function measurePeak(gpu: Gpu, options: { cpu: boolean; reps: number }): Promise<PeakFigures> {
  const { device } = gpu;
  const targetMs = options.cpu ? 150 : 20;

  // FMA: enough workgroups to fill any GPU (H100: 132 SMs × 2048 threads ≈ 1056 groups of 256), fewer on a CPU.
  const fmaGroups = options.cpu ? 64 : 8192;
  const fmaOut = device.createBuffer({ size: fmaGroups * 256 * 16, usage: GPUBufferUsage.STORAGE });
  const fmaParams = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const fmaPipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: FMA_SHADER }), entryPoint: 'main' } });
  const fmaBind = device.createBindGroup({ layout: fmaPipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: fmaParams } }, { binding: 1, resource: { buffer: fmaOut } }] });
  const setIterations = (n: number) => device.queue.writeBuffer(fmaParams, 0, packFma(n));
  let iterations = 64;
  setIterations(iterations);
  await timeDispatch(gpu, fmaPipeline, fmaBind, fmaGroups); // warm-up
  for (;;) {
    const t = await timeDispatch(gpu, fmaPipeline, fmaBind, fmaGroups);
    if (t >= targetMs || iterations >= 1 << 20) break;
    iterations = Math.min(1 << 20, iterations * Math.max(2, Math.ceil(targetMs / Math.max(t, 0.05))));
    setIterations(iterations);
  }
  const fmaTimes: number[] = [];
  for (let r = 0; r < options.reps; r++) fmaTimes.push(await timeDispatch(gpu, fmaPipeline, fmaBind, fmaGroups));
  const fmaMs = median(fmaTimes);
  const flops = fmaGroups * 256 * iterations * FLOPS_PER_ITERATION;
  fmaOut.destroy();
  fmaParams.destroy();

  // Copy: 256 MiB each way on a GPU (5× an H100's L2), 32 MiB on a CPU adapter.
  const bytes = (options.cpu ? 32 : 256) * 2 ** 20;
  const count = bytes / 16;
  const src = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE });
  const dst = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE });
  const copyParams = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(copyParams, 0, new Uint32Array([count, 0, 0, 0]));
  const copyPipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: COPY_SHADER }), entryPoint: 'main' } });
  const copyBind = device.createBindGroup({
    layout: copyPipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer: copyParams } }, { binding: 1, resource: { buffer: src } }, { binding: 2, resource: { buffer: dst } }],
  });
  // Several vec4 per invocation (grid-stride), as a tuned copy does.
  const copyGroups = Math.min(65535, Math.ceil(count / 256 / 4));
  await timeDispatch(gpu, copyPipeline, copyBind, copyGroups);
  const copyTimes: number[] = [];
  for (let r = 0; r < options.reps; r++) copyTimes.push(await timeDispatch(gpu, copyPipeline, copyBind, copyGroups));
  const copyMs = median(copyTimes);
  src.destroy();
  dst.destroy();
  copyParams.destroy();

  return {
    gflops: flops / (fmaMs * 1e-3) / 1e9,
    gbps: (2 * bytes) / (copyMs * 1e-3) / 1e9,
    detail: {
      fma: `${fmaGroups}×256 invocations × ${iterations} iterations × 8 vec4 fma, median ${fmaMs.toFixed(2)} ms of ${options.reps}`,
      copy: `${bytes / 2 ** 20} MiB vec4 copy, median ${copyMs.toFixed(2)} ms of ${options.reps}`,
    },
  };
}

function packFma(iterations: number): ArrayBuffer {
  const view = new DataView(new ArrayBuffer(16));
  view.setUint32(0, iterations, true);
  view.setFloat32(4, 0.5, true);
  return view.buffer;
}
