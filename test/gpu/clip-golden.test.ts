// CLIP on Dawn against ../shared/golden/clip, computed by Hugging Face transformers (f32 tolerances from
// its manifest: hidden states/embeddings atol 1e-4 rtol 1e-3, logits atol 5e-4 rtol 1e-3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { ClipModel } from '../../src/families/clip/model';
import { l2Normalize, similarityLogits } from '../../src/nn/similarity';
import { createDawnGpu } from '../helpers/dawn';
import { f32, f32Tolerances, goldenTensors, i64AsI32 } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { allClose } from '../helpers/reference';

let gpu: Gpu;
let model: ClipModel;
const inputs = goldenTensors('clip', 'inputs');
const outputs = goldenTensors('clip', 'outputs');
const tol = f32Tolerances('clip');

beforeAll(async () => {
  gpu = await createDawnGpu();
  const { params, config } = goldenParameters(gpu, 'clip');
  model = ClipModel.load(params, config);
});
afterAll(() => gpu?.destroy());

function expectClose(actual: Float32Array | undefined, expected: Float32Array, t: { atol: number; rtol: number }, what: string) {
  expect(actual, what).toBeDefined();
  const check = allClose(actual!, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

describe('CLIP vision tower', () => {
  it('matches last_hidden_state, pooler_output and image embeddings', async () => {
    const out = await model.encodeImages(f32(inputs, 'pixel_values'), 2, { hiddenStates: true });
    expectClose(out.lastHiddenState, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
    expectClose(out.pooled, f32(outputs, 'vision_pooler_output'), tol.hidden, 'vision_pooler_output');
    expectClose(out.embeds, f32(outputs, 'image_embeds_unnormalized'), tol.hidden, 'image_embeds_unnormalized');
    expectClose(l2Normalize(out.embeds, 32), f32(outputs, 'image_embeds'), tol.hidden, 'image_embeds');
  });
});

describe('CLIP text tower', () => {
  it('matches last_hidden_state (causal + padding mask), pooled output at EOS and text embeddings', async () => {
    const ids = i64AsI32(inputs, 'input_ids');
    const mask = i64AsI32(inputs, 'attention_mask');
    const out = await model.encodeTexts(ids, mask, 3, 16, { hiddenStates: true });
    expect(out.pooledPositions).toEqual(Array.from(i64AsI32(outputs, 'text_pooled_positions')));
    expectClose(out.lastHiddenState, f32(outputs, 'text_last_hidden_state'), tol.hidden, 'text_last_hidden_state');
    expectClose(out.pooled, f32(outputs, 'text_pooler_output'), tol.hidden, 'text_pooler_output');
    expectClose(out.embeds, f32(outputs, 'text_embeds_unnormalized'), tol.hidden, 'text_embeds_unnormalized');
  });

  it('without an attention mask gives the input_ids-only variant', async () => {
    const ids = i64AsI32(inputs, 'input_ids');
    const out = await model.encodeTexts(ids, new Int32Array(ids.length).fill(1), 3, 16, { hiddenStates: true });
    expectClose(out.lastHiddenState, f32(outputs, 'text_last_hidden_state_no_attention_mask'), tol.hidden, 'text_last_hidden_state_no_attention_mask');
  });
});

describe('CLIP similarity', () => {
  it('matches logits_per_image and logit_scale', async () => {
    const image = await model.encodeImages(f32(inputs, 'pixel_values'), 2);
    const text = await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), 3, 16);
    expect(Math.log(model.logitScale)).toBeCloseTo(f32(outputs, 'logit_scale')[0]!, 6);
    const logits = similarityLogits(image.embeds, text.embeds, 32, model.logitScale);
    expectClose(logits, f32(outputs, 'logits_per_image'), tol.logits, 'logits_per_image');
  });
});
