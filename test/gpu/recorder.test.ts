// The Recorder's ordering guarantees: an upload recorded after a pooled buffer was released is not
// overwritten by the earlier dispatch that still writes that buffer (queue.writeBuffer would be).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { activation, scale } from '../../src/kernels/elementwise';
import { matmul } from '../../src/kernels/matmul';
import { createDawnGpu, requireF16 } from '../helpers/dawn';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

it('upload lands after the dispatches recorded before it, even in a reused pool buffer', async () => {
  const rec = new Recorder(gpu);
  const input = rec.upload(Float32Array.from({ length: 64 }, (_, i) => i), [64], 'f32');
  const scratch = activation(rec, input, 'gelu'); // writes a pooled [64] buffer when the submit runs
  const scratchBuffer = scratch.buffer;
  scratch.release(); // free for reuse within this same recording
  const data = Float32Array.from({ length: 64 }, (_, i) => -1000 - i);
  const uploaded = rec.upload(data, [64], 'f32');
  expect(uploaded.buffer).toBe(scratchBuffer); // the hazard this test is about really is set up
  const read = rec.read(uploaded);
  await rec.submit();
  expect(Array.from(await read)).toEqual(Array.from(data));
});

it('a repeated forward pass reuses its uniform buffers and bind groups; new parameters get their own', async () => {
  const x = gpu.fromHost(Float32Array.from({ length: 96 }, (_, i) => i / 10), [96], 'f32');
  const pass = async (factor: number) => {
    const rec = new Recorder(gpu);
    const y = activation(rec, x, 'gelu');
    const z = scale(rec, y, factor);
    const read = rec.read(z);
    rec.releaseAfterSubmit(y, z);
    await rec.submit();
    return Array.from(await read);
  };
  const first = await pass(2);
  // The pool hands buffers back last-in first-out, so y and z swap buffers on alternate passes: two
  // passes see every combination.
  await pass(2);
  const before = { ...gpu.bindings.stats };
  expect(await pass(2)).toEqual(first);
  expect(gpu.bindings.stats.uniformMisses).toBe(before.uniformMisses);
  expect(gpu.bindings.stats.bindGroupMisses).toBe(before.bindGroupMisses);
  expect(gpu.bindings.stats.bindGroupHits).toBe(before.bindGroupHits + 2);

  // Another factor: a new parameter block and bind group for scale only; the result follows the parameter.
  const third = await pass(3);
  expect(gpu.bindings.stats.uniformMisses).toBe(before.uniformMisses + 1);
  expect(gpu.bindings.stats.bindGroupMisses).toBe(before.bindGroupMisses + 1);
  expect(gpu.bindings.stats.bindGroupHits).toBe(before.bindGroupHits + 3);
  third.forEach((v, i) => expect(v).toBeCloseTo((first[i]! / 2) * 3, 4));
});

it('uploads and readbacks reuse their mappable staging buffers, and a reused one carries the new data', async () => {
  let mappable = 0;
  const create = gpu.device.createBuffer.bind(gpu.device);
  gpu.device.createBuffer = (d) => {
    if (d.usage & (GPUBufferUsage.MAP_READ | GPUBufferUsage.MAP_WRITE)) mappable++;
    return create(d);
  };
  try {
    const step = async (first: number) => {
      const rec = new Recorder(gpu);
      // 1,000 ids: a staging size no earlier test used, so the first step has to create its buffers.
      const ids = rec.upload(Int32Array.from({ length: 1000 }, (_, i) => first + i), [1000], 'i32');
      const read = rec.read(ids);
      rec.releaseAfterSubmit(ids);
      await rec.submit();
      await gpu.device.queue.onSubmittedWorkDone(); // the upload buffer is mapped again, back in the pool
      return Array.from(await read);
    };
    const expected = (first: number) => Array.from({ length: 1000 }, (_, i) => first + i);
    expect(await step(100)).toEqual(expected(100));
    const afterFirst = mappable;
    expect(afterFirst).toBe(2); // one upload and one readback buffer
    for (const first of [200, 300, 400]) expect(await step(first)).toEqual(expected(first));
    expect(mappable).toBe(afterFirst); // no new mappable buffer after the first step
  } finally {
    gpu.device.createBuffer = create;
  }
});

it('measureGpuTime: pass timestamps sum to a GPU time inside the wall-clock window, growing with the work', async (ctx) => {
  if (!gpu.features.timestampQuery) {
    if (requireF16) throw new Error('CI\'s lavapipe has timestamp-query; this adapter lacks it');
    ctx.skip();
  }
  const a = gpu.fromHost(Float32Array.from({ length: 96 * 200 }, (_, i) => Math.sin(i)), [96, 200], 'f32');
  const b = gpu.upload(Float32Array.from({ length: 200 * 150 }, (_, i) => Math.cos(i)), [150, 200], 'f32');
  const timed = async (dispatches: number) => {
    const rec = new Recorder(gpu, 'timed');
    const gpuMs = rec.measureGpuTime();
    for (let i = 0; i < dispatches; i++) rec.releaseAfterSubmit(matmul(rec, a, b));
    const start = performance.now();
    await rec.submit();
    await gpu.device.queue.onSubmittedWorkDone();
    return { gpu: await gpuMs, wall: performance.now() - start };
  };
  await timed(1); // compiles
  // A busy CPU adapter can be preempted inside any one pass, which only ever adds time: the fastest of a few
  // single-dispatch runs is the one to compare 32 dispatches with (a single sample once took 21 ms instead of 5).
  const ones = [];
  for (let run = 0; run < 5; run++) ones.push(await timed(1));
  const many = await timed(32);
  for (const one of ones) {
    expect(one.gpu).toBeGreaterThan(0);
    expect(one.gpu!).toBeLessThanOrEqual(one.wall + 0.05);
  }
  expect(many.gpu!).toBeLessThanOrEqual(many.wall + 0.05);
  const fastestOne = Math.min(...ones.map((one) => one.gpu!));
  expect(many.gpu!).toBeGreaterThan(8 * fastestOne); // 32× the work; generous for a busy CPU adapter
});
