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
import { f32, f32Row, f32Tolerances, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { allClose } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, t: { atol: number; rtol: number }, what: string) {
  const check = allClose(actual, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

/** Greedy decoding up to the golden sequence's length (it stopped there: at EOS or at its max_new_tokens). */
const greedy = (prompt: readonly number[], generated: readonly number[], eos: number): GenerationOptions => ({
  maxNewTokens: generated.length - prompt.length, numBeams: 1, minLength: 0, lengthPenalty: 1, earlyStopping: false,
  noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [eos],
});

/** Row t of a [rows, V] logits matrix whose row length comes from the golden tensor's last axis. */
const rowOf = (logits: Float32Array, vocab: number, t: number) => logits.subarray(t * vocab, (t + 1) * vocab);

describe('GIT (golden/git)', () => {
  const inputs = goldenTensors('git', 'inputs');
  const outputs = goldenTensors('git', 'outputs');
  const tol = f32Tolerances('git');
  const [batch, textTokens] = shapeOf(inputs, 'input_ids') as [number, number];
  const vocab = shapeOf(outputs, 'logits').at(-1)!;
  const prompt = Array.from(i64AsI32(inputs, 'generate_input_ids'));
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
  let model: GitModel;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'git');
    model = GitModel.load(params, config);
  });

  it('teacher-forced: image encoder, projected visual features and logits of every position (image tokens, then text)', async () => {
    const rec = new Recorder(gpu);
    const pixels = gpu.fromHost(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values'), 'f32');
    const { encoderOutput, imageTokens } = model.encodeImage(rec, pixels, batch);
    const cache = model.createCache(batch, textTokens);
    const logits = model.step(rec, cache, { ids: i64AsI32(inputs, 'input_ids'), textMask: i64AsI32(inputs, 'attention_mask'), imageTokens, logits: 'all' });
    const reads = [rec.read(encoderOutput), rec.read(imageTokens), rec.read(logits)];
    await rec.submit();
    const [enc, proj, out] = await Promise.all(reads);
    cache.release();
    expect(logits.shape).toEqual(shapeOf(outputs, 'logits'));
    expectClose(enc!, f32(outputs, 'image_encoder_last_hidden_state'), tol.hidden, 'image_encoder_last_hidden_state');
    expectClose(proj!, f32(outputs, 'projected_visual_features'), tol.hidden, 'projected_visual_features');
    expectClose(out!, f32(outputs, 'logits'), tol.logits, 'logits');
  });

  it('greedy generation equals generated_ids exactly, with per-step logits in tolerance', async () => {
    const session = new CaptionSession(model, f32Row(inputs, 'pixel_values', 0), generated.length);
    const result = await generate(session, prompt, greedy(prompt, generated, model.config.eosTokenId));
    session.dispose();
    expect(result.ids).toEqual(generated);
    const steps = f32(outputs, 'generate_logits');
    result.stepLogits!.forEach((logits, t) => expectClose(logits, rowOf(steps, vocab, t), tol.logits, `step ${t}`));
  });

  it('KV-cache steps equal one full forward over the generated sequence', async () => {
    const pixels = f32Row(inputs, 'pixel_values', 0);
    const session = new CaptionSession(model, pixels, generated.length);
    const cached = await generate(session, prompt, greedy(prompt, generated, model.config.eosTokenId));
    session.dispose();

    const rec = new Recorder(gpu);
    const { imageTokens } = model.encodeImage(rec, gpu.fromHost(pixels, [1, ...shapeOf(inputs, 'pixel_values').slice(1)], 'f32'), 1);
    const cache = model.createCache(1, generated.length);
    const full = model.step(rec, cache, { ids: Int32Array.from(generated.slice(0, -1)), imageTokens, logits: 'all' });
    const read = rec.read(full);
    await rec.submit();
    const all = (await read) as Float32Array;
    cache.release();
    const golden = f32(outputs, 'generated_full_logits');
    // The logits that chose generated token prompt + t sit at the position before it, after the P image tokens.
    const first = shapeOf(outputs, 'projected_visual_features')[1]! + prompt.length - 1;
    cached.stepLogits!.forEach((logits, t) => {
      const row = rowOf(all, vocab, first + t);
      expectClose(logits, row, { atol: 1e-4, rtol: 1e-4 }, `cache vs full, step ${t}`);
      expectClose(row, rowOf(golden, vocab, first + t), tol.logits, `full forward row ${first + t}`);
    });
  });
});

describe('ViT-GPT2 (golden/vit-gpt2)', () => {
  const inputs = goldenTensors('vit-gpt2', 'inputs');
  const outputs = goldenTensors('vit-gpt2', 'outputs');
  const tol = f32Tolerances('vit-gpt2');
  const [batch, textTokens] = shapeOf(inputs, 'decoder_input_ids') as [number, number];
  const vocab = shapeOf(outputs, 'logits').at(-1)!;
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
  let model: VitGpt2Model;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'vit-gpt2');
    model = VitGpt2Model.load(params, config);
  });

  it('teacher-forced: encoder states and decoder logits', async () => {
    const rec = new Recorder(gpu);
    const states = model.encodeImage(rec, gpu.fromHost(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values'), 'f32'), batch);
    const memory = model.crossAttentionMemory(rec, states);
    const cache = model.createCache(batch, textTokens);
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
    const prompt = [model.config.decoderStartTokenId];
    const session = new CaptionSession(model, f32Row(inputs, 'pixel_values', 0), generated.length);
    const result = await generate(session, prompt, greedy(prompt, generated, model.config.eosTokenId));
    session.dispose();
    expect(result.ids).toEqual(generated);
    const steps = f32(outputs, 'generate_logits');
    result.stepLogits!.forEach((logits, t) => expectClose(logits, rowOf(steps, vocab, t), tol.logits, `step ${t}`));
  });
});
