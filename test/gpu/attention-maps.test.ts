// Attention maps on Dawn against ../shared/golden/*/attentions.safetensors (transformers 4.57.6
// output_attentions=True, eager, f32). Tolerance for every probability, rollout and per-token map:
// atol 1e-5, rtol 0 (the golden README's suggestion). Also: with maps off, the forward records exactly
// the dispatches it did before (no attentionProbs), and with maps on, only one attentionProbs per layer asked.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Recorder } from '../../src/gpu/recorder';
import { parsePreprocessorConfig } from '../../src/image/preprocess';
import type { RgbaImage } from '../../src/image/rgba-image';
import { AttentionCapture, attentionRollout, type AttentionProbs } from '../../src/nn/attention-maps';
import { ClipModel } from '../../src/families/clip/model';
import { GitModel } from '../../src/families/git/model';
import { gitCaptionModel } from '../../src/families/git';
import { vitGpt2CaptionModel } from '../../src/families/vit-gpt2';
import { VitGpt2Model } from '../../src/families/vit-gpt2/model';
import { Captioner } from '../../src/tasks/caption';
import { ZeroShotClassifier } from '../../src/tasks/zero-shot';
import type { ClipTokenizer, Tokenizer } from '../../src/tokenizers';
import { createDawnGpu, requireF16 } from '../helpers/dawn';
import { f32, goldenJson, goldenTensors, i64AsI32, type GoldenModel } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { allClose, maxAbs } from '../helpers/reference';
import { tensorOf, type GoldenTensor } from '../helpers/safetensors-node';

const ATOL = 1e-5;

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());
afterEach(() => { vi.restoreAllMocks(); });

function expectProbs(actual: AttentionProbs | undefined, golden: Map<string, GoldenTensor>, name: string) {
  const t = golden.get(name);
  if (!t || t.dtype !== 'F32') throw new Error(`golden ${name} missing`);
  expect(actual, name).toBeDefined();
  expect([actual!.batch, actual!.heads, actual!.queryLen, actual!.keyLen], `${name} shape`).toEqual(t.shape);
  expectClose(actual!.data, t.data, name);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  const c = allClose(actual, expected, ATOL, 0);
  expect(c.ok, `${what}: ${c.detail}`).toBe(true);
  expect(maxAbs(expected), `${what}: reference is all zeros`).toBeGreaterThan(10 * ATOL);
}

/** Rows [from, to) × columns [c0, c1) of every head of a [1, heads, q, k] tensor, as [1, heads, to-from, c1-c0]. */
function block(p: AttentionProbs, from: number, to: number, c0: number, c1: number): Float32Array {
  const out: number[] = [];
  for (let h = 0; h < p.heads; h++) {
    for (let i = from; i < to; i++) {
      const row = (h * p.queryLen + i) * p.keyLen;
      out.push(...p.data.subarray(row + c0, row + c1));
    }
  }
  return Float32Array.from(out);
}

/** Golden [1, heads, rows, cols] generated rows averaged over heads: row r, columns [c0, cols). */
function goldenHeadMean(t: Float32Array, heads: number, rows: number, cols: number, r: number, c0: number): number[] {
  return Array.from({ length: cols - c0 }, (_, j) => {
    let sum = 0;
    for (let h = 0; h < heads; h++) sum += t[(h * rows + r) * cols + c0 + j]!;
    return sum / heads;
  });
}

