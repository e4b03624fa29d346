import path from 'node:path';

/** ../shared/golden: CI clones the repository with shared/ beside it, so this is right there and here. */
export const GOLDEN_DIR = path.resolve(process.cwd(), '../shared/golden');

// Loaders for the reference data computed by Hugging Face transformers.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Tolerance } from './expect';
import { readSafetensors, tensorOf, type GoldenTensor } from './safetensors-node';

export const GOLDEN = GOLDEN_DIR;

/**
 * A folder of ../shared/golden: a family's name (src/families) or a task variant of it (e.g. `git-vqa`).
 */
export type GoldenModel = string;

export interface GoldenSuggestedTolerances {
  hidden: Tolerance;
  logits: Tolerance;
}

export function goldenJson<T = Record<string, unknown>>(model: GoldenModel, file: string): T {
  return JSON.parse(readFileSync(resolve(GOLDEN, model, file), 'utf8')) as T;
}

export function goldenTensors(model: GoldenModel, file: 'inputs' | 'outputs' | 'attentions' | 'model' | 'beam'): Map<string, GoldenTensor> {
  return readSafetensors(resolve(GOLDEN, model, `${file}.safetensors`));
}

/** The manifest's suggested tolerances (hidden states/embeddings and logits) for an f32 or an f16 implementation. */
export function goldenTolerances(model: GoldenModel, precision: 'f32' | 'f16'): GoldenSuggestedTolerances {
  type Suggested = { hidden_states_and_embeds: Tolerance; logits: Tolerance };
  const manifest = goldenJson<{ suggested_tolerances: { float32_impl: Suggested; float16_impl: Suggested } }>(model, 'manifest.json');
  const t = manifest.suggested_tolerances[precision === 'f32' ? 'float32_impl' : 'float16_impl'];
  return { hidden: t.hidden_states_and_embeds, logits: t.logits };
}

/** The manifest's f32 tolerances (hidden states/embeddings and logits). */
export const f32Tolerances = (model: GoldenModel): GoldenSuggestedTolerances => goldenTolerances(model, 'f32');

export const f32 = (tensors: Map<string, GoldenTensor>, name: string) => tensorOf(tensors, name, 'F32').data;
export const i64AsI32 = (tensors: Map<string, GoldenTensor>, name: string) => Int32Array.from(tensorOf(tensors, name, 'I64').data, Number);

/** The shape of golden tensor `name` (which must exist). */
export function shapeOf(tensors: Map<string, GoldenTensor>, name: string): number[] {
  const t = tensors.get(name);
  if (!t) throw new Error(`golden tensor "${name}" is missing`);
  return t.shape;
}

/** Batch row `b` of an F32 golden tensor: its values [b, ...] (the first axis is the batch). */
export function f32Row(tensors: Map<string, GoldenTensor>, name: string, b: number): Float32Array {
  const data = f32(tensors, name);
  const size = data.length / shapeOf(tensors, name)[0]!;
  return data.slice(b * size, (b + 1) * size);
}

/** How many layers a golden file holds under `prefix` (`prefix.0`, `prefix.1`, …): the layers found. */
export function layersIn(tensors: Map<string, GoldenTensor>, prefix: string): number {
  let n = 0;
  while (tensors.has(`${prefix}.${n}`)) n++;
  if (n === 0) throw new Error(`no golden tensors "${prefix}.0", "${prefix}.1", …`);
  return n;
}

/** 0, 1, …, n - 1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
