/** A real WebGPU device in Node through Dawn's bindings (npm `webgpu`), for the kernel tests. */
import { create, globals } from 'webgpu';
import { Gpu } from '../../src/gpu/gpu';
import type { DeviceOptions } from '../../src/gpu/device';

Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode, ... as in a browser

// Dawn's instance must stay reachable: if it is garbage-collected while a device lives, the process aborts.
let dawn: GPU | undefined;

/** Dawn's `navigator.gpu` equivalent (one per process), e.g. for a GpuRuntime. */
export function dawnGpu(): GPU {
  dawn ??= create([]) as unknown as GPU;
  return dawn;
}

export async function createDawnGpu(options?: DeviceOptions): Promise<Gpu> {
  return Gpu.create(dawnGpu(), options);
}

/** A fresh device whose synchronous pipeline compiles (PipelineCache.get misses) are counted. */
export async function countingDawnGpu(): Promise<{ gpu: Gpu; syncCompiles: () => number }> {
  const gpu = await createDawnGpu();
  let count = 0;
  const sync = gpu.device.createComputePipeline.bind(gpu.device);
  gpu.device.createComputePipeline = (d) => { count++; return sync(d); };
  return { gpu, syncCompiles: () => count };
}

/** CI sets IRIS_REQUIRE_F16=1: there an adapter without shader-f16 is a failure, not a skip. */
export const requireF16 = process.env.IRIS_REQUIRE_F16 === '1';