/** The shader names of every dispatch recorded while `run` runs. */
async function dispatchesOf(run: () => Promise<unknown>): Promise<string[]> {
  const names: string[] = [];
  const original = Recorder.prototype.dispatch;
  const spy = vi.spyOn(Recorder.prototype, 'dispatch').mockImplementation(function (this: Recorder, d) {
    names.push(d.shader.name);
    original.call(this, d);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return names;
}

/** Maps off = exactly the plain dispatches; maps on = the same plus one attentionProbs per layer asked. */
function expectOnlyProbsAdded(plain: string[], withMaps: string[], probsExpected: number) {
  expect(plain.length).toBeGreaterThan(0);
  expect(plain).not.toContain('attentionProbs');
  expect(withMaps.filter((n) => n === 'attentionProbs')).toHaveLength(probsExpected);
  expect(withMaps.filter((n) => n !== 'attentionProbs')).toEqual(plain);
}

/** The golden NHWC RGB uint8 image b as an RgbaImage. */
function goldenImage(model: GoldenModel, b: number): RgbaImage {
  const t = tensorOf(goldenTensors(model, 'inputs'), 'image_uint8', 'U8');
  const [, h, w] = t.shape as [number, number, number, number];
  const rgb = t.data.subarray(b * h * w * 3, (b + 1) * h * w * 3);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, 255], i * 4);
  return { width: w, height: h, data };
}

/** Captioning needs only decode from a tokenizer here (the golden models have no vocabulary). */
const idTokenizer: Tokenizer = {
  vocabSize: 1000, bosId: 0, eosId: 0, padId: 0,
  encode: () => [],
  decode: (ids) => Array.from(ids).join(' '),
  idToToken: (id) => String(id),
  tokenToId: (token) => Number(token),
};

function captionerFor(model: GoldenModel, captionModel: ConstructorParameters<typeof Captioner>[0]) {
  const { mean, std } = goldenJson<{ files: Array<{ path: string; notes?: { normalization: { mean: number[]; std: number[] } } }> }>(model, 'manifest.json')
    .files.find((f) => f.path === 'inputs.safetensors')!.notes!.normalization;
  // The golden images are already 32×32: normalisation only.
  const preprocess = parsePreprocessorConfig({ do_resize: false, do_center_crop: false, image_mean: mean, image_std: std }, 'CLIPImageProcessor');
  return new Captioner(captionModel, idTokenizer, preprocess, goldenJson(model, 'generation_config.json'));
}

describe('CLIP attention maps (golden/clip)', () => {
  const inputs = goldenTensors('clip', 'inputs');
  const attentions = goldenTensors('clip', 'attentions');
  let model: ClipModel;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'clip');
    model = ClipModel.load(params, config);
  });

  it('vision_attentions.{0,1} and the rollout; embeddings identical with maps on', async () => {
    const pixels = f32(inputs, 'pixel_values');
    const plain = await model.encodeImages(pixels, 2);
    const out = await model.encodeImages(pixels, 2, { attentions: { layers: 'all' } });
    expect(plain.attentions).toBeUndefined();
    expect(out.attentions!.map((a) => a.layer)).toEqual([0, 1]);
    expectProbs(out.attentions![0], attentions, 'vision_attentions.0');
    expectProbs(out.attentions![1], attentions, 'vision_attentions.1');
    expectClose(attentionRollout(out.attentions!), f32(attentions, 'vision_rollout'), 'vision_rollout');
    expect(Array.from(out.embeds)).toEqual(Array.from(plain.embeds));
  });

  it('text_attentions.{0,1} (causal + padding mask, padded rows included)', async () => {
    const out = await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), 3, 16, { attentions: { layers: [1, 0] } });
    expectProbs(out.attentions![0], attentions, 'text_attentions.0');
    expectProbs(out.attentions![1], attentions, 'text_attentions.1');
  });

  it('only the layers asked for: [-1] is the last layer', async () => {
    const out = await model.encodeImages(f32(inputs, 'pixel_values'), 2, { attentions: { layers: [-1] } });
    expect(out.attentions!.map((a) => a.layer)).toEqual([1]);
    expectProbs(out.attentions![0], attentions, 'vision_attentions.1');
    await expect(model.encodeImages(f32(inputs, 'pixel_values'), 2, { attentions: { layers: [2] } })).rejects.toThrow(/does not exist/);
  });

  it('dispatches: maps off records no attentionProbs; on adds exactly one per layer asked', async () => {
    const pixels = f32(inputs, 'pixel_values');
    const plain = await dispatchesOf(() => model.encodeImages(pixels, 2));
    expectOnlyProbsAdded(plain, await dispatchesOf(() => model.encodeImages(pixels, 2, { attentions: { layers: 'all' } })), 2);
    expectOnlyProbsAdded(plain, await dispatchesOf(() => model.encodeImages(pixels, 2, { attentions: { layers: [] } })), 0);
    const ids = i64AsI32(inputs, 'input_ids');
    const mask = i64AsI32(inputs, 'attention_mask');
    const plainText = await dispatchesOf(() => model.encodeTexts(ids, mask, 3, 16));
    expectOnlyProbsAdded(plainText, await dispatchesOf(() => model.encodeTexts(ids, mask, 3, 16, { attentions: { layers: [0] } })), 1);
  });
});

