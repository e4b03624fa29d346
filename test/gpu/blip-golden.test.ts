// BLIP on Dawn against ../shared/golden/{blip,blip-vqa} (transformers 4.57.6, f32): vision and question states,
// teacher-forced logits, greedy ids (exact) with per-step logits, KV cache == full forward, beam ids.
// The same with f16 matmul weights at the manifests' f16 tolerances; kernelSpecs() in kernel-specs.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import type { CaptionDecoder } from '../../src/nn/caption-session';
import { BlipCaptionModel, BlipVqaModel } from '../../src/families/blip/model';
import type { CrossAttentionMemory } from '../../src/nn/cross-attention';
import { createDawnGpu } from '../helpers/dawn';
import { f32, goldenJson, i64AsI32 } from '../helpers/golden';
import { decode, expectGreedyAsGolden, goldenSearch } from '../helpers/golden-decoding';
import { f16Golden, GoldenFolder } from '../helpers/golden-folder';
import { submitAndRead } from '../helpers/read-back';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

/** The beam width the golden beam search ran with, as its manifest describes beam_generated_ids ("num_beams=3 …"). */
function goldenNumBeams(model: string): number {
  const manifest = goldenJson<{ files: { path: string; tensors?: Record<string, { description?: string }> }[] }>(model, 'manifest.json');
  const description = manifest.files.find((f) => f.path === 'outputs.safetensors')?.tensors?.beam_generated_ids?.description ?? '';
  const beams = /num_beams=(\d+)/.exec(description);
  if (!beams) throw new Error(`${model}: the manifest does not say num_beams for beam_generated_ids`);
  return Number(beams[1]);
}

/** Beam search (num_beams from the manifest) from bos on image 0 equals beam_generated_ids exactly. */
async function expectGoldenBeams(decoder: CaptionDecoder, golden: GoldenFolder, bos: number, sep: number): Promise<void> {
  const beamIds = golden.ids('beam_generated_ids');
  const generated = golden.ids('generated_ids');
  const longest = generated.length > beamIds.length ? generated : beamIds;
  const result = await decode(decoder, golden.image(0), [bos], goldenSearch([bos], longest, sep, goldenNumBeams(golden.name)));
  expect(result.ids).toEqual(beamIds);
}

/** One forward without a cache over `ids` on image 0 through `text` (the decoder's BERT): logits of every position. */
async function fullForward(decoder: CaptionDecoder<CrossAttentionMemory>, text: BlipCaptionModel['decoder'], golden: GoldenFolder, ids: number[]): Promise<Float32Array> {
  const rec = new Recorder(gpu);
  const memory = decoder.imageMemory(rec, golden.image(0));
  const cache = decoder.createCache(1, ids.length);
  const [all] = await submitAndRead(rec, text.logits(rec, cache, memory, { ids: Int32Array.from(ids) }, 'all'));
  cache.release();
  memory.release();
  return all as Float32Array;
}

/** Captioning teacher-forced over the golden batch: the vision states and the decoder's logits of every position. */
async function captionTeacherForced(model: BlipCaptionModel, golden: GoldenFolder) {
  const [batch, textTokens] = golden.shape('input_ids', 'inputs') as [number, number];
  const rec = new Recorder(gpu);
  const states = model.vision.encode(rec, rec.upload(f32(golden.inputs, 'pixel_values'), golden.shape('pixel_values', 'inputs'), 'f32'), batch);
  const memory = model.decoder.crossMemory(rec, states);
  const cache = model.createCache(batch, textTokens);
  const logits = model.decoder.logits(rec, cache, memory, { ids: i64AsI32(golden.inputs, 'input_ids'), textMask: i64AsI32(golden.inputs, 'attention_mask') }, 'all');
  const [vision, all] = await submitAndRead(rec, states, logits);
  cache.release();
  memory.release();
  return { vision: vision!, logits: all!, visionShape: states.shape, logitsShape: logits.shape };
}

/** The golden questions (input_ids with the padding mask) through the text encoder, cross-attending to the image. */
async function questionStates(model: BlipVqaModel, golden: GoldenFolder) {
  const [batch] = golden.shape('input_ids', 'inputs') as [number];
  const rec = new Recorder(gpu);
  const image = model.vision.encode(rec, rec.upload(f32(golden.inputs, 'pixel_values'), golden.shape('pixel_values', 'inputs'), 'f32'), batch);
  const question = model.questionStates(rec, image, i64AsI32(golden.inputs, 'input_ids'), batch, i64AsI32(golden.inputs, 'attention_mask'));
  const [vision, states] = await submitAndRead(rec, image, question);
  return { vision: vision!, states: states!, statesShape: question.shape };
}

/** The answer decoder for the first golden question, with its padding: the question states cover every position. */
function firstQuestionDecoder(model: BlipVqaModel, golden: GoldenFolder): CaptionDecoder<CrossAttentionMemory> {
  const questionTokens = golden.shape('input_ids', 'inputs')[1]!;
  const first = (name: string) => golden.ids(name, 'inputs').slice(0, questionTokens);
  return model.answerDecoderFor(first('input_ids'), first('attention_mask'));
}

