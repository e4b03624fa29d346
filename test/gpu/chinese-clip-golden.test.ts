// Chinese-CLIP on Dawn against ../shared/golden/chinese-clip, computed by Hugging Face transformers
// (ChineseCLIPModel), with the manifest's f32 tolerances. Every shape comes from the golden tensors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { ChineseClipModel } from '../../src/families/chinese-clip/model';
import { l2Normalize, similarityLogits } from '../../src/nn/similarity';
import { createDawnGpu } from '../helpers/dawn';
import { f32, f32Tolerances, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { allClose } from '../helpers/reference';

let gpu: Gpu;
let model: ChineseClipModel;
const inputs = goldenTensors('chinese-clip', 'inputs');
const outputs = goldenTensors('chinese-clip', 'outputs');
const tol = f32Tolerances('chinese-clip');
const [images] = shapeOf(inputs, 'pixel_values') as [number];
const [texts, seq] = shapeOf(inputs, 'input_ids') as [number, number];
const dim = shapeOf(outputs, 'image_embeds').at(-1)!;

beforeAll(async () => {
  gpu = await createDawnGpu();
  const { params, config } = goldenParameters(gpu, 'chinese-clip');
  model = ChineseClipModel.load(params, config);
});
afterAll(() => gpu?.destroy());

function expectClose(actual: Float32Array | undefined, expected: Float32Array, t: { atol: number; rtol: number }, what: string) {
  expect(actual, what).toBeDefined();
  expect(actual!.length, `${what} length`).toBe(expected.length);
  const check = allClose(actual!, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

describe('Chinese-CLIP vision tower (CLIP ViT)', () => {
  it('matches last_hidden_state, pooler_output and image embeddings', async () => {
    const out = await model.encodeImages(f32(inputs, 'pixel_values'), images, { hiddenStates: true });
    expectClose(out.lastHiddenState, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
    expectClose(out.pooled, f32(outputs, 'vision_pooler_output'), tol.hidden, 'vision_pooler_output');
    expectClose(out.embeds, f32(outputs, 'image_embeds_unnormalized'), tol.hidden, 'image_embeds_unnormalized');
    expectClose(l2Normalize(out.embeds, dim), f32(outputs, 'image_embeds'), tol.hidden, 'image_embeds');
  });
});

describe('Chinese-CLIP text tower (post-LN BERT, [CLS] projected)', () => {
  it('the golden texts are one sentence each (token_type_ids all 0) and padded (some mask is 0)', () => {
    expect(Array.from(i64AsI32(inputs, 'token_type_ids')).every((t) => t === 0)).toBe(true);
    expect(Array.from(i64AsI32(inputs, 'attention_mask')).some((m) => m === 0)).toBe(true);
  });

  it('matches last_hidden_state (padding mask) and the text embeddings', async () => {
    const out = await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), texts, seq, { hiddenStates: true });
    // Padded rows attend to the real tokens only, so every row is deterministic and compared.
    expectClose(out.lastHiddenState, f32(outputs, 'text_last_hidden_state'), tol.hidden, 'text_last_hidden_state');
    expectClose(out.embeds, f32(outputs, 'text_embeds_unnormalized'), tol.hidden, 'text_embeds_unnormalized');
    expectClose(l2Normalize(out.embeds, dim), f32(outputs, 'text_embeds'), tol.hidden, 'text_embeds');
  });
});

describe('Chinese-CLIP similarity', () => {
  it('matches logits_per_image and logit_scale', async () => {
    const image = await model.encodeImages(f32(inputs, 'pixel_values'), images);
    const text = await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), texts, seq);
    expect(Math.log(model.logitScale)).toBeCloseTo(f32(outputs, 'logit_scale')[0]!, 6);
    const logits = similarityLogits(image.embeds, text.embeds, dim, model.logitScale);
    expect(shapeOf(outputs, 'logits_per_image')).toEqual([images, texts]);
    expectClose(logits, f32(outputs, 'logits_per_image'), tol.logits, 'logits_per_image');
  });
});
