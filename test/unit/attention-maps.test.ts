// Attention maps on the CPU: the class-token rollout computed from the golden attention probabilities
// (transformers' output_attentions=True) must equal the golden rollout; layer selection; heat maps.
import { describe, expect, it } from 'vitest';
import { attentionRollout, headMeanRows, meanOverHeads, resolveLayers, type AttentionProbs } from '../../src/nn/attention-maps';
import { attentionHeatMap, rolloutMaps } from '../../src/tasks/attention-maps';
import { f32, goldenTensors, type GoldenModel } from '../helpers/golden';
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
  // probabilities, so only f32 rounding of two 17×17 products separates them.
  const cases: Array<[GoldenModel, string, string]> = [
    ['clip', 'vision_attentions', 'vision_rollout'],
    ['git', 'vision_attentions', 'vision_rollout'],
    ['vit-gpt2', 'encoder_attentions', 'encoder_rollout'],
  ];
  for (const [model, prefix, rolloutName] of cases) {
    it(`reproduces ${model}/${rolloutName} from ${prefix}.{0,1} (atol 1e-6)`, () => {
      const layers = [golden(model, `${prefix}.0`, 0), golden(model, `${prefix}.1`, 1)];
      const expected = f32(goldenTensors(model, 'attentions'), rolloutName);
      const rollout = attentionRollout(layers);
      expect(rollout.length).toBe(2 * 16);
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
    const cross = golden('vit-gpt2', 'cross_attentions.1');
    expect(() => attentionRollout([cross])).toThrow(/self-attention/);
    expect(() => attentionRollout([])).toThrow(/at least one layer/);
  });
});

describe('meanOverHeads / headMeanRows', () => {
  it('average the heads of the golden generated rows', () => {
    const p = golden('vit-gpt2', 'generated_cross_attention_last_layer');
    const rows = headMeanRows(p, [0, 8], 1, 17);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveLength(16);
    const mean = meanOverHeads(p);
    for (let j = 1; j < 17; j++) {
      let sum = 0;
      for (let h = 0; h < 4; h++) sum += p.data[h * 9 * 17 + 8 * 17 + j]!;
      expect(rows[1]![j - 1]).toBeCloseTo(sum / 4, 12);
      expect(mean[8 * 17 + j]).toBeCloseTo(sum / 4, 12);
    }
    expect(() => headMeanRows(p, [9], 0, 17)).toThrow(/row 9/);
    expect(() => headMeanRows(p, [0], 0, 18)).toThrow(/columns/);
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

  it('rolloutMaps gives one 4×4 map per image of the golden CLIP batch', () => {
    const maps = rolloutMaps([golden('clip', 'vision_attentions.0', 0), golden('clip', 'vision_attentions.1', 1)]);
    expect(maps).toHaveLength(2);
    const expected = f32(goldenTensors('clip', 'attentions'), 'vision_rollout');
    maps.forEach((m, b) => {
      close(m.rollout, expected.subarray(b * 16, (b + 1) * 16), 1e-6, `image ${b}`);
      expect([m.heatMap.rows, m.heatMap.cols]).toEqual([4, 4]);
      expect(Math.max(...m.heatMap.values)).toBe(1);
      expect(Math.min(...m.heatMap.values)).toBe(0);
      // The brightest cell is the patch with the largest rollout.
      expect(m.heatMap.values.indexOf(1)).toBe(m.rollout.indexOf(Math.max(...m.rollout)));
    });
  });
});
