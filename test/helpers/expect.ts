/** Assertions shared by the Dawn kernel tests. */
import { expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import type { Shape, Tensor } from '../../src/gpu/tensor';
import { numel } from '../../src/gpu/tensor';
import { allClose, maxAbs } from './reference';

/**
 * |actual - expected| ≤ atol + rtol·|expected| everywhere, and the reference is far from all zeros (some
 * |expected| > 10·atol), so a kernel that writes zeros cannot pass.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): void {
  const check = allClose(actual, expected, atol, rtol);
  expect(check.ok, check.detail).toBe(true);
  expect(maxAbs(expected), 'the reference is (nearly) all zeros').toBeGreaterThan(10 * atol);
}

/** An output tensor pre-filled with NaN: any element the kernel fails to write shows up. */
export function poisoned(gpu: Gpu, shape: Shape): Tensor {
  return gpu.fromHost(new Float32Array(numel(shape)).fill(NaN), shape, 'f32', 'poisoned');
}

/** Records one kernel (`record` returns its output), submits, and reads the output back. */
export async function runKernel(gpu: Gpu, record: (rec: Recorder) => Tensor): Promise<{ actual: Float32Array; shape: readonly number[] }> {
  const rec = new Recorder(gpu);
  const out = record(rec);
  const result = rec.read(out);
  await rec.submit();
  return { actual: (await result) as Float32Array, shape: out.shape };
}
