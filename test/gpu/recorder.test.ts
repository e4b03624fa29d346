// The Recorder's ordering guarantees: an upload recorded after a pooled buffer was released is not
// overwritten by the earlier dispatch that still writes that buffer (queue.writeBuffer would be).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { activation } from '../../src/kernels/elementwise';
import { createDawnGpu } from '../helpers/dawn';

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
