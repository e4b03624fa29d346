// What the f16 golden tests share: the manifest's f16 tolerances, the closeness check they apply (values within
// tolerance, and each row pointing the same way as transformers'), and the skip rule for adapters without f16.
import { expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { requireF16 } from './dawn';
import { goldenJson, type GoldenModel } from './golden';
import { allClose } from './reference';

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** The golden manifest's suggested f16 tolerances: for hidden states and embeddings, and for logits. */
export function f16Tolerances(model: GoldenModel | string): { hidden: Tolerance; logits: Tolerance } {
  const manifest = goldenJson<{ suggested_tolerances: { float16_impl: { hidden_states_and_embeds: Tolerance; logits: Tolerance } } }>(model as GoldenModel, 'manifest.json');
  const t = manifest.suggested_tolerances.float16_impl;
  return { hidden: t.hidden_states_and_embeds, logits: t.logits };
}

/** Within tolerance, and every row of `cols` values at cosine similarity > 0.999 with the reference. */
export function expectF16Close(actual: ArrayLike<number>, expected: ArrayLike<number>, cols: number, t: Tolerance, what: string): void {
  const check = allClose(actual, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
  for (let r = 0; r < expected.length / cols; r++) {
    let dot = 0, na = 0, nb = 0;
    for (let c = 0; c < cols; c++) {
      const a = actual[r * cols + c]!, b = expected[r * cols + c]!;
      dot += a * b; na += a * a; nb += b * b;
    }
    expect(dot / Math.sqrt(na * nb), `${what} row ${r} cosine`).toBeGreaterThan(0.999);
  }
}

/** True where the adapter has shader-f16; otherwise skips the test, or fails it under IRIS_REQUIRE_F16=1 (CI). */
export function needF16(gpu: Gpu, skip: () => void): boolean {
  if (gpu.features.f16) return true;
  if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
  skip();
  return false;
}
