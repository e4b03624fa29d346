// GIT visual question answering on Dawn against ../shared/golden/git-vqa (transformers 4.57.6, f32): the
// prompt is [CLS] + the question's word pieces (question_input_ids, no [SEP]) and the answer continues it.
// Checked through the family's VqaModel (src/families/git: gitVqaModel), the object the QuestionAnswerer
// runs: greedy ids exact with every step's logits, and one teacher-forced forward over the prompt and the
// answer (generated_full_logits), in f32 and with f16 matmul weights (the manifest's f16 tolerances plus
// per-row cosine similarity). Every shape, id and length comes from the golden tensors and config.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { gitVqaModel } from '../../src/families/git';
import { GitModel } from '../../src/families/git/model';
import { CaptionSession } from '../../src/nn/caption-session';
import { generate, type GenerationOptions } from '../../src/nn/generate';
import type { VqaModel } from '../../src/tasks/vqa';
import { createDawnGpu } from '../helpers/dawn';
import { f16Tolerances, needF16 } from '../helpers/f16';
import { f32, f32Row, f32Tolerances, goldenJson, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { allClose } from '../helpers/reference';

const GOLDEN = 'git-vqa';
let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

const inputs = goldenTensors(GOLDEN, 'inputs');
const outputs = goldenTensors(GOLDEN, 'outputs');
const question = Array.from(i64AsI32(inputs, 'question_input_ids'));
const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
const vocab = shapeOf(outputs, 'generate_logits').at(-1)!;
const config = goldenJson<{ eos_token_id: number; bos_token_id: number; max_position_embeddings: number }>(GOLDEN, 'config.json');

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, t: { atol: number; rtol: number }, what: string, cosineCols?: number) {
  const check = allClose(actual, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
  if (!cosineCols) return;
  for (let r = 0; r < expected.length / cosineCols; r++) {
    let dot = 0, na = 0, nb = 0;
    for (let c = 0; c < cosineCols; c++) {
      const a = actual[r * cosineCols + c]!, b = expected[r * cosineCols + c]!;
      dot += a * b; na += a * a; nb += b * b;
    }
    expect(dot / Math.sqrt(na * nb), `${what} row ${r} cosine`).toBeGreaterThan(0.999);
  }
}

/** Greedy decoding for as many answer tokens as the golden answer has (it stopped at [SEP] or max_new_tokens). */
const greedy = (promptLength: number, eos: number): GenerationOptions => ({
  maxNewTokens: generated.length - promptLength, numBeams: 1, minLength: 0, lengthPenalty: 1, earlyStopping: false,
  noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [eos],
});

const rowOf = (logits: Float32Array, t: number) => logits.subarray(t * vocab, (t + 1) * vocab);

/** One no-cache forward over [image tokens; ids]: logits of every position [P + ids, V]. */
async function fullForward(model: GitModel, ids: readonly number[]): Promise<Float32Array> {
  const rec = new Recorder(gpu);
  const { imageTokens } = model.encodeImage(rec, gpu.fromHost(f32Row(inputs, 'pixel_values', 0), [1, ...shapeOf(inputs, 'pixel_values').slice(1)], 'f32'), 1);
  const cache = model.createCache(1, ids.length);
  const logits = model.step(rec, cache, { ids: Int32Array.from(ids), imageTokens, logits: 'all' });
  const read = rec.read(logits);
  await rec.submit();
  cache.release();
  return (await read) as Float32Array;
}

describe('GIT VQA (golden/git-vqa), f32', () => {
  const tol = f32Tolerances(GOLDEN);
  let model: GitModel;
  let vqa: VqaModel;
  beforeAll(() => {
    const { params, config: json } = goldenParameters(gpu, GOLDEN);
    model = GitModel.load(params, json);
    vqa = gitVqaModel(model);
  });

  it("the decoding continues the question itself: prompt = question_input_ids, EOS from config.json, positions from max_position_embeddings", () => {
    expect(question[0]).toBe(config.bos_token_id);
    const decoding = vqa.decoding(question);
    expect(decoding.prompt).toEqual(question);
    expect(decoding.maxTokens).toBe(config.max_position_embeddings);
    expect(vqa.eosTokenId).toBe(config.eos_token_id);
    expect(vqa.maxQuestionTokens).toBe(config.max_position_embeddings - 1);
  });

  it('greedy answer equals generated_ids exactly (prompt, then the answer), with per-step logits in tolerance', async () => {
    const { decoder, prompt } = vqa.decoding(question);
    const session = new CaptionSession(decoder, f32Row(inputs, 'pixel_values', 0), generated.length);
    const result = await generate(session, prompt, greedy(prompt.length, vqa.eosTokenId));
    session.dispose();
    expect(result.ids).toEqual(generated);
    const steps = f32(outputs, 'generate_logits');
    expect(result.stepLogits!.length).toBe(shapeOf(outputs, 'generate_logits')[0]);
    result.stepLogits!.forEach((logits, t) => expectClose(logits, rowOf(steps, t), tol.logits, `step ${t}`));
  });

  it('teacher-forced: one forward over the question and the answer equals generated_full_logits (image tokens, then text)', async () => {
    const all = await fullForward(model, generated);
    expect(all.length).toBe(f32(outputs, 'generated_full_logits').length);
    expectClose(all, f32(outputs, 'generated_full_logits'), tol.logits, 'generated_full_logits');
  });

  it('attention maps: one row per text position, over the image patches, each a part of a probability row', async () => {
    const maps = await vqa.attention(f32Row(inputs, 'pixel_values', 0), question, generated, -1);
    const patches = model.imageTokens - 1;
    expect(maps.positions.length).toBe(generated.length);
    for (const row of maps.positions) {
      expect(row.length).toBe(patches);
      const sum = row.reduce((a, b) => a + b, 0);
      expect(sum).toBeGreaterThan(0);
      expect(sum).toBeLessThanOrEqual(1 + 1e-5);
    }
    expect(maps.imageRollout.length).toBe(patches);
  });
});

describe('GIT VQA (golden/git-vqa), f16 matmul weights', () => {
  it('teacher-forced logits over the question and the answer, and every greedy step taken along generated_ids', async (ctx) => {
    if (!needF16(gpu, () => ctx.skip())) return;
    const { params, config: json } = goldenParameters(gpu, GOLDEN, { matmulPrecision: 'f16' });
    const model = GitModel.load(params, json);
    const t = f16Tolerances(GOLDEN);
    const all = await fullForward(model, generated);
    expectClose(all, f32(outputs, 'generated_full_logits'), t.logits, 'generated_full_logits (f16)', vocab);
    // The rows that chose each answer token (the position before it, after the P image tokens) are the
    // greedy steps' logits: f16 error (5e-2) exceeds the smallest top-2 margin, so the steps are compared
    // along the golden ids rather than by decoding freely.
    const first = model.imageTokens + question.length - 1;
    const steps = f32(outputs, 'generate_logits');
    for (let s = 0; s < shapeOf(outputs, 'generate_logits')[0]!; s++) {
      expectClose(rowOf(all, first + s), rowOf(steps, s), t.logits, `step ${s} (f16)`, vocab);
    }
  });
});