describe('attention maps with f16 matmul weights (golden/clip)', () => {
  it('capture works on the f16 path too (probabilities within the f16 tolerance 2e-2, rows sum to 1)', async (ctx) => {
    if (!gpu.features.f16) {
      if (requireF16) throw new Error('this adapter lacks shader-f16 but IRIS_REQUIRE_F16=1');
      ctx.skip();
    }
    const { params, config } = goldenParameters(gpu, 'clip', { matmulPrecision: 'f16' });
    const model = ClipModel.load(params, config);
    const out = await model.encodeImages(f32(goldenTensors('clip', 'inputs'), 'pixel_values'), 2, { attentions: { layers: 'all' } });
    const golden = goldenTensors('clip', 'attentions');
    out.attentions!.forEach((p, l) => {
      const c = allClose(p.data, f32(golden, `vision_attentions.${l}`), 2e-2, 0);
      expect(c.ok, `f16 vision_attentions.${l}: ${c.detail}`).toBe(true);
      for (let r = 0; r < p.data.length / 17; r++) expect(p.data.subarray(r * 17, (r + 1) * 17).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
  });
});

describe('ZeroShotClassifier.classifyWithAttention (golden/clip)', () => {
  const inputs = goldenTensors('clip', 'inputs');
  const outputs = goldenTensors('clip', 'outputs');
  const attentions = goldenTensors('clip', 'attentions');
  let classifier: ZeroShotClassifier;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'clip');
    // Labels "0", "1", "2" tokenize to the golden input_ids rows (the golden CLIP has no vocabulary).
    const ids = i64AsI32(inputs, 'input_ids');
    const mask = i64AsI32(inputs, 'attention_mask');
    const tokenizer = {
      encodeBatch: (texts: readonly string[]) => {
        const rows = texts.map(Number);
        return {
          inputIds: Int32Array.from(rows.flatMap((r) => Array.from(ids.subarray(r * 16, (r + 1) * 16)))),
          attentionMask: Uint8Array.from(rows.flatMap((r) => Array.from(mask.subarray(r * 16, (r + 1) * 16)))),
          batchSize: rows.length, sequenceLength: 16,
        };
      },
    } as unknown as ClipTokenizer;
    const preprocess = parsePreprocessorConfig({ do_resize: false, do_center_crop: false }, 'CLIPImageProcessor');
    classifier = new ZeroShotClassifier(ClipModel.load(params, config), tokenizer, preprocess);
  });

  it('ranks as classify does (golden logits_per_image) and returns each image\'s rollout heat map', async () => {
    const images = [goldenImage('clip', 0), goldenImage('clip', 1)];
    const labels = ['0', '1', '2'];
    const options = { templates: ['{label}'] };
    const plainDispatches = await dispatchesOf(() => classifier.classify(images, labels, options));
    expect(plainDispatches).not.toContain('attentionProbs');
    const ranked = await classifier.classify(images, labels, options);
    const result = await classifier.classifyWithAttention(images, labels, options);
    expect(result.ranked).toEqual(ranked);
    const logits = f32(outputs, 'logits_per_image');
    result.ranked.forEach((scores, b) => scores.forEach((s) => expect(s.logit).toBeCloseTo(logits[b * 3 + Number(s.label)]!, 3)));
    expect(result.attention).toHaveLength(2);
    result.attention.forEach((map, b) => {
      expectClose(map.rollout, f32(attentions, 'vision_rollout').subarray(b * 16, (b + 1) * 16), `rollout of image ${b}`);
      expect([map.heatMap.rows, map.heatMap.cols]).toEqual([4, 4]);
      expect(Math.min(...map.heatMap.values)).toBe(0);
      expect(Math.max(...map.heatMap.values)).toBe(1);
    });
  });
});

