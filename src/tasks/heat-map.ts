/**
 * Heat maps over a ViT's patch grid, for display (the page draws them over the image). No GPU code here, so the
 * page can import it without pulling in the kernels; attention-maps.ts re-exports it.
 */
import { IrisError } from '../errors';

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
