// Activation lifetimes: the forward passes free what they make (Gpu.scope), so after whole requests (caption
// sessions with greedy and beam search, attention maps, both CLIP towers) every pooled buffer is back in the
// pool: trimming it leaves no bytes. A scope that kept a temporary, or a result that escaped no scope, shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitCaptionModel } from '../../src/families/git';
import { GitModel } from '../../src/families/git/model';
import { ClipModel } from '../../src/families/clip/model';
import { vitGpt2CaptionModel } from '../../src/families/vit-gpt2';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import type { Gpu } from '../../src/gpu/gpu';
import { CaptionSession } from '../../src/nn/caption-session';
import { generate, type GenerationOptions } from '../../src/nn/generate';
import type { CaptionModel } from '../../src/tasks/caption';
import { createDawnGpu } from '../helpers/dawn';
import { f32, f32Row, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

/** Pooled bytes still held by someone: trim() destroys only the free buffers. */
function heldPoolBytes(): number {
  gpu.pool.trim();
  return gpu.pool.bytesAllocated;
}

const decoding = (numBeams: number, maxNewTokens: number, eos: number): GenerationOptions => ({
  maxNewTokens, numBeams, minLength: 0, lengthPenalty: 1, earlyStopping: false, noRepeatNgramSize: 0, repetitionPenalty: 1, eosTokenIds: [eos],
});

const captioners: Array<[string, () => CaptionModel]> = [
  ['git', () => { const { params, config } = goldenParameters(gpu, 'git'); return gitCaptionModel(GitModel.load(params, config)); }],
  ['vit-gpt2', () => { const { params, config } = goldenParameters(gpu, 'vit-gpt2'); return vitGpt2CaptionModel(VitGpt2Model.load(params, config)); }],
];

describe('activations are freed', () => {
  for (const [name, load] of captioners) {
    it(`${name}: caption sessions (greedy, beam search) and attention maps hold no pooled buffer afterwards`, async () => {
      const model = load();
      const inputs = goldenTensors(name, 'inputs');
      const generated = Array.from(i64AsI32(goldenTensors(name, 'outputs'), 'generated_ids'));
      const pixels = f32Row(inputs, 'pixel_values', 0);
      const newTokens = generated.length - model.prompt.length;
      expect(heldPoolBytes()).toBe(0);
      for (const beams of [1, 2]) {
        const session = new CaptionSession(model.decoder, pixels, generated.length);
        const result = await generate(session, [...model.prompt], decoding(beams, newTokens, model.eosTokenId));
        session.dispose();
        expect(result.ids.slice(0, model.prompt.length)).toEqual(model.prompt);
      }
      expect(gpu.pool.bytesAllocated, 'the passes used pooled activations').toBeGreaterThan(0);
      const maps = await model.attention(pixels, generated, -1);
      expect(maps.positions).toHaveLength(generated.length);
      expect(heldPoolBytes()).toBe(0);
    });
  }

  it('clip: both towers hold no pooled buffer afterwards', async () => {
    const { params, config } = goldenParameters(gpu, 'clip');
    const model = ClipModel.load(params, config);
    const inputs = goldenTensors('clip', 'inputs');
    const [images] = shapeOf(inputs, 'pixel_values');
    const [texts, seq] = shapeOf(inputs, 'input_ids');
    expect(heldPoolBytes()).toBe(0);
    await model.encodeImages(f32(inputs, 'pixel_values'), images!, { attentions: { layers: 'all' } });
    await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), texts!, seq!);
    expect(gpu.pool.bytesAllocated).toBeGreaterThan(0);
    expect(heldPoolBytes()).toBe(0);
  });
});
