// A folder of ../shared/golden as the GPU golden tests check a model against it: its inputs and outputs, the
// manifest's suggested tolerances for one precision, and that precision's check of a result against an output by
// name (f32: values within tolerance; f16 matmul weights: also every row at cosine > 0.999 with transformers').
import { afterAll, beforeAll } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import type { ParameterOptions, ParameterSource } from '../../src/nn/params';
import { createDawnGpu } from './dawn';
import { expectWithin } from './expect';
import { expectF16Close, needF16 } from './f16';
import { f32, f32Row, goldenTensors, goldenTolerances, i64AsI32, shapeOf, type GoldenModel, type GoldenSuggestedTolerances } from './golden';
import { goldenParameters } from './golden-models';
import type { GoldenTensor } from './safetensors-node';

export type Precision = 'f32' | 'f16';

export type LoadModel<M> = (params: ParameterSource, config: Record<string, unknown>) => M;

export class GoldenFolder {
  readonly inputs: Map<string, GoldenTensor>;
  readonly outputs: Map<string, GoldenTensor>;
  readonly tol: GoldenSuggestedTolerances;

  constructor(readonly name: GoldenModel, readonly precision: Precision = 'f32') {
    this.inputs = goldenTensors(name, 'inputs');
    this.outputs = goldenTensors(name, 'outputs');
    this.tol = goldenTolerances(name, precision);
  }

  /** The folder's model (model.safetensors, config.json) on `gpu` through the production parser and `load`. */
  load<M>(gpu: Gpu, load: LoadModel<M>, options?: ParameterOptions): M {
    const { params, config } = goldenParameters(gpu, this.name, options);
    return load(params, config);
  }

  /** F32 output `name`. */
  output(name: string): Float32Array {
    return f32(this.outputs, name);
  }

  /** The shape of output `name` (or of an input). */
  shape(name: string, from: 'inputs' | 'outputs' = 'outputs'): number[] {
    return shapeOf(this[from], name);
  }

  /** I64 token ids of output `name` (or of an input), all rows, as numbers. */
  ids(name: string, from: 'inputs' | 'outputs' = 'outputs'): number[] {
    return Array.from(i64AsI32(this[from], name));
  }

  /** pixel_values of image `b` alone ([3, S, S]). */
  image(b = 0): Float32Array {
    return f32Row(this.inputs, 'pixel_values', b);
  }

  /** `actual` against output `name` with this precision's check and tolerance for a `kind` tensor. */
  expectOutput(actual: ArrayLike<number> | undefined, name: string, kind: 'hidden' | 'logits', what = name): void {
    this.expectRows(actual, this.output(name), this.shape(name).at(-1)!, kind, what);
  }

  /** `actual` against `expected` (rows of `cols` values, e.g. some rows of an output) with this precision's check. */
  expectRows(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>, cols: number, kind: 'hidden' | 'logits', what: string): void {
    if (this.precision === 'f16') expectF16Close(actual, expected, cols, this.tol[kind], what);
    else expectWithin(actual, expected, this.tol[kind], what);
  }
}

/**
 * Golden folder `name`'s model loaded through `load` with f16 matmul weights, and the folder at f16 tolerances;
 * undefined where the adapter lacks shader-f16 (the test is then skipped, or fails under IRIS_REQUIRE_F16=1).
 */
export function f16Golden<M>(gpu: Gpu, skip: () => void, name: GoldenModel, load: LoadModel<M>): { model: M; golden: GoldenFolder } | undefined {
  if (!needF16(gpu, skip)) return undefined;
  const golden = new GoldenFolder(name, 'f16');
  return { model: golden.load(gpu, load, { matmulPrecision: 'f16' }), golden };
}

/**
 * For a test file about one golden model: a Dawn device and folder `name`'s model on it, made before the file's
 * tests (`model` is there from then on) and destroyed after them; `golden` checks at f32.
 */
export function goldenOnDawn<M>(name: GoldenModel, load: LoadModel<M>): { readonly golden: GoldenFolder; readonly model: M } {
  const golden = new GoldenFolder(name);
  let gpu: Gpu | undefined;
  let model: M | undefined;
  beforeAll(async () => {
    gpu = await createDawnGpu();
    model = golden.load(gpu, load);
  });
  afterAll(() => gpu?.destroy());
  return {
    golden,
    get model(): M {
      if (model === undefined) throw new Error(`golden/${name}: the model is there once the file's beforeAll has run`);
      return model;
    },
  };
}
