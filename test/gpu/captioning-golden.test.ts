// GIT and ViT-GPT2 on Dawn against ../shared/golden/{git,vit-gpt2} (transformers 4.57.6, f32):
// teacher-forced logits, greedy generated_ids (exact), per-step logits, and KV cache == full forward.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { GitModel } from '../../src/families/git/model';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { createDawnGpu } from '../helpers/dawn';
import { expectWithin } from '../helpers/expect';
import { decode, expectGreedyAsGolden, gitFullForward, gitTeacherForced, goldenSearch, rowOf, vitGpt2TeacherForced } from '../helpers/golden-decoding';
import { GoldenFolder } from '../helpers/golden-folder';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

describe('GIT (golden/git)', () => {
  const golden = new GoldenFolder('git');
  const prompt = golden.ids('generate_input_ids', 'inputs');
  let model: GitModel;
  beforeAll(() => { model = golden.load(gpu, GitModel.load); });

  it('teacher-forced: image encoder, projected visual features and logits of every position (image tokens, then text)', async () => {
    const { encoder, projected, logits, logitsShape } = await gitTeacherForced(gpu, model, golden);
    expect(logitsShape).toEqual(golden.shape('logits'));
    golden.expectOutput(encoder, 'image_encoder_last_hidden_state', 'hidden');
    golden.expectOutput(projected, 'projected_visual_features', 'hidden');
    golden.expectOutput(logits, 'logits', 'logits');
  });

  it('greedy generation equals generated_ids exactly, with per-step logits in tolerance', () =>
    expectGreedyAsGolden(model, golden, prompt, 'generated_ids', 'generate_logits', model.config.eosTokenId));

  it('KV-cache steps equal one full forward over the generated sequence', async () => {
    const generated = golden.ids('generated_ids');
    const cached = await decode(model, golden.image(0), prompt, goldenSearch(prompt, generated, model.config.eosTokenId));
    const all = await gitFullForward(gpu, model, golden, generated.slice(0, -1));
    const full = golden.output('generated_full_logits');
    const vocab = golden.shape('generated_full_logits').at(-1)!;
    // The logits that chose generated token prompt + t sit at the position before it, after the P image tokens.
    const first = golden.shape('projected_visual_features')[1]! + prompt.length - 1;
    cached.stepLogits!.forEach((logits, t) => {
      const row = rowOf(all, vocab, first + t);
      expectWithin(logits, row, { atol: 1e-4, rtol: 1e-4 }, `cache vs full, step ${t}`);
      golden.expectRows(row, rowOf(full, vocab, first + t), vocab, 'logits', `full forward row ${first + t}`);
    });
  });
});

describe('ViT-GPT2 (golden/vit-gpt2)', () => {
  const golden = new GoldenFolder('vit-gpt2');
  let model: VitGpt2Model;
  beforeAll(() => { model = golden.load(gpu, VitGpt2Model.load); });

  it('teacher-forced: encoder states and decoder logits', async () => {
    const { encoder, logits } = await vitGpt2TeacherForced(gpu, model, golden);
    golden.expectOutput(encoder, 'encoder_last_hidden_state', 'hidden');
    golden.expectOutput(logits, 'logits', 'logits');
  });

  it('greedy generation equals generated_ids exactly, with per-step logits in tolerance', () =>
    expectGreedyAsGolden(model, golden, [model.config.decoderStartTokenId], 'generated_ids', 'generate_logits', model.config.eosTokenId));
});
