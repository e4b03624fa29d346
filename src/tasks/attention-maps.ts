/**
 * Attention maps for display: "what the model looked at", as a grid over the image's patches with values
 * in 0..1, ready to be drawn as a heat map over the (preprocessed, square) image. The numbers come from
 * src/models/attention-maps.ts (probabilities captured on the GPU, rollout on the CPU).
 *
 * Patch p of a ViT covers grid cell (row ⌊p / cols⌋, column p mod cols), top-left first: the order of
 * transformers' patch embedding (conv output flattened row by row). The grid covers the model input, i.e.
 * the centre crop (CLIP, GIT) or the whole image squashed to a square (ViT-GPT2's resize).
 */
import { attentionRollout, type AttentionProbs } from '../nn/attention-maps';
import { attentionHeatMap, type HeatMap } from './heat-map';

export { attentionHeatMap, type HeatMap };

/** An image encoder's class-token attention rollout over the patches and its heat map. */
export interface ImageAttentionMap {
  /** R[0, 1:] of the rollout: [patches], in patch order. */
  rollout: Float32Array;
  heatMap: HeatMap;
}

/** One ImageAttentionMap per batch row from all of an image encoder's layers (in forward order). */
export function rolloutMaps(layers: readonly AttentionProbs[]): ImageAttentionMap[] {
  const rollout = attentionRollout(layers);
  const batch = layers[0]!.batch;
  const patches = rollout.length / batch;
  return Array.from({ length: batch }, (_, b) => {
    const row = rollout.slice(b * patches, (b + 1) * patches);
    return { rollout: row, heatMap: attentionHeatMap(row) };
  });
}
