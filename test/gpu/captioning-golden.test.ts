// GIT and ViT-GPT2 on Dawn against ../shared/golden/{git,vit-gpt2} (transformers 4.57.6, f32):
// teacher-forced logits, greedy generated_ids (exact), per-step logits, and KV cache == full forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { generate, type GenerationOptions } from '../../src/nn/generate';
import { CaptionSession } from '../../src/nn/caption-session';
import { GitModel } from '../../src/families/git/model';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { createDawnGpu } from '../helpers/dawn';
import { f32, f32Tolerances, goldenTensors, i64AsI32 } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { allClose } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, t: { atol: number; rtol: number }, what: string) {
  const check = allClose(actual, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

const greedy = (eos: number): GenerationOptions => ({
  maxNewTokens: 8, numBeams: 1, minLength: 0, lengthPenalty: 1, earlyStopping: false,
  noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [eos],
});

const firstImage = (pixels: Float32Array) => pixels.slice(0, pixels.length / 2);

describe('GIT (golden/git)', () => {
  const inputs = goldenTensors('git', 'inputs');
  const outputs = goldenTensors('git', 'outputs');
  const tol = f32Tolerances('git');
  let model: GitModel;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'git');
    model = GitModel.load(params, config);
  });

  it('teacher-forced: image encoder, projected visual features and logits for all 24 positions', async () => {
    const rec = new Recorder(gpu);
    const pixels = gpu.fromHost(f32(inputs, 'pixel_values'), [2, 3, 32, 32], 'f32');
    const { encoderOutput, imageTokens } = model.encodeImage(rec, pixels, 2);
    const cache = model.createCache(2, 7);
    const logits = model.step(rec, cache, { ids: i64AsI32(inputs, 'input_ids'), textMask: i64AsI32(inputs, 'attention_mask'), imageTokens, logits: 'all' });
    const reads = [rec.read(encoderOutput), rec.read(imageTokens), rec.read(logits)];
    await rec.submit();
    const [enc, proj, out] = await Promise.all(reads);
    cache.release();
    expect(logits.shape).toEqual([2, 24, 1000]);
    expectClose(enc!, f32(outputs, 'image_encoder_last_hidden_state'), tol.hidden, 'image_encoder_last_hidden_state');
    expectClose(proj!, f32(outputs, 'projected_visual_features'), tol.hidden, 'projected_visual_features');
    expectClose(out!, f32(outputs, 'logits'), tol.logits, 'logits');
  });

  it('greedy generation equals generated_ids exactly, with per-step logits in tolerance', async () => {
    const session = new CaptionSession(model, firstImage(f32(inputs, 'pixel_values')), 16);
    const result = await generate(session, [101], greedy(model.config.eosTokenId));
    session.dispose();
    expect(result.ids).toEqual(Array.from(i64AsI32(outputs, 'generated_ids')));
    const steps = f32(outputs, 'generate_logits');
    result.stepLogits!.forEach((logits, t) => expectClose(logits, steps.subarray(t * 1000, (t + 1) * 1000), tol.logits, `step ${t}`));
  });

  it('KV-cache steps equal one full forward over the generated sequence', async () => {
    const ids = Array.from(i64AsI32(outputs, 'generated_ids'));
    const pixels = firstImage(f32(inputs, 'pixel_values'));
    const session = new CaptionSession(model, pixels, 16);
    const cached = await generate(session, [101], greedy(model.config.eosTokenId));
    session.dispose();

    const rec = new Recorder(gpu);
    const { imageTokens } = model.encodeImage(rec, gpu.fromHost(pixels, [1, 3, 32, 32], 'f32'), 1);
    const cache = model.createCache(1, 16);
    const full = model.step(rec, cache, { ids: Int32Array.from(ids.slice(0, -1)), imageTokens, logits: 'all' });
    const read = rec.read(full);
    await rec.submit();
    const all = await read;
    cache.release();
    const golden = f32(outputs, 'generated_full_logits');
    cached.stepLogits!.forEach((logits, t) => {
      const row = all.subarray((17 + t) * 1000, (18 + t) * 1000);
      expectClose(logits, row, { atol: 1e-4, rtol: 1e-4 }, `cache vs full, step ${t}`);
      expectClose(row, golden.subarray((17 + t) * 1000, (18 + t) * 1000), tol.logits, `full forward row ${17 + t}`);
    });
  });
});

describe('ViT-GPT2 (golden/vit-gpt2)', () => {
  const inputs = goldenTensors('vit-gpt2', 'inputs');
  const outputs = goldenTensors('vit-gpt2', 'outputs');
  const tol = f32Tolerances('vit-gpt2');
  let model: VitGpt2Model;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'vit-gpt2');
    model = VitGpt2Model.load(params, config);
  });

  it('teacher-forced: encoder states and decoder logits', async () => {
    const rec = new Recorder(gpu);
    const states = model.encodeImage(rec, gpu.fromHost(f32(inputs, 'pixel_values'), [2, 3, 32, 32], 'f32'), 2);
    const memory = model.crossAttentionMemory(rec, states);
    const cache = model.createCache(2, 7);
    const logits = model.step(rec, cache, memory, { ids: i64AsI32(inputs, 'decoder_input_ids'), textMask: i64AsI32(inputs, 'decoder_attention_mask'), logits: 'all' });
    const reads = [rec.read(states), rec.read(logits)];
    await rec.submit();
    const [enc, out] = await Promise.all(reads);
    cache.release();
    memory.release();
    expectClose(enc!, f32(outputs, 'encoder_last_hidden_state'), tol.hidden, 'encoder_last_hidden_state');
    expectClose(out!, f32(outputs, 'logits'), tol.logits, 'logits');
  });

  it('greedy generation equals generated_ids exactly, with per-step logits in tolerance', async () => {
    const session = new CaptionSession(model, firstImage(f32(inputs, 'pixel_values')), 16);
    const result = await generate(session, [model.config.decoderStartTokenId], greedy(model.config.eosTokenId));
    session.dispose();
    expect(result.ids).toEqual(Array.from(i64AsI32(outputs, 'generated_ids')));
    const steps = f32(outputs, 'generate_logits');
    result.stepLogits!.forEach((logits, t) => expectClose(logits, steps.subarray(t * 1000, (t + 1) * 1000), tol.logits, `step ${t}`));
  });
});
