// GIT visual question answering on Dawn against ../shared/golden/git-vqa (transformers 4.57.6, f32): the
// prompt is [CLS] + the question's word pieces (question_input_ids, no [SEP]) and the answer continues it.
// Checked through the family's VqaModel (src/families/git: gitVqaModel), the object the QuestionAnswerer
// runs: greedy ids exact with every step's logits, and one teacher-forced forward over the prompt and the
// answer (generated_full_logits), in f32 and with f16 matmul weights (the manifest's f16 tolerances plus
// per-row cosine similarity). Every shape, id and length comes from the golden tensors and config.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { gitVqaModel } from '../../src/families/git';
import { GitModel } from '../../src/families/git/model';
import type { VqaModel } from '../../src/tasks/vqa';
import { createDawnGpu } from '../helpers/dawn';
import { goldenJson } from '../helpers/golden';
import { expectGreedyAsGolden, gitFullForward, rowOf } from '../helpers/golden-decoding';
import { f16Golden, GoldenFolder } from '../helpers/golden-folder';

const GOLDEN = 'git-vqa';
let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

const golden = new GoldenFolder(GOLDEN);
const question = golden.ids('question_input_ids', 'inputs');
const generated = golden.ids('generated_ids');
const config = goldenJson<{ eos_token_id: number; bos_token_id: number; max_position_embeddings: number }>(GOLDEN, 'config.json');

describe('GIT VQA (golden/git-vqa), f32', () => {
  let model: GitModel;
  let vqa: VqaModel;
  beforeAll(() => {
    model = golden.load(gpu, GitModel.load);
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
    await expectGreedyAsGolden(decoder, golden, prompt, 'generated_ids', 'generate_logits', vqa.eosTokenId);
  });

  it('teacher-forced: one forward over the question and the answer equals generated_full_logits (image tokens, then text)', async () => {
    const all = await gitFullForward(gpu, model, golden, generated);
    expect(all.length).toBe(golden.output('generated_full_logits').length);
    golden.expectOutput(all, 'generated_full_logits', 'logits');
  });

  it('attention maps: one row per text position, over the image patches, each a part of a probability row', async () => {
    const maps = await vqa.attention(golden.image(0), question, generated, -1);
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
    const f16 = f16Golden(gpu, () => ctx.skip(), GOLDEN, GitModel.load);
    if (!f16) return;
    const { model, golden: half } = f16;
    const all = await gitFullForward(gpu, model, half, generated);
    half.expectOutput(all, 'generated_full_logits', 'logits', 'generated_full_logits (f16)');
    // The rows that chose each answer token (the position before it, after the P image tokens) are the
    // greedy steps' logits: f16 error (5e-2) exceeds the smallest top-2 margin, so the steps are compared
    // along the golden ids rather than by decoding freely.
    const first = model.imageTokens + question.length - 1;
    const steps = half.output('generate_logits');
    const [count, vocab] = half.shape('generate_logits') as [number, number];
    for (let s = 0; s < count; s++) {
      half.expectRows(rowOf(all, vocab, first + s), rowOf(steps, vocab, s), vocab, 'logits', `step ${s} (f16)`);
    }
  });
});
