// Attention maps on the CPU: the class-token rollout computed from the golden attention probabilities
// (transformers' output_attentions=True) must equal the golden rollout; layer selection; heat maps.
import { describe, expect, it } from 'vitest';
import { attentionRollout, headMeanRows, meanOverHeads, resolveLayers, type AttentionProbs } from '../../src/nn/attention-maps';
import { attentionHeatMap, rolloutMaps } from '../../src/tasks/attention-maps';
import { f32, f32Row, goldenTensors, layersIn, range, type GoldenModel } from '../helpers/golden';
import { allClose } from '../helpers/reference';

/** A golden [batch, heads, q, k] tensor as AttentionProbs. */
function golden(model: GoldenModel, name: string, layer = 0): AttentionProbs {
  const t = goldenTensors(model, 'attentions').get(name);
  if (!t || t.dtype !== 'F32') throw new Error(`golden ${model}/${name} missing`);
  const [batch, heads, queryLen, keyLen] = t.shape as [number, number, number, number];
  return { layer, batch, heads, queryLen, keyLen, data: t.data };
}

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, what: string) => {
  const c = allClose(actual, expected, atol, 0);
  expect(c.ok, `${what}: ${c.detail}`).toBe(true);
};

describe('attentionRollout', () => {
  // The golden rollout was computed in float32 by the same formula; ours runs in float64 from the same
  // probabilities, so only f32 rounding of the tokens × tokens products separates them.
  const cases: Array<[GoldenModel, string, string]> = [
    ['clip', 'vision_attentions', 'vision_rollout'],
    ['git', 'vision_attentions', 'vision_rollout'],
    ['vit-gpt2', 'encoder_attentions', 'encoder_rollout'],
  ];
  for (const [model, prefix, rolloutName] of cases) {
    it(`reproduces ${model}/${rolloutName} from every layer of ${prefix} (atol 1e-6)`, () => {
      const layers = range(layersIn(goldenTensors(model, 'attentions'), prefix)).map((l) => golden(model, `${prefix}.${l}`, l));
      const expected = f32(goldenTensors(model, 'attentions'), rolloutName);
      const rollout = attentionRollout(layers);
      const { batch, keyLen } = layers[0]!;
      expect(rollout.length).toBe(batch * (keyLen - 1)); // per image: every patch, the class token left out
      close(rollout, expected, 1e-6, `${model} rollout`);
      // Each row of the full rollout matrix sums to 1, so the patch part is below 1 and positive.
      for (const v of rollout) expect(v).toBeGreaterThan(0);
    });
  }

  it('is the identity (no patch weight) when every layer attends only to itself', () => {
    const n = 5;
    const data = new Float32Array(2 * n * n);
    for (let h = 0; h < 2; h++) for (let i = 0; i < n; i++) data[h * n * n + i * n + i] = 1;
    const probs: AttentionProbs = { layer: 0, batch: 1, heads: 2, queryLen: n, keyLen: n, data };
    expect(Array.from(attentionRollout([probs, { ...probs, layer: 1 }]))).toEqual([0, 0, 0, 0]);
  });

  it('follows R = B_2 · B_1 (order matters) on a hand-made example', () => {
    // Two tokens, one head. A1: token 0 attends to token 1 only; A2: uniform.
    const a1: AttentionProbs = { layer: 0, batch: 1, heads: 1, queryLen: 2, keyLen: 2, data: Float32Array.of(0, 1, 0, 1) };
    const a2: AttentionProbs = { layer: 1, batch: 1, heads: 1, queryLen: 2, keyLen: 2, data: Float32Array.of(0.5, 0.5, 0.5, 0.5) };
    // B1 = [[.5,.5],[0,1]], B2 = [[.75,.25],[.25,.75]]; (B2·B1)[0][1] = .75·.5 + .25·1 = .625; (B1·B2)[0][1] = .5
    expect(attentionRollout([a1, a2])[0]).toBeCloseTo(0.625, 12);
  });

  it('rejects non-square or mismatched layers', () => {
    const cross = golden('vit-gpt2', 'cross_attentions.0');
    expect(() => attentionRollout([cross])).toThrow(/self-attention/);
    expect(() => attentionRollout([])).toThrow(/at least one layer/);
  });
});

