// The models' kernelSpecs() (a SpecCollector recording, no GPU work) must list every pipeline their
// requests run: after PipelineCache.prepare(kernelSpecs()), images, texts, greedy and beam-search decoding
// compile nothing more. Loading compiles nothing either (ViT-GPT2's load-time transposes: layoutSpecs()). Run on the golden tiny checkpoints, each on a fresh device.
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import type { ShaderSpec } from '../../src/gpu/pipelines';
import { BlipCaptionModel, BlipVqaModel } from '../../src/families/blip/model';
import { ClipModel } from '../../src/families/clip/model';
import { GitModel } from '../../src/families/git/model';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import type { CaptionDecoder } from '../../src/nn/caption-session';
import { expectNoSyncCompiles } from '../helpers/expect';
import { f32, f32Row, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { decode, decodingOptions } from '../helpers/golden-decoding';
import type { LoadModel } from '../helpers/golden-folder';
import { goldenParameters } from '../helpers/golden-models';

/**
 * Golden folder `name`'s model on `gpu` with its kernelSpecs() prepared; with `layout`, first the load-time
 * transposes' specs (layoutSpecs()), as the worker's load does.
 */
async function preparedModel<M extends { kernelSpecs(): ShaderSpec[] }>(gpu: Gpu, name: string, load: LoadModel<M>, layout = false): Promise<M> {
  const { params, config } = goldenParameters(gpu, name);
  if (layout) await gpu.pipelines.prepare(params.layoutSpecs());
  const model = load(params, config);
  const specs = model.kernelSpecs();
  expect(specs.length).toBeGreaterThan(5);
  await gpu.pipelines.prepare(specs);
  expect(gpu.pipelines.size).toBeGreaterThan(5);
  return model;
}

/** Image 0 of golden folder `name`. */
const firstImage = (name: string): Float32Array => f32Row(goldenTensors(name, 'inputs'), 'pixel_values', 0);

/** Greedy (1 beam) and 3-beam decoding of four tokens from `prompt`, none of them EOS (minLength). */
async function decodeGreedyAndBeams(decoder: CaptionDecoder, pixels: Float32Array, prompt: number[], eos: number, maxTokens?: number): Promise<void> {
  for (const numBeams of [1, 3]) {
    await decode(decoder, pixels, prompt, decodingOptions({ maxNewTokens: 4, numBeams, minLength: prompt.length + 4, eosTokenIds: [eos] }), maxTokens);
  }
}

describe('kernelSpecs() covers every pipeline a request runs', () => {
  it('CLIP: images (the golden batch and one) and texts (the golden batch, one short text)', () => expectNoSyncCompiles(async (gpu) => {
    const model = await preparedModel(gpu, 'clip', ClipModel.load);
    const inputs = goldenTensors('clip', 'inputs');
    const pixels = f32(inputs, 'pixel_values');
    const [texts, seq] = shapeOf(inputs, 'input_ids') as [number, number];
    const ids = i64AsI32(inputs, 'input_ids');
    await model.encodeImages(pixels, shapeOf(inputs, 'pixel_values')[0]!);
    await model.encodeImages(f32Row(inputs, 'pixel_values', 0), 1);
    await model.encodeTexts(ids, i64AsI32(inputs, 'attention_mask'), texts, seq);
    const short = ids.slice(0, Math.min(3, seq)); // a few tokens: the decoding-sized matmul tiles
    await model.encodeTexts(short, new Int32Array(short.length).fill(1), 1, short.length);
  }));

  it('GIT: greedy and 3-beam decoding', () => expectNoSyncCompiles(async (gpu) => {
    const model = await preparedModel(gpu, 'git', GitModel.load);
    await decodeGreedyAndBeams(model, firstImage('git'), [model.config.bosTokenId], model.config.eosTokenId, 8);
  }));

  it('ViT-GPT2: greedy and 3-beam decoding', () => expectNoSyncCompiles(async (gpu) => {
    const model = await preparedModel(gpu, 'vit-gpt2', VitGpt2Model.load, true); // layout: the Conv1D transposes
    await decodeGreedyAndBeams(model, firstImage('vit-gpt2'), [model.config.decoderStartTokenId], model.config.eosTokenId, 8);
  }));

  it('BLIP captioning: greedy and 3-beam decoding, with and without a prompt', () => expectNoSyncCompiles(async (gpu) => {
    const model = await preparedModel(gpu, 'blip', BlipCaptionModel.load);
    const promptIds = Array.from(i64AsI32(goldenTensors('blip', 'inputs'), 'prompt_input_ids'));
    const start = model.config.bosTokenId;
    for (const prompt of [[start], [start, ...promptIds.slice(1, -1)]]) {
      await decodeGreedyAndBeams(model, firstImage('blip'), prompt, model.config.sepTokenId);
    }
  }));

  it('BLIP VQA: the golden questions, a short one, greedy and 3-beam answers', () => expectNoSyncCompiles(async (gpu) => {
    const model = await preparedModel(gpu, 'blip-vqa', BlipVqaModel.load);
    const inputs = goldenTensors('blip-vqa', 'inputs');
    const length = shapeOf(inputs, 'input_ids')[1]!;
    const ids = Array.from(i64AsI32(inputs, 'input_ids').subarray(0, length));
    const { bosTokenId, sepTokenId } = model.config;
    for (const question of [ids, [ids[0]!, ids[1]!, sepTokenId]]) {
      await decodeGreedyAndBeams(model.answerDecoderFor(question), firstImage('blip-vqa'), [bosTokenId], sepTokenId);
    }
  }));
});
