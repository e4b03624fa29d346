// Beam search on Dawn (f32) against transformers 4.57.6 generate(num_beams=N, length_penalty, early_stopping):
// golden/{git,vit-gpt2}/beam.safetensors (N = every beamN_generated_ids there) and golden/git-vqa (GIT with
// [CLS] + question as the decoder prompt). Ids exact, sequences_scores within the manifest's logits tolerance.
// Every count, length and option is read from the golden files (tensor shapes, beam.json / manifest text).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import type { CaptionDecoder } from '../../src/nn/caption-session';
import { GitModel } from '../../src/families/git/model';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { createDawnGpu } from '../helpers/dawn';
import { f32, f32Row, f32Tolerances, goldenJson, goldenTensors, i64AsI32, shapeOf, type GoldenModel } from '../helpers/golden';
import { decode, decodingOptions } from '../helpers/golden-decoding';
import type { LoadModel } from '../helpers/golden-folder';
import { goldenParameters } from '../helpers/golden-models';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

/** `name=value` (or `name value`) out of a golden tensor's description: how transformers was called. */
function argumentOf(description: string, name: string): string {
  const match = new RegExp(`${name}[= ]([A-Za-z0-9.]+)`).exec(description);
  if (!match) throw new Error(`golden description does not say ${name}: ${description}`);
  return match[1]!;
}

interface BeamCase {
  numBeams: number;
  maxNewTokens: number;
  lengthPenalty: number;
  earlyStopping: boolean;
  ids: number[];
  score: number;
}

function beamCase(description: string, maxNewTokens: number, ids: Int32Array, score: Float32Array): BeamCase {
  const early = argumentOf(description, 'early_stopping');
  expect(['True', 'False']).toContain(early);
  return {
    numBeams: Number(argumentOf(description, 'num_beams')), maxNewTokens,
    lengthPenalty: Number(argumentOf(description, 'length_penalty')), earlyStopping: early === 'True',
    ids: Array.from(ids), score: score[0]!,
  };
}

/** The cases of a beam.safetensors: one per `beam<N>_generated_ids`, with its scores and call from beam.json. */
function beamFileCases(model: GoldenModel): BeamCase[] {
  const tensors = goldenTensors(model, 'beam');
  const described = goldenJson<{ tensors: Record<string, { description: string }> }>(model, 'beam.json').tensors;
  const names = [...tensors.keys()].filter((n) => /^beam\d+_generated_ids$/.test(n));
  expect(names.length).toBeGreaterThan(0);
  return names.map((name) => {
    const description = described[name]!.description;
    return beamCase(description, Number(argumentOf(description, 'max_new_tokens')), i64AsI32(tensors, name), f32(tensors, name.replace('_generated_ids', '_sequences_scores')));
  });
}

function eosOf(model: GoldenModel): number[] {
  const eos = goldenJson<{ eos_token_id: number | number[] }>(model, 'generation_config.json').eos_token_id;
  return Array.isArray(eos) ? eos : [eos];
}

function runBeam(decoder: CaptionDecoder, pixels: Float32Array, prompt: number[], c: BeamCase, eosTokenIds: number[]) {
  const { maxNewTokens, numBeams, lengthPenalty, earlyStopping } = c;
  return decode(decoder, pixels, prompt, decodingOptions({ maxNewTokens, numBeams, lengthPenalty, earlyStopping, eosTokenIds }));
}

function expectBeam(result: { ids: number[]; score: number }, c: BeamCase, model: GoldenModel) {
  expect(result.ids).toEqual(c.ids);
  const tol = f32Tolerances(model).logits;
  expect(Math.abs(result.score - c.score), `sequences_scores ${result.score} vs ${c.score}`).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(c.score));
}

/** One test per beam<N>_generated_ids of golden/<model>/beam.safetensors, decoding from `prompt` on image 0. */
function describeBeamFile<M extends CaptionDecoder>(title: string, name: GoldenModel, load: LoadModel<M>, prompt: (model: M) => number[]) {
  describe(`${title} beam search (golden/${name}/beam)`, () => {
    const pixels = f32Row(goldenTensors(name, 'inputs'), 'pixel_values', 0);
    let model: M;
    beforeAll(() => {
      const { params, config } = goldenParameters(gpu, name);
      model = load(params, config);
    });
    for (const c of beamFileCases(name)) {
      it(`num_beams=${c.numBeams}: ids exact, sequences_scores in tolerance`, async () => {
        expectBeam(await runBeam(model, pixels, prompt(model), c, eosOf(name)), c, name);
      });
    }
  });
}

describeBeamFile('GIT', 'git', GitModel.load, () => Array.from(i64AsI32(goldenTensors('git', 'inputs'), 'generate_input_ids')));
describeBeamFile('ViT-GPT2', 'vit-gpt2', VitGpt2Model.load, (model) => [model.config.decoderStartTokenId]);

describe('GIT as VQA, beam search (golden/git-vqa)', () => {
  const inputs = goldenTensors('git-vqa', 'inputs');
  const outputs = goldenTensors('git-vqa', 'outputs');
  const manifest = goldenJson<{ files: { path: string; tensors?: Record<string, { description: string }> }[] }>('git-vqa', 'manifest.json');
  const described = manifest.files.find((f) => f.path === 'outputs.safetensors')!.tensors!;
  const prompt = Array.from(i64AsI32(inputs, 'question_input_ids'));
  // The greedy run's description gives max_new_tokens; the beam run used the same budget: its ids tensor is
  // [1, prompt + at most max_new_tokens].
  const maxNewTokens = Number(argumentOf(described.generated_ids!.description, 'max_new_tokens'));
  const c = beamCase(described.beam_generated_ids!.description, maxNewTokens, i64AsI32(outputs, 'beam_generated_ids'), f32(outputs, 'beam_sequences_scores'));
  let model: GitModel;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'git-vqa');
    model = GitModel.load(params, config);
  });

  it(`num_beams=${c.numBeams} with the question as prompt: ids exact, sequences_scores in tolerance`, async () => {
    expect(shapeOf(outputs, 'beam_generated_ids')[1]!).toBeLessThanOrEqual(prompt.length + maxNewTokens);
    expectBeam(await runBeam(model, f32Row(inputs, 'pixel_values', 0), prompt, c, eosOf('git-vqa')), c, 'git-vqa');
  });
});
