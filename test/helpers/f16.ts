// What the f16 golden tests share: the manifest's f16 tolerances, the closeness check they apply (values within
// tolerance, and each row pointing the same way as transformers'), and the skip rule for adapters without f16.
import type { Gpu } from '../../src/gpu/gpu';
import { requireF16 } from './dawn';
import { expectRowCosines, expectWithin, type Tolerance } from './expect';
import { goldenTolerances, type GoldenModel, type GoldenSuggestedTolerances } from './golden';

/** The golden manifest's suggested f16 tolerances: for hidden states and embeddings, and for logits. */
export const f16Tolerances = (model: GoldenModel): GoldenSuggestedTolerances => goldenTolerances(model, 'f16');

/** Within tolerance, and every row of `cols` values at cosine similarity > 0.999 with the reference. */
export function expectF16Close(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>, cols: number, t: Tolerance, what: string): void {
  expectWithin(actual, expected, t, what);
  expectRowCosines(actual!, expected, cols, what);
}

/** True where the adapter has shader-f16; otherwise skips the test, or fails it under IRIS_REQUIRE_F16=1 (CI). */
export function needF16(gpu: Gpu, skip: () => void): boolean {
  if (gpu.features.f16) return true;
  if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
  skip();
  return false;
}
