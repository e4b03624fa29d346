// The f16 path (matmul weights stored as f16 on a shader-f16 device, f32 accumulation) against
// ../shared/golden with the manifest's f16 tolerances (atol/rtol 2e-2, logits 5e-2) plus per-row cosine
// similarity > 0.999. Runs on lavapipe (the only f16 adapter here); CI requires it (IRIS_REQUIRE_F16=1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { ChineseClipModel } from '../../src/families/chinese-clip/model';
import { ClipModel } from '../../src/families/clip/model';
import { GitModel } from '../../src/families/git/model';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { createDawnGpu } from '../helpers/dawn';
import { needF16 } from '../helpers/f16';
import { goldenTensors, shapeOf } from '../helpers/golden';
import { gitTeacherForced, vitGpt2TeacherForced } from '../helpers/golden-decoding';
import { encodeGoldenImages, encodeGoldenTexts, expectSimilarity } from '../helpers/golden-encoders';
import { f16Golden } from '../helpers/golden-folder';
import { goldenParameters } from '../helpers/golden-models';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

describe('f16 matmul weights vs golden', () => {
  it('CLIP: pooled outputs and embeddings of both towers', async (ctx) => {
    const f16 = f16Golden(gpu, () => ctx.skip(), 'clip', ClipModel.load);
    if (!f16) return;
    const { model, golden } = f16;
    const image = await encodeGoldenImages(model, golden);
    const text = await encodeGoldenTexts(model, golden);
    // Rows compared by cosine too: each golden tensor's last axis.
    golden.expectOutput(image.pooled, 'vision_pooler_output', 'hidden');
    golden.expectOutput(image.embeds, 'image_embeds_unnormalized', 'hidden');
    golden.expectOutput(text.pooled, 'text_pooler_output', 'hidden');
    golden.expectOutput(text.embeds, 'text_embeds_unnormalized', 'hidden');
  });

  it('Chinese-CLIP: both towers and the logits', async (ctx) => {
    const f16 = f16Golden(gpu, () => ctx.skip(), 'chinese-clip', ChineseClipModel.load);
    if (!f16) return;
    const { model, golden } = f16;
    const image = await encodeGoldenImages(model, golden, { hiddenStates: true });
    const text = await encodeGoldenTexts(model, golden, { hiddenStates: true });
    golden.expectOutput(image.lastHiddenState, 'vision_last_hidden_state', 'hidden');
    golden.expectOutput(image.pooled, 'vision_pooler_output', 'hidden');
    golden.expectOutput(image.embeds, 'image_embeds_unnormalized', 'hidden');
    golden.expectOutput(text.lastHiddenState, 'text_last_hidden_state', 'hidden');
    golden.expectOutput(text.embeds, 'text_embeds_unnormalized', 'hidden');
    await expectSimilarity(model, golden, { image: image.embeds, text: text.embeds });
  });

  it('GIT: teacher-forced logits', async (ctx) => {
    const f16 = f16Golden(gpu, () => ctx.skip(), 'git', GitModel.load);
    if (!f16) return;
    const { logits } = await gitTeacherForced(gpu, f16.model, f16.golden);
    f16.golden.expectOutput(logits, 'logits', 'logits');
  });

  it('ViT-GPT2: teacher-forced logits', async (ctx) => {
    const f16 = f16Golden(gpu, () => ctx.skip(), 'vit-gpt2', VitGpt2Model.load);
    if (!f16) return;
    const { logits } = await vitGpt2TeacherForced(gpu, f16.model, f16.golden);
    f16.golden.expectOutput(logits, 'logits', 'logits');
  });

  it('the f16 path really stores f16 weights (half the bytes of f32)', async (ctx) => {
    if (!needF16(gpu, () => ctx.skip())) return;
    const shape = shapeOf(goldenTensors('clip', 'model'), 'visual_projection.weight');
    const before = gpu.bytesAllocated;
    goldenParameters(gpu, 'clip', { matmulPrecision: 'f32' }).params.upload('visual_projection.weight', shape, 'matmul');
    const f32Bytes = gpu.bytesAllocated - before;
    goldenParameters(gpu, 'clip', { matmulPrecision: 'f16' }).params.upload('visual_projection.weight', shape, 'matmul');
    expect(gpu.bytesAllocated - before - f32Bytes).toBe(f32Bytes / 2);
  });
});
