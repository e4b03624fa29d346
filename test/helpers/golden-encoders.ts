// What the CLIP and Chinese-CLIP golden tests share: both towers over the golden batch (every image, every text
// with its attention_mask), the vision tower's checks, and the similarity logits, by golden output name.
import { expect } from 'vitest';
import { l2Normalize, similarityLogits } from '../../src/nn/similarity';
import { f32, i64AsI32 } from './golden';
import type { GoldenFolder } from './golden-folder';

interface EncodeOptions {
  hiddenStates?: boolean;
}

/** A CLIP-style dual encoder (CLIP, Chinese-CLIP): a ViT image tower with a pooled output, and a text tower. */
export interface DualEncoder {
  readonly logitScale: number;
  encodeImages(pixels: Float32Array, batch: number, options?: EncodeOptions): Promise<{ lastHiddenState?: Float32Array; pooled: Float32Array; embeds: Float32Array }>;
  encodeTexts(ids: Int32Array, attentionMask: Int32Array, batch: number, seq: number, options?: EncodeOptions): Promise<{ lastHiddenState?: Float32Array; embeds: Float32Array }>;
}

/** The image tower over every golden image (pixel_values). */
export function encodeGoldenImages<M extends DualEncoder>(model: M, golden: GoldenFolder, options?: EncodeOptions): ReturnType<M['encodeImages']> {
  return model.encodeImages(f32(golden.inputs, 'pixel_values'), golden.shape('pixel_values', 'inputs')[0]!, options) as ReturnType<M['encodeImages']>;
}

/** The text tower over every golden text (input_ids with attention_mask). */
export function encodeGoldenTexts<M extends DualEncoder>(model: M, golden: GoldenFolder, options?: EncodeOptions): ReturnType<M['encodeTexts']> {
  const [texts, seq] = golden.shape('input_ids', 'inputs') as [number, number];
  return model.encodeTexts(i64AsI32(golden.inputs, 'input_ids'), i64AsI32(golden.inputs, 'attention_mask'), texts, seq, options) as ReturnType<M['encodeTexts']>;
}

/** The vision tower's last_hidden_state, pooler_output, and image embeddings unnormalised and normalised. */
export async function expectVisionTower(model: DualEncoder, golden: GoldenFolder): Promise<void> {
  const out = await encodeGoldenImages(model, golden, { hiddenStates: true });
  golden.expectOutput(out.lastHiddenState, 'vision_last_hidden_state', 'hidden');
  golden.expectOutput(out.pooled, 'vision_pooler_output', 'hidden');
  golden.expectOutput(out.embeds, 'image_embeds_unnormalized', 'hidden');
  golden.expectOutput(l2Normalize(out.embeds, golden.shape('image_embeds').at(-1)!), 'image_embeds', 'hidden');
}

/**
 * logit_scale, and logits_per_image [images, texts] from the towers' embeddings (`embeds`, or both towers
 * encoded here).
 */
export async function expectSimilarity(model: DualEncoder, golden: GoldenFolder, embeds?: { image: Float32Array; text: Float32Array }): Promise<void> {
  const image = embeds?.image ?? (await encodeGoldenImages(model, golden)).embeds;
  const text = embeds?.text ?? (await encodeGoldenTexts(model, golden)).embeds;
  expect(Math.log(model.logitScale)).toBeCloseTo(f32(golden.outputs, 'logit_scale')[0]!, 6);
  expect(golden.shape('logits_per_image')).toEqual([golden.shape('pixel_values', 'inputs')[0], golden.shape('input_ids', 'inputs')[0]]);
  const logits = similarityLogits(image, text, golden.shape('image_embeds').at(-1)!, model.logitScale);
  golden.expectOutput(logits, 'logits_per_image', 'logits');
}
