// The models' kernelSpecs() (a SpecCollector recording, no GPU work) must list every pipeline their
// requests run: after PipelineCache.prepare(kernelSpecs()), images, texts, greedy and beam-search decoding
// compile nothing more. Loading compiles nothing either (ViT-GPT2's load-time transposes: layoutSpecs()). Run on the golden tiny checkpoints, each on a fresh device.
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import type { ShaderSpec } from '../../src/gpu/pipelines';
import { ClipModel } from '../../src/families/clip/model';
import { generate, type GenerationOptions } from '../../src/nn/generate';
import { CaptionSession } from '../../src/nn/caption-session';
import { GitModel } from '../../src/families/git/model';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { createDawnGpu } from '../helpers/dawn';
import { f32, goldenTensors, i64AsI32 } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';

/** A fresh device whose synchronous pipeline compiles (PipelineCache.get misses) are counted. */
async function countingGpu(): Promise<{ gpu: Gpu; syncCompiles: () => number }> {
  const gpu = await createDawnGpu();
  let count = 0;
  const sync = gpu.device.createComputePipeline.bind(gpu.device);
  gpu.device.createComputePipeline = (d) => { count++; return sync(d); };
  return { gpu, syncCompiles: () => count };
}

async function prepared(gpu: Gpu, specs: ShaderSpec[]): Promise<void> {
  expect(specs.length).toBeGreaterThan(5);
  await gpu.pipelines.prepare(specs);
  expect(gpu.pipelines.size).toBeGreaterThan(5);
}

const decoding = (eos: number, numBeams: number): GenerationOptions => ({
  maxNewTokens: 4, numBeams, minLength: 5, lengthPenalty: 1, earlyStopping: false,
  noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [eos],
});

describe('kernelSpecs() covers every pipeline a request runs', () => {
  it('CLIP: images (batch 1 and 2) and texts (3 × 16 tokens, one short text)', async () => {
    const { gpu, syncCompiles } = await countingGpu();
    try {
      const { params, config } = goldenParameters(gpu, 'clip');
      const model = ClipModel.load(params, config);
      await prepared(gpu, model.kernelSpecs());
      const inputs = goldenTensors('clip', 'inputs');
      const pixels = f32(inputs, 'pixel_values');
      await model.encodeImages(pixels, 2);
      await model.encodeImages(pixels.subarray(0, pixels.length / 2), 1);
      await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), 3, 16);
      await model.encodeTexts(Int32Array.of(49406, 320, 49407), Int32Array.of(1, 1, 1), 1, 3);
      expect(syncCompiles()).toBe(0);
    } finally {
      gpu.destroy();
    }
  });

  it('GIT: greedy and 3-beam decoding', async () => {
    const { gpu, syncCompiles } = await countingGpu();
    try {
      const { params, config } = goldenParameters(gpu, 'git');
      const model = GitModel.load(params, config);
      await prepared(gpu, model.kernelSpecs());
      const pixels = f32(goldenTensors('git', 'inputs'), 'pixel_values');
      for (const beams of [1, 3]) {
        const session = new CaptionSession(model, pixels.slice(0, pixels.length / 2), 8);
        await generate(session, [model.config.bosTokenId], decoding(model.config.eosTokenId, beams));
        session.dispose();
      }
      expect(syncCompiles()).toBe(0);
    } finally {
      gpu.destroy();
    }
  });

  it('ViT-GPT2: greedy and 3-beam decoding', async () => {
    const { gpu, syncCompiles } = await countingGpu();
    try {
      const { params, config } = goldenParameters(gpu, 'vit-gpt2');
      await gpu.pipelines.prepare(params.layoutSpecs()); // as the worker's load does: the Conv1D transposes
      const model = VitGpt2Model.load(params, config);
      await prepared(gpu, model.kernelSpecs());
      const pixels = f32(goldenTensors('vit-gpt2', 'inputs'), 'pixel_values');
      for (const beams of [1, 3]) {
        const session = new CaptionSession(model, pixels.slice(0, pixels.length / 2), 8);
        await generate(session, [model.config.decoderStartTokenId], decoding(model.config.eosTokenId, beams));
        session.dispose();
      }
      expect(syncCompiles()).toBe(0);
    } finally {
      gpu.destroy();
    }
  });
});
