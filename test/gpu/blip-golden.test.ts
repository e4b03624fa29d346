// BLIP on Dawn against ../shared/golden/{blip,blip-vqa} (transformers 4.57.6, f32): vision and question states,
// teacher-forced logits, greedy ids (exact) with per-step logits, KV cache == full forward, beam ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { generate, type GenerationOptions } from '../../src/nn/generate';
import { CaptionSession } from '../../src/nn/caption-session';
import { BlipCaptionModel, BlipVqaModel } from '../../src/families/blip/model';
import { createDawnGpu } from '../helpers/dawn';
import { expectF16Close, f16Tolerances, needF16 } from '../helpers/f16';
import { f32, f32Row, goldenJson, f32Tolerances, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { allClose } from '../helpers/reference';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, t: { atol: number; rtol: number }, what: string) {
  const check = allClose(actual, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

/** Decoding options that can reach the golden sequence's length (it stopped there: at [SEP] or max_new_tokens). */
const search = (prompt: readonly number[], generated: readonly number[], eos: number, numBeams = 1): GenerationOptions => ({
  maxNewTokens: generated.length - prompt.length, numBeams, minLength: 0, lengthPenalty: 1, earlyStopping: false,
  noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [eos],
});

const rowOf = (logits: Float32Array, vocab: number, t: number) => logits.subarray(t * vocab, (t + 1) * vocab);
/** The beam width the golden beam search ran with, as its manifest describes beam_generated_ids ("num_beams=3 …"). */
function goldenNumBeams(model: string): number {
  const manifest = goldenJson<{ files: { path: string; tensors?: Record<string, { description?: string }> }[] }>(model, 'manifest.json');
  const description = manifest.files.find((f) => f.path === 'outputs.safetensors')?.tensors?.beam_generated_ids?.description ?? '';
  const beams = /num_beams=(\d+)/.exec(description);
  if (!beams) throw new Error(`${model}: the manifest does not say num_beams for beam_generated_ids`);
  return Number(beams[1]);
}

describe('BLIP captioning (golden/blip)', () => {
  const inputs = goldenTensors('blip', 'inputs');
  const outputs = goldenTensors('blip', 'outputs');
  const tol = f32Tolerances('blip');
  const [batch, textTokens] = shapeOf(inputs, 'input_ids') as [number, number];
  const vocab = shapeOf(outputs, 'logits').at(-1)!;
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
  let model: BlipCaptionModel;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'blip');
    model = BlipCaptionModel.load(params, config);
  });

  it('teacher-forced: vision states and decoder logits of every position', async () => {
    const rec = new Recorder(gpu);
    const states = model.vision.encode(rec, gpu.fromHost(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values'), 'f32'), batch);
    const memory = model.decoder.crossMemory(rec, states);
    const cache = model.createCache(batch, textTokens);
    const logits = model.decoder.logits(rec, cache, memory, { ids: i64AsI32(inputs, 'input_ids'), textMask: i64AsI32(inputs, 'attention_mask') }, 'all');
    const reads = [rec.read(states), rec.read(logits)];
    await rec.submit();
    const [vision, out] = await Promise.all(reads);
    cache.release();
    memory.release();
    expect(states.shape).toEqual(shapeOf(outputs, 'vision_last_hidden_state'));
    expect(logits.shape).toEqual(shapeOf(outputs, 'logits'));
    expectClose(vision!, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
    expectClose(out!, f32(outputs, 'logits'), tol.logits, 'logits');
  });

  it('unconditional greedy generation from bos equals generated_ids exactly, with per-step logits in tolerance', async () => {
    const prompt = [model.config.bosTokenId];
    expect(generated[0]).toBe(prompt[0]);
    const session = new CaptionSession(model, f32Row(inputs, 'pixel_values', 0), generated.length);
    const result = await generate(session, prompt, search(prompt, generated, model.config.sepTokenId));
    session.dispose();
    expect(result.ids).toEqual(generated);
    const steps = f32(outputs, 'generate_logits');
    result.stepLogits!.forEach((logits, t) => expectClose(logits, rowOf(steps, vocab, t), tol.logits, `step ${t}`));
  });

  it('KV-cache steps equal one full forward over the generated sequence', async () => {
    const rec = new Recorder(gpu);
    const memory = model.imageMemory(rec, f32Row(inputs, 'pixel_values', 0));
    const cache = model.createCache(1, generated.length);
    const full = model.decoder.logits(rec, cache, memory, { ids: Int32Array.from(generated) }, 'all');
    const read = rec.read(full);
    await rec.submit();
    const all = (await read) as Float32Array;
    cache.release();
    memory.release();
    expectClose(all, f32(outputs, 'generated_full_logits'), tol.logits, 'generated_full_logits');
  });

  it('with a prompt: bos over its [CLS], its [SEP] dropped, the caption continues it (conditional_generated_ids)', async () => {
    const promptIds = Array.from(i64AsI32(inputs, 'prompt_input_ids'));
    const prompt = [model.config.bosTokenId, ...promptIds.slice(1, -1)];
    const expected = Array.from(i64AsI32(outputs, 'conditional_generated_ids'));
    expect(expected.slice(0, prompt.length)).toEqual(prompt);
    const session = new CaptionSession(model, f32Row(inputs, 'pixel_values', 0), expected.length);
    const result = await generate(session, prompt, search(prompt, expected, model.config.sepTokenId));
    session.dispose();
    expect(result.ids).toEqual(expected);
    const steps = f32(outputs, 'conditional_generate_logits');
    result.stepLogits!.forEach((logits, t) => expectClose(logits, rowOf(steps, vocab, t), tol.logits, `conditional step ${t}`));
  });

  it('beam search (num_beams from the data) equals beam_generated_ids exactly', async () => {
    const beamIds = Array.from(i64AsI32(outputs, 'beam_generated_ids'));
    const prompt = [model.config.bosTokenId];
    const longest = generated.length > beamIds.length ? generated : beamIds;
    const session = new CaptionSession(model, f32Row(inputs, 'pixel_values', 0), longest.length);
    const result = await generate(session, prompt, search(prompt, longest, model.config.sepTokenId, goldenNumBeams('blip')));
    session.dispose();
    expect(result.ids).toEqual(beamIds);
  });
});

describe('BLIP VQA (golden/blip-vqa)', () => {
  const inputs = goldenTensors('blip-vqa', 'inputs');
  const outputs = goldenTensors('blip-vqa', 'outputs');
  const tol = f32Tolerances('blip-vqa');
  const [batch, questionTokens] = shapeOf(inputs, 'input_ids') as [number, number];
  const vocab = shapeOf(outputs, 'generate_logits').at(-1)!;
  const questionIds = i64AsI32(inputs, 'input_ids');
  const questionMask = i64AsI32(inputs, 'attention_mask');
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
  const firstQuestion = (): [number[], number[]] => [Array.from(questionIds.subarray(0, questionTokens)), Array.from(questionMask.subarray(0, questionTokens))];
  let model: BlipVqaModel;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'blip-vqa');
    model = BlipVqaModel.load(params, config);
  });

  it('vision states and question states (text encoder with the padding mask, cross-attending to the image)', async () => {
    const rec = new Recorder(gpu);
    const image = model.vision.encode(rec, gpu.fromHost(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values'), 'f32'), batch);
    const question = model.questionStates(rec, image, questionIds, batch, questionMask);
    const reads = [rec.read(image), rec.read(question)];
    await rec.submit();
    const [vision, states] = await Promise.all(reads);
    expect(question.shape).toEqual(shapeOf(outputs, 'question_last_hidden_state'));
    expect(question.shape[1]).toBe(questionTokens);
    expectClose(vision!, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
    expectClose(states!, f32(outputs, 'question_last_hidden_state'), tol.hidden, 'question_last_hidden_state');
  });

  it('answer decoder: one full forward over generated_ids, cross-attending to every question position', async () => {
    const rec = new Recorder(gpu);
    const decoder = model.answerDecoderFor(...firstQuestion());
    const memory = decoder.imageMemory(rec, f32Row(inputs, 'pixel_values', 0));
    const cache = decoder.createCache(1, generated.length);
    const full = model.answerDecoder.logits(rec, cache, memory, { ids: Int32Array.from(generated) }, 'all');
    const read = rec.read(full);
    await rec.submit();
    const all = (await read) as Float32Array;
    cache.release();
    memory.release();
    expectClose(all, f32(outputs, 'generated_full_logits'), tol.logits, 'generated_full_logits');
  });

  it('greedy answer from bos equals generated_ids exactly, with per-step logits in tolerance', async () => {
    const prompt = [model.config.bosTokenId];
    // generate() got input_ids[:1] with its padding: the question states cover every position, padded ones too.
    const session = new CaptionSession(model.answerDecoderFor(...firstQuestion()), f32Row(inputs, 'pixel_values', 0), generated.length);
    const result = await generate(session, prompt, search(prompt, generated, model.config.sepTokenId));
    session.dispose();
    expect(result.ids).toEqual(generated);
    const steps = f32(outputs, 'generate_logits');
    result.stepLogits!.forEach((logits, t) => expectClose(logits, rowOf(steps, vocab, t), tol.logits, `step ${t}`));
  });

  it('beam search (num_beams from the data) equals beam_generated_ids exactly', async () => {
    const beamIds = Array.from(i64AsI32(outputs, 'beam_generated_ids'));
    const prompt = [model.config.bosTokenId];
    const longest = generated.length > beamIds.length ? generated : beamIds;
    const session = new CaptionSession(model.answerDecoderFor(...firstQuestion()), f32Row(inputs, 'pixel_values', 0), longest.length);
    const result = await generate(session, prompt, search(prompt, longest, model.config.sepTokenId, goldenNumBeams('blip-vqa')));
    session.dispose();
    expect(result.ids).toEqual(beamIds);
  });
});

// ---- f16 matmul weights (shader-f16 adapters: lavapipe here) with the manifests' f16 tolerances -----------------

describe('BLIP with f16 matmul weights', () => {
  it('captioning: vision states and teacher-forced logits', async (ctx) => {
    if (!needF16(gpu, () => ctx.skip())) return;
    const { params, config } = goldenParameters(gpu, 'blip', { matmulPrecision: 'f16' });
    const model = BlipCaptionModel.load(params, config);
    const inputs = goldenTensors('blip', 'inputs');
    const outputs = goldenTensors('blip', 'outputs');
    const t = f16Tolerances('blip');
    const [batch, textTokens] = shapeOf(inputs, 'input_ids') as [number, number];
    const rec = new Recorder(gpu);
    const states = model.vision.encode(rec, rec.upload(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values'), 'f32'), batch);
    const memory = model.decoder.crossMemory(rec, states);
    const cache = model.createCache(batch, textTokens);
    const logits = model.decoder.logits(rec, cache, memory, { ids: i64AsI32(inputs, 'input_ids'), textMask: i64AsI32(inputs, 'attention_mask') }, 'all');
    const reads = [rec.read(states), rec.read(logits)];
    await rec.submit();
    const [vision, out] = await Promise.all(reads);
    cache.release();
    memory.release();
    const cols = (name: string) => shapeOf(outputs, name).at(-1)!;
    expectF16Close(vision!, f32(outputs, 'vision_last_hidden_state'), cols('vision_last_hidden_state'), t.hidden, 'vision_last_hidden_state');
    expectF16Close(out!, f32(outputs, 'logits'), cols('logits'), t.logits, 'logits');
  });

  it('VQA: question states and the answer decoder over generated_ids', async (ctx) => {
    if (!needF16(gpu, () => ctx.skip())) return;
    const { params, config } = goldenParameters(gpu, 'blip-vqa', { matmulPrecision: 'f16' });
    const model = BlipVqaModel.load(params, config);
    const inputs = goldenTensors('blip-vqa', 'inputs');
    const outputs = goldenTensors('blip-vqa', 'outputs');
    const t = f16Tolerances('blip-vqa');
    const [batch, questionTokens] = shapeOf(inputs, 'input_ids') as [number, number];
    const questionIds = i64AsI32(inputs, 'input_ids');
    const questionMask = i64AsI32(inputs, 'attention_mask');
    const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
    const rec = new Recorder(gpu);
    const image = model.vision.encode(rec, rec.upload(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values'), 'f32'), batch);
    const question = model.questionStates(rec, image, questionIds, batch, questionMask);
    const decoder = model.answerDecoderFor(Array.from(questionIds.subarray(0, questionTokens)), Array.from(questionMask.subarray(0, questionTokens)));
    const memory = decoder.imageMemory(rec, f32Row(inputs, 'pixel_values', 0));
    const cache = decoder.createCache(1, generated.length);
    const full = model.answerDecoder.logits(rec, cache, memory, { ids: Int32Array.from(generated) }, 'all');
    const reads = [rec.read(question), rec.read(full)];
    await rec.submit();
    const [states, logits] = await Promise.all(reads);
    cache.release();
    memory.release();
    const cols = (name: string) => shapeOf(outputs, name).at(-1)!;
    expectF16Close(states!, f32(outputs, 'question_last_hidden_state'), cols('question_last_hidden_state'), t.hidden, 'question_last_hidden_state');
    expectF16Close(logits!, f32(outputs, 'generated_full_logits'), cols('generated_full_logits'), t.logits, 'generated_full_logits');
  });
});

// ---- kernelSpecs() lists every pipeline a request runs (a fresh device, its synchronous compiles counted) ----------

describe('BLIP kernelSpecs() covers every pipeline a request runs', () => {
  async function countingGpu(): Promise<{ device: Gpu; syncCompiles: () => number }> {
    const device = await createDawnGpu();
    let count = 0;
    const sync = device.device.createComputePipeline.bind(device.device);
    device.device.createComputePipeline = (d) => { count++; return sync(d); };
    return { device, syncCompiles: () => count };
  }

  it('captioning: greedy and 3-beam decoding, with and without a prompt', async () => {
    const { device, syncCompiles } = await countingGpu();
    try {
      const { params, config } = goldenParameters(device, 'blip');
      const model = BlipCaptionModel.load(params, config);
      await device.pipelines.prepare(model.kernelSpecs());
      const inputs = goldenTensors('blip', 'inputs');
      const promptIds = Array.from(i64AsI32(inputs, 'prompt_input_ids'));
      const start = model.config.bosTokenId;
      for (const prompt of [[start], [start, ...promptIds.slice(1, -1)]]) {
        for (const beams of [1, 3]) {
          const session = new CaptionSession(model, f32Row(inputs, 'pixel_values', 0), prompt.length + 4);
          await generate(session, prompt, { ...search(prompt, [...prompt, 0, 0, 0, 0], model.config.sepTokenId, beams), minLength: prompt.length + 4 });
          session.dispose();
        }
      }
      expect(syncCompiles()).toBe(0);
    } finally {
      device.destroy();
    }
  });

  it('VQA: the golden questions, a short one, greedy and 3-beam answers', async () => {
    const { device, syncCompiles } = await countingGpu();
    try {
      const { params, config } = goldenParameters(device, 'blip-vqa');
      const model = BlipVqaModel.load(params, config);
      await device.pipelines.prepare(model.kernelSpecs());
      const inputs = goldenTensors('blip-vqa', 'inputs');
      const length = shapeOf(inputs, 'input_ids')[1]!;
      const ids = Array.from(i64AsI32(inputs, 'input_ids').subarray(0, length));
      const { bosTokenId, sepTokenId } = model.config;
      for (const question of [ids, [ids[0]!, ids[1]!, sepTokenId]]) {
        for (const beams of [1, 3]) {
          const session = new CaptionSession(model.answerDecoderFor(question), f32Row(inputs, 'pixel_values', 0), 5);
          await generate(session, [bosTokenId], { ...search([bosTokenId], [bosTokenId, 0, 0, 0, 0], sepTokenId, beams), minLength: 5 });
          session.dispose();
        }
      }
      expect(syncCompiles()).toBe(0);
    } finally {
      device.destroy();
    }
  });
});
