/** Assertions shared by the Dawn kernel tests. */
import { expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { countingDawnGpu } from './dawn';
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

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** `actual` is there and |actual - expected| ≤ atol + rtol·|expected| everywhere (same length): `what` names it. */
export function expectWithin(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>, t: Tolerance, what: string): void {
  expect(actual, what).toBeDefined();
  const check = allClose(actual!, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

/** Every row of `cols` values of `actual` points the way the reference's does: cosine similarity > 0.999. */
export function expectRowCosines(actual: ArrayLike<number>, expected: ArrayLike<number>, cols: number, what: string): void {
  for (let r = 0; r < expected.length / cols; r++) {
    let dot = 0, na = 0, nb = 0;
    for (let c = 0; c < cols; c++) {
      const a = actual[r * cols + c]!, b = expected[r * cols + c]!;
      dot += a * b; na += a * a; nb += b * b;
    }
    expect(dot / Math.sqrt(na * nb), `${what} row ${r} cosine`).toBeGreaterThan(0.999);
  }
}

/**
 * Runs `requests` on a fresh Dawn device (destroyed after) whose synchronous pipeline compiles are counted:
 * after `prepare`, none may happen (the kernelSpecs() tests).
 */
export async function expectNoSyncCompiles(requests: (gpu: Gpu) => Promise<void>): Promise<void> {
  const { gpu, syncCompiles } = await countingDawnGpu();
  try {
    await requests(gpu);
    expect(syncCompiles()).toBe(0);
  } finally {
    gpu.destroy();
  }
}
