/** Reading GPU tensors back in tests (Node and the browser pages: no vitest here). */
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import type { Tensor } from '../../src/gpu/tensor';

/** Reads one tensor back on its own: a recording with a single copy and submit. */
export async function readTensor(gpu: Gpu, tensor: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
  const rec = new Recorder(gpu, 'read back');
  const read = rec.read(tensor);
  await rec.submit();
  return read;
}

/** Submits `rec`, the recording that computes `tensors`, and reads them back, in order. */
export async function submitAndRead(rec: Recorder, ...tensors: Tensor[]): Promise<(Float32Array | Int32Array | Uint32Array)[]> {
  const reads = tensors.map((t) => rec.read(t));
  await rec.submit();
  return Promise.all(reads);
}