describe('GIT attention maps (golden/git)', () => {
  const inputs = goldenTensors('git', 'inputs');
  const outputs = goldenTensors('git', 'outputs');
  const attentions = goldenTensors('git', 'attentions');
  const P = 17;
  let model: GitModel;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'git');
    model = GitModel.load(params, config);
  });

  /** The teacher-forced pass of captioning-golden.test.ts, with optional captures. */
  async function teacherForced(vision?: AttentionCapture, text?: AttentionCapture): Promise<void> {
    const rec = new Recorder(gpu);
    const pixels = rec.upload(f32(inputs, 'pixel_values'), [2, 3, 32, 32], 'f32');
    const { encoderOutput, imageTokens } = model.encodeImage(rec, pixels, 2, vision);
    const cache = model.createCache(2, 7);
    const logits = model.step(rec, cache, { ids: i64AsI32(inputs, 'input_ids'), textMask: i64AsI32(inputs, 'attention_mask'), imageTokens, logits: 'all', attentions: text });
    rec.releaseAfterSubmit(encoderOutput, imageTokens, logits);
    await rec.submit();
    cache.release();
  }

  it('teacher-forced: vision_attentions.{0,1}, text_attentions.{0,1} (prefix + causal + padding) and the rollout', async () => {
    const vision = AttentionCapture.create({ layers: 'all' }, 2)!;
    const text = AttentionCapture.create({ layers: 'all' }, 2)!;
    await teacherForced(vision, text);
    const [v, t] = [await vision.results(), await text.results()];
    expectProbs(v[0], attentions, 'vision_attentions.0');
    expectProbs(v[1], attentions, 'vision_attentions.1');
    expectProbs(t[0], attentions, 'text_attentions.0');
    expectProbs(t[1], attentions, 'text_attentions.1');
    expectClose(attentionRollout(v), f32(attentions, 'vision_rollout'), 'vision_rollout');
  });

  it('attentionMaps over generated_ids: generated_text_to_image_last_layer (all 4 heads, 17 image columns)', async () => {
    const ids = Array.from(i64AsI32(outputs, 'generated_ids'));
    const pixels = f32(inputs, 'pixel_values').slice(0, 3 * 32 * 32);
    const maps = await model.attentionMaps(pixels, ids, { vision: { layers: 'all' }, text: { layers: [-1] } });
    expect(maps.text.map((a) => a.layer)).toEqual([1]);
    expect(maps.text[0]!.queryLen).toBe(P + ids.length);
    expectClose(block(maps.text[0]!, P, P + ids.length, 0, P), f32(attentions, 'generated_text_to_image_last_layer'), 'generated_text_to_image_last_layer');
    expectClose(attentionRollout(maps.vision), f32(attentions, 'vision_rollout').subarray(0, 16), 'vision_rollout[0]');
  });

  it('KV-cache decoding steps capture the same rows, one token at a time', async () => {
    const ids = Array.from(i64AsI32(outputs, 'generated_ids'));
    const golden = f32(attentions, 'generated_text_to_image_last_layer');
    const cache = model.createCache(1, ids.length);
    let imageTokens;
    for (let t = 0; t < ids.length; t++) {
      const rec = new Recorder(gpu);
      const capture = AttentionCapture.create({ layers: [-1] }, 2)!;
      if (t === 0) {
        const encoded = model.encodeImage(rec, rec.upload(f32(inputs, 'pixel_values').slice(0, 3 * 32 * 32), [1, 3, 32, 32], 'f32'), 1);
        rec.releaseAfterSubmit(encoded.encoderOutput);
        imageTokens = encoded.imageTokens;
      }
      const logits = model.step(rec, cache, { ids: Int32Array.of(ids[t]!), imageTokens: t === 0 ? imageTokens : undefined, logits: 'last', attentions: capture });
      rec.releaseAfterSubmit(logits);
      await rec.submit();
      const [p] = await capture.results();
      const row = t === 0 ? P : 0; // the first step's queries are the 17 image tokens, then the prompt
      expect(p!.keyLen).toBe(P + t + 1);
      const expected = Float32Array.from({ length: 4 * P }, (_, i) => golden[(Math.floor(i / P) * ids.length + t) * P + (i % P)]!);
      expectClose(block(p!, row, row + 1, 0, P), expected, `step ${t}`);
    }
    imageTokens!.release();
    cache.release();
  });

  it('Captioner: tokenAttentions per generated token = mean over heads of the golden rows (patch columns)', async () => {
    const captioner = captionerFor('git', gitCaptionModel(model));
    const plain = await captioner.caption(goldenImage('git', 0), { maxNewTokens: 8, numBeams: 1 });
    expect(plain.tokenAttentions).toBeUndefined();
    const result = await captioner.caption(goldenImage('git', 0), { maxNewTokens: 8, numBeams: 1, attentionMaps: true });
    const ids = Array.from(i64AsI32(outputs, 'generated_ids'));
    expect(result.ids).toEqual(ids);
    expect(result.tokenAttentions).toHaveLength(8);
    expect(result.promptAttentions).toHaveLength(1);
    const golden = f32(attentions, 'generated_text_to_image_last_layer');
    [...result.promptAttentions!, ...result.tokenAttentions!].forEach((row, r) => {
      expect(row).toHaveLength(16);
      expectClose(row, goldenHeadMean(golden, 4, ids.length, P, r, 1), `position ${r}`);
    });
    expectClose(result.imageRollout!, f32(attentions, 'vision_rollout').subarray(0, 16), 'imageRollout');
  });

  it('dispatches: encodeImage and step record no attentionProbs unless asked', async () => {
    const plain = await dispatchesOf(() => teacherForced());
    expectOnlyProbsAdded(plain, await dispatchesOf(() => teacherForced(AttentionCapture.create({ layers: 'all' }, 2), AttentionCapture.create({ layers: [-1] }, 2))), 3);
    expectOnlyProbsAdded(plain, await dispatchesOf(() => teacherForced(undefined, AttentionCapture.create({ layers: [] }, 2))), 0);
  });
});

