// The image-conditioned decoders on the golden data, as the GPU golden tests run them: transformers' generate()
// options, decoding on a CaptionSession, the greedy check against generated ids and per-step logits, and the
// teacher-forced forwards of GIT and ViT-GPT2 over the golden batch.
import { expect } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import type { GitModel } from '../../src/families/git/model';
import type { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { CaptionSession, type CaptionDecoder } from '../../src/nn/caption-session';
import { generate, type GenerationOptions, type GenerationResult } from '../../src/nn/generate';
import { f32, i64AsI32 } from './golden';
import type { GoldenFolder } from './golden-folder';
import { submitAndRead } from './read-back';

/** generate()'s options, the rest as the golden runs left them: min_length 0, length_penalty 1, no penalties. */
export function decodingOptions(options: Pick<GenerationOptions, 'maxNewTokens' | 'eosTokenIds'> & Partial<GenerationOptions>): GenerationOptions {
  return { numBeams: 1, minLength: 0, lengthPenalty: 1, earlyStopping: false, noRepeatNgramSize: 0, repetitionPenalty: 1, ...options };
}

/** Decoding that can reach the golden sequence's length (it stopped there: at EOS / [SEP] or at max_new_tokens). */
export const goldenSearch = (prompt: readonly number[], generated: readonly number[], eos: number, numBeams = 1): GenerationOptions =>
  decodingOptions({ maxNewTokens: generated.length - prompt.length, numBeams, eosTokenIds: [eos] });

/** Decodes from `prompt` on one image through a CaptionSession of `maxTokens` tokens, disposed after. */
export async function decode(decoder: CaptionDecoder, pixels: Float32Array, prompt: number[], options: GenerationOptions, maxTokens = prompt.length + options.maxNewTokens): Promise<GenerationResult> {
  const session = new CaptionSession(decoder, pixels, maxTokens);
  try {
    return await generate(session, prompt, options);
  } finally {
    session.dispose();
  }
}

/** Row t of a [rows, V] logits matrix. */
export const rowOf = (logits: Float32Array, vocab: number, t: number): Float32Array => logits.subarray(t * vocab, (t + 1) * vocab);

/**
 * Greedy decoding from `prompt` on the folder's first image equals output `ids` exactly, and its steps' logits
 * are the rows of output `steps` ([steps, V]), one per step, within the folder's logits check.
 */
export async function expectGreedyAsGolden(decoder: CaptionDecoder, golden: GoldenFolder, prompt: number[], ids: string, steps: string, eos: number): Promise<void> {
  const expected = golden.ids(ids);
  const result = await decode(decoder, golden.image(0), prompt, goldenSearch(prompt, expected, eos));
  expect(result.ids).toEqual(expected);
  const [count, vocab] = golden.shape(steps) as [number, number];
  expect(result.stepLogits!.length).toBe(count);
  const rows = golden.output(steps);
  result.stepLogits!.forEach((logits, t) => golden.expectRows(logits, rowOf(rows, vocab, t), vocab, 'logits', `${steps} step ${t}`));
}

/** GIT teacher-forced over the golden batch: image encoder output, projected visual features, logits of every position. */
export async function gitTeacherForced(gpu: Gpu, model: GitModel, golden: GoldenFolder) {
  const { inputs } = golden;
  const [batch, textTokens] = golden.shape('input_ids', 'inputs') as [number, number];
  const rec = new Recorder(gpu);
  const { encoderOutput, imageTokens } = model.encodeImage(rec, rec.upload(f32(inputs, 'pixel_values'), golden.shape('pixel_values', 'inputs'), 'f32'), batch);
  const cache = model.createCache(batch, textTokens);
  const logits = model.step(rec, cache, { ids: i64AsI32(inputs, 'input_ids'), textMask: i64AsI32(inputs, 'attention_mask'), imageTokens, logits: 'all' });
  const [encoder, projected, all] = await submitAndRead(rec, encoderOutput, imageTokens, logits);
  cache.release();
  return { encoder: encoder!, projected: projected!, logits: all!, logitsShape: logits.shape };
}

/** GIT without a cache over [image tokens; ids] on one image: the logits of every position [P + ids, V]. */
export async function gitFullForward(gpu: Gpu, model: GitModel, golden: GoldenFolder, ids: readonly number[]): Promise<Float32Array> {
  const rec = new Recorder(gpu);
  const { imageTokens } = model.encodeImage(rec, rec.upload(golden.image(0), [1, ...golden.shape('pixel_values', 'inputs').slice(1)], 'f32'), 1);
  const cache = model.createCache(1, ids.length);
  const [all] = await submitAndRead(rec, model.step(rec, cache, { ids: Int32Array.from(ids), imageTokens, logits: 'all' }));
  cache.release();
  return all as Float32Array;
}

/** ViT-GPT2 teacher-forced over the golden batch: encoder states and the decoder's logits of every position. */
export async function vitGpt2TeacherForced(gpu: Gpu, model: VitGpt2Model, golden: GoldenFolder) {
  const { inputs } = golden;
  const [batch, textTokens] = golden.shape('decoder_input_ids', 'inputs') as [number, number];
  const rec = new Recorder(gpu);
  const states = model.encodeImage(rec, rec.upload(f32(inputs, 'pixel_values'), golden.shape('pixel_values', 'inputs'), 'f32'), batch);
  const memory = model.crossAttentionMemory(rec, states);
  const cache = model.createCache(batch, textTokens);
  const logits = model.step(rec, cache, memory, { ids: i64AsI32(inputs, 'decoder_input_ids'), textMask: i64AsI32(inputs, 'decoder_attention_mask'), logits: 'all' });
  const [encoder, all] = await submitAndRead(rec, states, logits);
  cache.release();
  memory.release();
  return { encoder: encoder!, logits: all! };
}