describe('BLIP captioning (golden/blip)', () => {
  const golden = new GoldenFolder('blip');
  let model: BlipCaptionModel;
  beforeAll(() => { model = golden.load(gpu, BlipCaptionModel.load); });

  it('teacher-forced: vision states and decoder logits of every position', async () => {
    const { vision, logits, visionShape, logitsShape } = await captionTeacherForced(model, golden);
    expect(visionShape).toEqual(golden.shape('vision_last_hidden_state'));
    expect(logitsShape).toEqual(golden.shape('logits'));
    golden.expectOutput(vision, 'vision_last_hidden_state', 'hidden');
    golden.expectOutput(logits, 'logits', 'logits');
  });

  it('unconditional greedy generation from bos equals generated_ids exactly, with per-step logits in tolerance', async () => {
    const prompt = [model.config.bosTokenId];
    expect(golden.ids('generated_ids')[0]).toBe(prompt[0]);
    await expectGreedyAsGolden(model, golden, prompt, 'generated_ids', 'generate_logits', model.config.sepTokenId);
  });

  it('KV-cache steps equal one full forward over the generated sequence', async () => {
    const all = await fullForward(model, model.decoder, golden, golden.ids('generated_ids'));
    golden.expectOutput(all, 'generated_full_logits', 'logits');
  });

  it('with a prompt: bos over its [CLS], its [SEP] dropped, the caption continues it (conditional_generated_ids)', async () => {
    const promptIds = golden.ids('prompt_input_ids', 'inputs');
    const prompt = [model.config.bosTokenId, ...promptIds.slice(1, -1)];
    expect(golden.ids('conditional_generated_ids').slice(0, prompt.length)).toEqual(prompt);
    await expectGreedyAsGolden(model, golden, prompt, 'conditional_generated_ids', 'conditional_generate_logits', model.config.sepTokenId);
  });

  it('beam search (num_beams from the data) equals beam_generated_ids exactly', () =>
    expectGoldenBeams(model, golden, model.config.bosTokenId, model.config.sepTokenId));
});

describe('BLIP VQA (golden/blip-vqa)', () => {
  const golden = new GoldenFolder('blip-vqa');
  let model: BlipVqaModel;
  beforeAll(() => { model = golden.load(gpu, BlipVqaModel.load); });

  it('vision states and question states (text encoder with the padding mask, cross-attending to the image)', async () => {
    const { vision, states, statesShape } = await questionStates(model, golden);
    expect(statesShape).toEqual(golden.shape('question_last_hidden_state'));
    expect(statesShape[1]).toBe(golden.shape('input_ids', 'inputs')[1]);
    golden.expectOutput(vision, 'vision_last_hidden_state', 'hidden');
    golden.expectOutput(states, 'question_last_hidden_state', 'hidden');
  });

  it('answer decoder: one full forward over generated_ids, cross-attending to every question position', async () => {
    const all = await fullForward(firstQuestionDecoder(model, golden), model.answerDecoder, golden, golden.ids('generated_ids'));
    golden.expectOutput(all, 'generated_full_logits', 'logits');
  });

  it('greedy answer from bos equals generated_ids exactly, with per-step logits in tolerance', () =>
    // generate() got input_ids[:1] with its padding: the question states cover every position, padded ones too.
    expectGreedyAsGolden(firstQuestionDecoder(model, golden), golden, [model.config.bosTokenId], 'generated_ids', 'generate_logits', model.config.sepTokenId));

  it('beam search (num_beams from the data) equals beam_generated_ids exactly', () =>
    expectGoldenBeams(firstQuestionDecoder(model, golden), golden, model.config.bosTokenId, model.config.sepTokenId));
});

// ---- f16 matmul weights (shader-f16 adapters: lavapipe here) with the manifests' f16 tolerances -----------------

describe('BLIP with f16 matmul weights', () => {
  it('captioning: vision states and teacher-forced logits', async (ctx) => {
    const f16 = f16Golden(gpu, () => ctx.skip(), 'blip', BlipCaptionModel.load);
    if (!f16) return;
    const { vision, logits } = await captionTeacherForced(f16.model, f16.golden);
    f16.golden.expectOutput(vision, 'vision_last_hidden_state', 'hidden');
    f16.golden.expectOutput(logits, 'logits', 'logits');
  });

  it('VQA: question states and the answer decoder over generated_ids', async (ctx) => {
    const f16 = f16Golden(gpu, () => ctx.skip(), 'blip-vqa', BlipVqaModel.load);
    if (!f16) return;
    const { model, golden } = f16;
    const { states } = await questionStates(model, golden);
    const logits = await fullForward(firstQuestionDecoder(model, golden), model.answerDecoder, golden, golden.ids('generated_ids'));
    golden.expectOutput(states, 'question_last_hidden_state', 'hidden');
    golden.expectOutput(logits, 'generated_full_logits', 'logits');
  });
});