describe('ViT-GPT2 attention maps (golden/vit-gpt2)', () => {
  const inputs = goldenTensors('vit-gpt2', 'inputs');
  const outputs = goldenTensors('vit-gpt2', 'outputs');
  const attentions = goldenTensors('vit-gpt2', 'attentions');
  let model: VitGpt2Model;
  beforeAll(() => {
    const { params, config } = goldenParameters(gpu, 'vit-gpt2');
    model = VitGpt2Model.load(params, config);
  });

  async function teacherForced(encoder?: AttentionCapture, decoder?: AttentionCapture, cross?: AttentionCapture): Promise<void> {
    const rec = new Recorder(gpu);
    const states = model.encodeImage(rec, rec.upload(f32(inputs, 'pixel_values'), [2, 3, 32, 32], 'f32'), 2, encoder);
    const memory = model.crossAttentionMemory(rec, states);
    const cache = model.createCache(2, 7);
    const logits = model.step(rec, cache, memory, {
      ids: i64AsI32(inputs, 'decoder_input_ids'), textMask: i64AsI32(inputs, 'decoder_attention_mask'), logits: 'all',
      attentions: decoder, crossAttentions: cross,
    });
    rec.releaseAfterSubmit(states, logits);
    await rec.submit();
    cache.release();
    memory.release();
  }

  it('teacher-forced: encoder_attentions, decoder_attentions, cross_attentions (layers 0, 1) and the rollout', async () => {
    const [encoder, decoder, cross] = [0, 1, 2].map(() => AttentionCapture.create({ layers: 'all' }, 2)!) as [AttentionCapture, AttentionCapture, AttentionCapture];
    await teacherForced(encoder, decoder, cross);
    const [e, d, c] = [await encoder.results(), await decoder.results(), await cross.results()];
    for (const l of [0, 1]) {
      expectProbs(e[l], attentions, `encoder_attentions.${l}`);
      expectProbs(d[l], attentions, `decoder_attentions.${l}`);
      expectProbs(c[l], attentions, `cross_attentions.${l}`);
    }
    expectClose(attentionRollout(e), f32(attentions, 'encoder_rollout'), 'encoder_rollout');
  });

  it('attentionMaps over generated_ids: generated_cross_attention_last_layer', async () => {
    const ids = Array.from(i64AsI32(outputs, 'generated_ids'));
    const maps = await model.attentionMaps(f32(inputs, 'pixel_values').slice(0, 3 * 32 * 32), ids, { encoder: { layers: 'all' }, cross: { layers: [-1] } });
    expect(maps.decoder).toEqual([]);
    expectProbs(maps.cross[0], attentions, 'generated_cross_attention_last_layer');
    expectClose(attentionRollout(maps.encoder), f32(attentions, 'encoder_rollout').subarray(0, 16), 'encoder_rollout[0]');
  });

  it('KV-cache decoding steps capture the same cross-attention rows, one token at a time', async () => {
    const ids = Array.from(i64AsI32(outputs, 'generated_ids'));
    const golden = f32(attentions, 'generated_cross_attention_last_layer');
    const setup = new Recorder(gpu);
    const states = model.encodeImage(setup, setup.upload(f32(inputs, 'pixel_values').slice(0, 3 * 32 * 32), [1, 3, 32, 32], 'f32'), 1);
    const memory = model.crossAttentionMemory(setup, states);
    setup.releaseAfterSubmit(states);
    await setup.submit();
    const cache = model.createCache(1, ids.length);
    for (let t = 0; t < ids.length; t++) {
      const rec = new Recorder(gpu);
      const cross = AttentionCapture.create({ layers: [-1] }, 2)!;
      rec.releaseAfterSubmit(model.step(rec, cache, memory, { ids: Int32Array.of(ids[t]!), logits: 'last', crossAttentions: cross }));
      await rec.submit();
      const [p] = await cross.results();
      const expected = Float32Array.from({ length: 4 * 17 }, (_, i) => golden[(Math.floor(i / 17) * ids.length + t) * 17 + (i % 17)]!);
      expectClose(p!.data, expected, `step ${t}`);
    }
    cache.release();
    memory.release();
  });

  it('Captioner: tokenAttentions per generated token = mean over heads of the golden cross-attention rows', async () => {
    const captioner = captionerFor('vit-gpt2', vitGpt2CaptionModel(model));
    const result = await captioner.caption(goldenImage('vit-gpt2', 0), { maxNewTokens: 8, numBeams: 1, attentionMaps: { layer: 1 } });
    const ids = Array.from(i64AsI32(outputs, 'generated_ids'));
    expect(result.ids).toEqual(ids);
    const golden = f32(attentions, 'generated_cross_attention_last_layer');
    expect(result.tokenAttentions).toHaveLength(8);
    [...result.promptAttentions!, ...result.tokenAttentions!].forEach((row, r) => {
      expectClose(row, goldenHeadMean(golden, 4, ids.length, 17, r, 1), `position ${r}`);
    });
    expectClose(result.imageRollout!, f32(attentions, 'encoder_rollout').subarray(0, 16), 'imageRollout');
  });

  it('dispatches: encoder and decoder steps record no attentionProbs unless asked', async () => {
    const plain = await dispatchesOf(() => teacherForced());
    const some = await dispatchesOf(() => teacherForced(undefined, AttentionCapture.create({ layers: [0] }, 2), AttentionCapture.create({ layers: 'all' }, 2)));
    expectOnlyProbsAdded(plain, some, 3);
  });
});