describe('meanOverHeads / headMeanRows', () => {
  it('average the heads of the golden generated rows', () => {
    const p = golden('vit-gpt2', 'generated_cross_attention_last_layer');
    const { heads, queryLen: rows, keyLen: cols } = p;
    const last = rows - 1;
    const picked = headMeanRows(p, [0, last], 1, cols);
    expect(picked).toHaveLength(2);
    expect(picked[0]).toHaveLength(cols - 1);
    const mean = meanOverHeads(p);
    for (let j = 1; j < cols; j++) {
      let sum = 0;
      for (let h = 0; h < heads; h++) sum += p.data[(h * rows + last) * cols + j]!;
      expect(picked[1]![j - 1]).toBeCloseTo(sum / heads, 12);
      expect(mean[last * cols + j]).toBeCloseTo(sum / heads, 12);
    }
    expect(() => headMeanRows(p, [rows], 0, cols)).toThrow(new RegExp(`row ${rows}`));
    expect(() => headMeanRows(p, [0], 0, cols + 1)).toThrow(/columns/);
  });
});

describe('resolveLayers', () => {
  it('expands all, counts negatives from the end, sorts and de-duplicates', () => {
    expect(resolveLayers('all', 3)).toEqual([0, 1, 2]);
    expect(resolveLayers([-1], 12)).toEqual([11]);
    expect(resolveLayers([2, 0, -3, 2], 3)).toEqual([0, 2]);
    expect(resolveLayers([], 3)).toEqual([]);
  });

  it('rejects layers that do not exist', () => {
    expect(() => resolveLayers([3], 3)).toThrow(/does not exist/);
    expect(() => resolveLayers([-4], 3)).toThrow(/does not exist/);
    expect(() => resolveLayers([0.5], 3)).toThrow(/does not exist/);
  });
});

describe('attentionHeatMap', () => {
  it('lays [patches] out as a √n × √n grid, row-major, min–max normalised to 0..1', () => {
    const map = attentionHeatMap([0.2, 0.4, 0.1, 0.3]);
    expect(map.rows).toBe(2);
    expect(map.cols).toBe(2);
    expect(Array.from(map.values)).toEqual([1 / 3, 1, 0, 2 / 3].map(Math.fround));
  });

  it('takes an explicit grid, maps a constant input to zeros and rejects what does not fit', () => {
    expect(attentionHeatMap([1, 2, 3, 4, 5, 6], { rows: 2, cols: 3 }).cols).toBe(3);
    expect(Array.from(attentionHeatMap([0.5, 0.5, 0.5, 0.5]).values)).toEqual([0, 0, 0, 0]);
    expect(() => attentionHeatMap(new Array(17).fill(0))).toThrow(/class token/);
    expect(() => attentionHeatMap([1, 2, 3], { rows: 2, cols: 2 })).toThrow(/needs 4/);
    expect(() => attentionHeatMap([1, NaN, 3, 4])).toThrow(/NaN/);
    expect(() => attentionHeatMap([])).toThrow();
  });

  it('rolloutMaps gives one square patch-grid map per image of the golden CLIP batch', () => {
    const attentions = goldenTensors('clip', 'attentions');
    const layers = range(layersIn(attentions, 'vision_attentions')).map((l) => golden('clip', `vision_attentions.${l}`, l));
    const maps = rolloutMaps(layers);
    expect(maps).toHaveLength(layers[0]!.batch);
    const side = Math.sqrt(layers[0]!.keyLen - 1); // the patches of a square image
    maps.forEach((m, b) => {
      close(m.rollout, f32Row(attentions, 'vision_rollout', b), 1e-6, `image ${b}`);
      expect([m.heatMap.rows, m.heatMap.cols]).toEqual([side, side]);
      expect(Math.max(...m.heatMap.values)).toBe(1);
      expect(Math.min(...m.heatMap.values)).toBe(0);
      // The brightest cell is the patch with the largest rollout.
      expect(m.heatMap.values.indexOf(1)).toBe(m.rollout.indexOf(Math.max(...m.rollout)));
    });
  });
});
