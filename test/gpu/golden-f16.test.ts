// The f16 path (matmul weights stored as f16 on a shader-f16 device, f32 accumulation) against
// ../shared/golden with the manifest's f16 tolerances (atol/rtol 2e-2, logits 5e-2) plus per-row cosine
// similarity > 0.999. Runs on lavapipe (the only f16 adapter here); CI requires it (IRIS_REQUIRE_F16=1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { ChineseClipModel } from '../../src/families/chinese-clip/model';
import { ClipModel } from '../../src/families/clip/model';
import { GitModel } from '../../src/families/git/model';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { createDawnGpu } from '../helpers/dawn';
import { expectF16Close, f16Tolerances, needF16 } from '../helpers/f16';
import { f32, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { similarityLogits } from '../../src/nn/similarity';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

describe('f16 matmul weights vs golden', () => {
  it('CLIP: pooled outputs and embeddings of both towers', async (ctx) => {
    if (!needF16(gpu, () => ctx.skip())) return;
    const { params, config } = goldenParameters(gpu, 'clip', { matmulPrecision: 'f16' });
    const model = ClipModel.load(params, config);
    const inputs = goldenTensors('clip', 'inputs');
    const outputs = goldenTensors('clip', 'outputs');
    const t = f16Tolerances('clip');
    const [texts, seq] = shapeOf(inputs, 'input_ids') as [number, number];
    const image = await model.encodeImages(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values')[0]!);
    const text = await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), texts, seq);
    // Rows compared by cosine too: each golden tensor's last axis.
    const cols = (name: string) => shapeOf(outputs, name).at(-1)!;
    expectF16Close(image.pooled, f32(outputs, 'vision_pooler_output'), cols('vision_pooler_output'), t.hidden, 'vision_pooler_output');
    expectF16Close(image.embeds, f32(outputs, 'image_embeds_unnormalized'), cols('image_embeds_unnormalized'), t.hidden, 'image_embeds');
    expectF16Close(text.pooled, f32(outputs, 'text_pooler_output'), cols('text_pooler_output'), t.hidden, 'text_pooler_output');
    expectF16Close(text.embeds, f32(outputs, 'text_embeds_unnormalized'), cols('text_embeds_unnormalized'), t.hidden, 'text_embeds');
  });

  it('Chinese-CLIP: both towers and the logits', async (ctx) => {
    if (!needF16(gpu, () => ctx.skip())) return;
    const { params, config } = goldenParameters(gpu, 'chinese-clip', { matmulPrecision: 'f16' });
    const model = ChineseClipModel.load(params, config);
    const inputs = goldenTensors('chinese-clip', 'inputs');
    const outputs = goldenTensors('chinese-clip', 'outputs');
    const t = f16Tolerances('chinese-clip');
    const [texts, seq] = shapeOf(inputs, 'input_ids') as [number, number];
    const image = await model.encodeImages(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values')[0]!, { hiddenStates: true });
    const text = await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), texts, seq, { hiddenStates: true });
    const cols = (name: string) => shapeOf(outputs, name).at(-1)!;
    expectF16Close(image.lastHiddenState!, f32(outputs, 'vision_last_hidden_state'), cols('vision_last_hidden_state'), t.hidden, 'vision_last_hidden_state');
    expectF16Close(image.pooled, f32(outputs, 'vision_pooler_output'), cols('vision_pooler_output'), t.hidden, 'vision_pooler_output');
    expectF16Close(image.embeds, f32(outputs, 'image_embeds_unnormalized'), cols('image_embeds_unnormalized'), t.hidden, 'image_embeds');
    expectF16Close(text.lastHiddenState!, f32(outputs, 'text_last_hidden_state'), cols('text_last_hidden_state'), t.hidden, 'text_last_hidden_state');
    expectF16Close(text.embeds, f32(outputs, 'text_embeds_unnormalized'), cols('text_embeds_unnormalized'), t.hidden, 'text_embeds');
    const dim = cols('image_embeds');
    const logits = similarityLogits(image.embeds, text.embeds, dim, model.logitScale);
    expectF16Close(logits, f32(outputs, 'logits_per_image'), cols('logits_per_image'), t.logits, 'logits_per_image');
  });

  it('GIT: teacher-forced logits', async (ctx) => {
    if (!needF16(gpu, () => ctx.skip())) return;
    const { params, config } = goldenParameters(gpu, 'git', { matmulPrecision: 'f16' });
    const model = GitModel.load(params, config);
    const inputs = goldenTensors('git', 'inputs');
    const rec = new Recorder(gpu);
    const [batch, textTokens] = shapeOf(inputs, 'input_ids') as [number, number];
    const { imageTokens } = model.encodeImage(rec, rec.upload(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values'), 'f32'), batch);
    const cache = model.createCache(batch, textTokens);
    const logits = model.step(rec, cache, { ids: i64AsI32(inputs, 'input_ids'), textMask: i64AsI32(inputs, 'attention_mask'), imageTokens, logits: 'all' });
    const read = rec.read(logits);
    await rec.submit();
    cache.release();
    const outputs = goldenTensors('git', 'outputs');
    expectF16Close(await read, f32(outputs, 'logits'), shapeOf(outputs, 'logits').at(-1)!, f16Tolerances('git').logits, 'logits');
  });

  it('ViT-GPT2: teacher-forced logits', async (ctx) => {
    if (!needF16(gpu, () => ctx.skip())) return;
    const { params, config } = goldenParameters(gpu, 'vit-gpt2', { matmulPrecision: 'f16' });
    const model = VitGpt2Model.load(params, config);
    const inputs = goldenTensors('vit-gpt2', 'inputs');
    const rec = new Recorder(gpu);
    const [batch, textTokens] = shapeOf(inputs, 'decoder_input_ids') as [number, number];
    const states = model.encodeImage(rec, rec.upload(f32(inputs, 'pixel_values'), shapeOf(inputs, 'pixel_values'), 'f32'), batch);
    const memory = model.crossAttentionMemory(rec, states);
    const cache = model.createCache(batch, textTokens);
    const logits = model.step(rec, cache, memory, { ids: i64AsI32(inputs, 'decoder_input_ids'), textMask: i64AsI32(inputs, 'decoder_attention_mask'), logits: 'all' });
    const read = rec.read(logits);
    await rec.submit();
    cache.release();
    memory.release();
    const outputs = goldenTensors('vit-gpt2', 'outputs');
    expectF16Close(await read, f32(outputs, 'logits'), shapeOf(outputs, 'logits').at(-1)!, f16Tolerances('vit-gpt2').logits, 'logits');
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
