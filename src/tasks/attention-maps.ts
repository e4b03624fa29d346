/**
 * Attention maps for display: "what the model looked at", as a grid over the image's patches with values
 * in 0..1, ready to be drawn as a heat map over the (preprocessed, square) image. The numbers come from
 * src/models/attention-maps.ts (probabilities captured on the GPU, rollout on the CPU).
 *
 * Patch p of a ViT covers grid cell (row ⌊p / cols⌋, column p mod cols), top-left first: the order of
 * transformers' patch embedding (conv output flattened row by row). The grid covers the model input, i.e.
 * the centre crop (CLIP, GIT) or the whole image squashed to a square (ViT-GPT2's resize).
 */
import { IrisError } from '../errors';
import { attentionRollout, type AttentionProbs } from '../models/attention-maps';

/** A heat map over the patch grid: values[r · cols + c] in 0..1, row-major, top-left first. */
export interface HeatMap {
  rows: number;
  cols: number;
  values: Float32Array;
}

/**
 * Turns per-patch weights ([patches], class token NOT included) into a heat map: a √patches × √patches grid
 * unless `grid` is given, min–max normalised to 0..1 (the largest weight is 1, the smallest 0; a constant
 * map is all zeros).
 */
export function attentionHeatMap(weights: ArrayLike<number>, grid?: { rows: number; cols: number }): HeatMap {
  const n = weights.length;
  const side = Math.round(Math.sqrt(n));
  const { rows, cols } = grid ?? { rows: side, cols: side };
  if (n === 0 || !Number.isInteger(rows) || !Number.isInteger(cols) || rows * cols !== n) {
    throw new IrisError('bad-input', grid
      ? `A ${rows}×${cols} heat map needs ${rows * cols} weights, got ${n}.`
      : `${n} patch weights do not form a square grid; pass the grid size (is the class token still included?).`);
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = weights[i]!;
    if (!Number.isFinite(v)) throw new IrisError('bad-input', `Patch weight ${i} is ${v}.`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  const values = new Float32Array(n);
  if (range > 0) for (let i = 0; i < n; i++) values[i] = (weights[i]! - min) / range;
  return { rows, cols, values };
}

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
