/** Loads the golden tiny checkpoints through the production parser into a Gpu (Node, Dawn). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Gpu } from '../../src/gpu/gpu';
import { parametersFrom, type ParameterOptions, type ParameterSource } from '../../src/nn/params';
import { WeightSet } from '../../src/weights/weight-set';
import { GOLDEN, goldenJson, type GoldenModel } from './golden';

export function goldenParameters(gpu: Gpu, model: GoldenModel, options?: ParameterOptions): { params: ParameterSource; config: Record<string, unknown> } {
  const bytes = new Uint8Array(readFileSync(resolve(GOLDEN, model, 'model.safetensors')));
  const weights = WeightSet.fromFiles([{ file: 'model.safetensors', bytes }], `golden/${model}`);
  return { params: parametersFrom(weights, gpu, options), config: goldenJson(model, 'config.json') };
}
