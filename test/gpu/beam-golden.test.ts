// Beam search on Dawn (f32) against transformers 4.57.6 generate(num_beams=N, length_penalty, early_stopping):
// golden/{git,vit-gpt2}/beam.safetensors (N = every beamN_generated_ids there) and golden/git-vqa (GIT with
// [CLS] + question as the decoder prompt). Ids exact, sequences_scores within the manifest's logits tolerance.
// Every count, length and option is read from the golden files (tensor shapes, beam.json / manifest text).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { CaptionSession, type CaptionDecoder } from '../../src/nn/caption-session';
import { generate, type GenerationOptions } from '../../src/nn/generate';
import { GitModel } from '../../src/families/git/model';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { createDawnGpu } from '../helpers/dawn';
import { f32, f32Row, f32Tolerances, goldenJson, goldenTensors, i64AsI32, shapeOf, type GoldenModel } from '../helpers/golden';
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

async function runBeam(decoder: CaptionDecoder, pixels: Float32Array, prompt: number[], c: BeamCase, eosTokenIds: number[]) {
  const options: GenerationOptions = {
    maxNewTokens: c.maxNewTokens, numBeams: c.numBeams, minLength: 0, lengthPenalty: c.lengthPenalty, earlyStopping: c.earlyStopping,
    noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds,
  };
  const session = new CaptionSession(decoder, pixels, prompt.length + c.maxNewTokens);
  try {
    return await generate(session, prompt, options);
  } finally {
    session.dispose();
  }
}

function expectBeam(result: { ids: number[]; score: number }, c: BeamCase, model: GoldenModel) {
  expect(result.ids).toEqual(c.ids);
  const tol = f32Tolerances(model).logits;
  expect(Math.abs(result.score - c.score), `sequences_scores ${result.score} vs ${c.score}`).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(c.score));
}

describe('GIT beam search (golden/git/beam)', () => {
  const inputs = goldenTensors('git', 'inputs');
  const prompt = Array.from(i64AsI32(inputs, 'generate_input_ids'));
  let model: GitModel;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'git');
    model = GitModel.load(params, config);
  });
  for (const c of beamFileCases('git')) {
    it(`num_beams=${c.numBeams}: ids exact, sequences_scores in tolerance`, async () => {
      expectBeam(await runBeam(model, f32Row(inputs, 'pixel_values', 0), prompt, c, eosOf('git')), c, 'git');
    });
  }
});

describe('ViT-GPT2 beam search (golden/vit-gpt2/beam)', () => {
  const inputs = goldenTensors('vit-gpt2', 'inputs');
  let model: VitGpt2Model;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'vit-gpt2');
    model = VitGpt2Model.load(params, config);
  });
  for (const c of beamFileCases('vit-gpt2')) {
    it(`num_beams=${c.numBeams}: ids exact, sequences_scores in tolerance`, async () => {
      const prompt = [model.config.decoderStartTokenId];
      expectBeam(await runBeam(model, f32Row(inputs, 'pixel_values', 0), prompt, c, eosOf('vit-gpt2')), c, 'vit-gpt2');
    });
  }
});

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
