// The GPU layer around the kernels: debug mode's NaN/Inf check, the pipeline cache, device-loss recovery.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IrisError, isIrisError } from '../../src/errors';
import { Gpu, GpuRuntime } from '../../src/gpu/gpu';
import type { CompileProgress, ShaderSpec } from '../../src/gpu/pipelines';
import { Recorder } from '../../src/gpu/recorder';
import { layerNorm } from '../../src/kernels/layernorm';
import { softmax } from '../../src/kernels/softmax';
import { createDawnGpu, dawnGpu } from '../helpers/dawn';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

async function rejection(promise: Promise<unknown>): Promise<IrisError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IrisError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}

describe('debug mode', () => {
  it('names the kernel that wrote NaN (layerNorm, eps 0, constant row: 0 · 1/√0)', async () => {
    gpu.debug = true;
    try {
      const rec = new Recorder(gpu);
      const x = gpu.fromHost(new Float32Array([1, 2, 3, 4, 5, 5, 5, 5]), [2, 4], 'f32');
      const ones = gpu.upload(new Float32Array([1, 1, 1, 1]), [4], 'f32');
      layerNorm(rec, x, ones, ones, 0);
      const error = await rejection(rec.submit());
      expect(error.code).toBe('non-finite');
      expect(error.message).toContain('"layernorm"');
    } finally {
      gpu.debug = false;
    }
  });

  it('names the first offender in a chain (softmax fed a NaN), and passes finite outputs', async () => {
    gpu.debug = true;
    try {
      const good = new Recorder(gpu);
      softmax(good, gpu.fromHost(new Float32Array([1, 2, 3]), [1, 3], 'f32'));
      await good.submit(); // finite: no error

      const rec = new Recorder(gpu);
      const x = gpu.fromHost(new Float32Array([0, NaN, 1, 2]), [2, 2], 'f32');
      const ones = gpu.upload(new Float32Array([1, 1]), [2], 'f32');
      layerNorm(rec, softmax(rec, x), ones, ones, 1e-5);
      const error = await rejection(rec.submit());
      expect(error.code).toBe('non-finite');
      expect(error.message).toContain('"softmax"');
    } finally {
      gpu.debug = false;
    }
  });

  it('is off by default: the same kernel submits without a check', async () => {
    expect(gpu.debug).toBe(false);
    const rec = new Recorder(gpu);
    const ones = gpu.upload(new Float32Array([1, 1, 1, 1]), [4], 'f32');
    layerNorm(rec, gpu.fromHost(new Float32Array([5, 5, 5, 5]), [1, 4], 'f32'), ones, ones, 0);
    await expect(rec.submit()).resolves.toBeUndefined();
  });
});

describe('PipelineCache', () => {
  const code = /* wgsl */ `
    override FACTOR: f32 = 1.0;
    override OFFSET: f32 = 0.0;
    @group(0) @binding(0) var<storage, read_write> data: array<f32>;
    @compute @workgroup_size(1) fn main() { data[0] = data[0] * FACTOR + OFFSET; }`;

  it('compiles a spec once, whatever the order of its constants', async () => {
    const fresh = await createDawnGpu();
    try {
      const device = fresh.device;
      let syncCompiles = 0, asyncCompiles = 0;
      const sync = device.createComputePipeline.bind(device);
      const async_ = device.createComputePipelineAsync.bind(device);
      device.createComputePipeline = (d) => { syncCompiles++; return sync(d); };
      device.createComputePipelineAsync = (d) => { asyncCompiles++; return async_(d); };

      const a: ShaderSpec = { name: 'affine', code, constants: { FACTOR: 2, OFFSET: 1 } };
      const aReordered: ShaderSpec = { name: 'affine', code, constants: { OFFSET: 1, FACTOR: 2 } };
      const b: ShaderSpec = { name: 'affine', code, constants: { FACTOR: 3, OFFSET: 1 } };

      const first = fresh.pipelines.get(a);
      expect(fresh.pipelines.get(aReordered)).toBe(first);
      expect(fresh.pipelines.get(a)).toBe(first);
      expect(syncCompiles).toBe(1);

      const progress: CompileProgress[] = [];
      await fresh.pipelines.prepare([a, b, b, { ...b }], (p) => progress.push(p));
      expect(asyncCompiles).toBe(1); // only b was missing
      expect(progress.map((p) => [p.compiled, p.total])).toEqual([[1, 2], [2, 2]]);
      expect(fresh.pipelines.size).toBe(2);
      fresh.pipelines.get(b);
      expect(syncCompiles).toBe(1); // prepared, so get() compiles nothing
    } finally {
      fresh.destroy();
    }
  });

  it('prepare() compiles in the background and reports progress; kernels then reuse the pipelines', async () => {
    const fresh = await createDawnGpu();
    try {
      const specs: ShaderSpec[] = [1, 2, 3, 4].map((f) => ({ name: `factor-${f}`, code, constants: { FACTOR: f } }));
      const names: string[] = [];
      const pending = fresh.pipelines.prepare(specs, (p) => names.push(`${p.compiled}/${p.total} ${p.name}`));
      expect(names).toEqual([]); // nothing reported synchronously: the work is asynchronous
      await pending;
      expect(names).toHaveLength(4);
      expect(names.map((n) => n.split(' ')[0])).toEqual(['1/4', '2/4', '3/4', '4/4']);
      expect(fresh.pipelines.size).toBe(4);

      // The same kernel recorded twice compiles its pipeline once.
      const before = fresh.pipelines.size;
      for (let i = 0; i < 2; i++) {
        const rec = new Recorder(fresh);
        softmax(rec, fresh.fromHost(new Float32Array([1, 2, 3, 4]), [2, 2], 'f32'));
        await rec.submit();
      }
      expect(fresh.pipelines.size).toBe(before + 1);
    } finally {
      fresh.destroy();
    }
  });
});

describe('device loss', () => {
  it('GpuRuntime.get() after a loss returns a new working Gpu; the lost one refuses work', async () => {
    const runtime = new GpuRuntime(dawnGpu());
    const lost = await runtime.get();
    expect(await runtime.get()).toBe(lost); // healthy: the same Gpu
    const generation = runtime.generation;

    // A recording started before the loss fails at submit; recordings after it fail at once.
    const inFlight = new Recorder(lost);
    softmax(inFlight, lost.fromHost(new Float32Array([1, 2]), [1, 2], 'f32'));
    lost.device.destroy();
    await lost.device.lost;
    expect(lost.lost).not.toBeNull();
    expect((await rejection(inFlight.submit())).code).toBe('device-lost');
    let thrown: unknown;
    try {
      new Recorder(lost);
    } catch (error) {
      thrown = error;
    }
    expect(isIrisError(thrown, 'device-lost')).toBe(true);

    const renewed = await runtime.get();
    try {
      expect(renewed).not.toBe(lost);
      expect(runtime.generation).toBe(generation + 1);
      const rec = new Recorder(renewed);
      const out = softmax(rec, renewed.fromHost(new Float32Array([0, Math.log(3)]), [1, 2], 'f32'));
      const result = rec.read(out);
      await rec.submit();
      expect(Array.from(await result)).toEqual([expect.closeTo(0.25, 6), expect.closeTo(0.75, 6)]);
    } finally {
      renewed.destroy();
    }
  });
});
