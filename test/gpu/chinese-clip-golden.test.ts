// Chinese-CLIP on Dawn against ../shared/golden/chinese-clip, computed by Hugging Face transformers
// (ChineseCLIPModel), with the manifest's f32 tolerances. Every shape comes from the golden tensors.
import { describe, expect, it } from 'vitest';
import { ChineseClipModel } from '../../src/families/chinese-clip/model';
import { l2Normalize } from '../../src/nn/similarity';
import { encodeGoldenTexts, expectSimilarity, expectVisionTower } from '../helpers/golden-encoders';
import { goldenOnDawn } from '../helpers/golden-folder';

const suite = goldenOnDawn('chinese-clip', ChineseClipModel.load);
const { golden } = suite;

describe('Chinese-CLIP vision tower (CLIP ViT)', () => {
  it('matches last_hidden_state, pooler_output and image embeddings', () => expectVisionTower(suite.model, golden));
});

describe('Chinese-CLIP text tower (post-LN BERT, [CLS] projected)', () => {
  it('the golden texts are one sentence each (token_type_ids all 0) and padded (some mask is 0)', () => {
    expect(golden.ids('token_type_ids', 'inputs').every((t) => t === 0)).toBe(true);
    expect(golden.ids('attention_mask', 'inputs').some((m) => m === 0)).toBe(true);
  });

  it('matches last_hidden_state (padding mask) and the text embeddings', async () => {
    const out = await encodeGoldenTexts(suite.model, golden, { hiddenStates: true });
    // Padded rows attend to the real tokens only, so every row is deterministic and compared.
    golden.expectOutput(out.lastHiddenState, 'text_last_hidden_state', 'hidden');
    golden.expectOutput(out.embeds, 'text_embeds_unnormalized', 'hidden');
    golden.expectOutput(l2Normalize(out.embeds, golden.shape('text_embeds').at(-1)!), 'text_embeds', 'hidden');
  });
});

describe('Chinese-CLIP similarity', () => {
  it('matches logits_per_image and logit_scale', () => expectSimilarity(suite.model, golden));
});
