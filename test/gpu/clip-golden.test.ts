// CLIP on Dawn against ../shared/golden/clip, computed by Hugging Face transformers (f32 tolerances from
// its manifest: hidden states/embeddings atol 1e-4 rtol 1e-3, logits atol 5e-4 rtol 1e-3).
import { describe, expect, it } from 'vitest';
import { ClipModel } from '../../src/families/clip/model';
import { i64AsI32 } from '../helpers/golden';
import { encodeGoldenTexts, expectSimilarity, expectVisionTower } from '../helpers/golden-encoders';
import { goldenOnDawn } from '../helpers/golden-folder';

const suite = goldenOnDawn('clip', ClipModel.load);
const { golden } = suite;

describe('CLIP vision tower', () => {
  it('matches last_hidden_state, pooler_output and image embeddings', () => expectVisionTower(suite.model, golden));
});

describe('CLIP text tower', () => {
  it('matches last_hidden_state (causal + padding mask), pooled output at EOS and text embeddings', async () => {
    const out = await encodeGoldenTexts(suite.model, golden, { hiddenStates: true });
    expect(out.pooledPositions).toEqual(golden.ids('text_pooled_positions'));
    golden.expectOutput(out.lastHiddenState, 'text_last_hidden_state', 'hidden');
    golden.expectOutput(out.pooled, 'text_pooler_output', 'hidden');
    golden.expectOutput(out.embeds, 'text_embeds_unnormalized', 'hidden');
  });

  it('without an attention mask gives the input_ids-only variant', async () => {
    const ids = i64AsI32(golden.inputs, 'input_ids');
    const [texts, seq] = golden.shape('input_ids', 'inputs') as [number, number];
    const out = await suite.model.encodeTexts(ids, new Int32Array(ids.length).fill(1), texts, seq, { hiddenStates: true });
    golden.expectOutput(out.lastHiddenState, 'text_last_hidden_state_no_attention_mask', 'hidden');
  });
});

describe('CLIP similarity', () => {
  it('matches logits_per_image and logit_scale', () => expectSimilarity(suite.model, golden));
});
