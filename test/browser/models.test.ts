// CLIP, Chinese-CLIP, GIT and ViT-GPT2 in real headless Chromium (SwiftShader WebGPU) against ../shared/golden, each model
// loaded through the production download path: Hub (fetch from a local hub server, chunks in the page's
// IndexedDB) → parametersFrom → Model.load. Golden inputs go into the page as plain arrays; the page's outputs
// come back as plain arrays and are compared here at the manifest's f32 tolerances. CLIP and Chinese-CLIP run on
// the page thread and in a dedicated module Worker. (The full-size CLIP is in full-size-clip.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { f32, GOLDEN_DIR, goldenJson, range, shapeOf, type GoldenModel } from '../helpers/golden';
import { allImages, expectClose, expectGreedy, expectTeacherForced, firstImage, golden, ids, textInputs, useGoldenModelsPage, type RunArgs, type RunResult, type Where } from './models-page';
import type { ChineseClipResult, RunName } from './pages/model-runs';

const REPOS: Record<GoldenModel, string> = { clip: 'iris-test/tiny-clip', 'chinese-clip': 'iris-test/tiny-chinese-clip', git: 'iris-test/tiny-git', 'git-vqa': 'iris-test/tiny-git-vqa', 'vit-gpt2': 'iris-test/tiny-vit-gpt2' };

const models = useGoldenModelsPage(REPOS);
const { run, source } = models;

/** The model's weights really came over the network in this test: every byte of model.safetensors, once. */
function expectDownloaded(model: GoldenModel): void {
  const bytes = readFileSync(join(GOLDEN_DIR, model, 'model.safetensors')).length;
  expect(models.server.bytesServed('model.safetensors', REPOS[model])).toBe(bytes);
}

/** The runs whose result says where it ran. */
type ContextRun = { [K in RunName]: RunResult<K> extends { context: string } ? K : never }[RunName];

/**
 * Two tests of run `name`: on the page thread, then in the dedicated module Worker (with the worker's own device,
 * fetch and IndexedDB database, so a second real download). Each checks where it ran, that the weights came
 * over the network, and `expectOutputs`; the Worker one also that the page logged no errors.
 */
function onPageAndInWorker<K extends ContextRun>(model: GoldenModel, name: K, args: (db: string) => RunArgs<K>, expectOutputs: (out: RunResult<K>) => void, titles: Record<Where, string>): void {
  for (const where of ['page', 'worker'] as const) {
    it(titles[where], async () => {
      const out = await run(where, name, args(`iris-models-${where}`));
      expect(out.context).toBe(where);
      expectDownloaded(model);
      expectOutputs(out);
      if (where === 'worker') expect(models.browser.pageErrors).toEqual([]);
    });
  }
}

/** Row `row` of a row-major [rows, width] array. */
const row = (values: number[], r: number, width: number): number[] => values.slice(r * width, (r + 1) * width);

/** CLIP and Chinese-CLIP: the golden images and texts (with their mask) as run arguments. */
function dualEncoderArgs(model: GoldenModel, db: string): RunArgs<'clip'> {
  const { inputs } = golden(model);
  const [texts, seq] = shapeOf(inputs, 'input_ids') as [number, number];
  return { ...source(model, db), ...allImages(inputs), ...textInputs(inputs), texts, seq };
}

/** Result field → golden output, and the manifest tolerance it is held to. */
type Checks<R> = readonly (readonly [field: keyof R & string, tensor: string, tolerance: 'hidden' | 'logits'])[];

/** What both families' two towers give (Chinese-CLIP's text tower is a BERT pooled at [CLS], so no text pooler here). */
const DUAL_ENCODER_CHECKS: Checks<ChineseClipResult> = [
  ['visionLastHiddenState', 'vision_last_hidden_state', 'hidden'],
  ['visionPooled', 'vision_pooler_output', 'hidden'],
  ['imageEmbedsUnnormalized', 'image_embeds_unnormalized', 'hidden'],
  ['imageEmbeds', 'image_embeds', 'hidden'],
  ['textLastHiddenState', 'text_last_hidden_state', 'hidden'],
  ['textEmbedsUnnormalized', 'text_embeds_unnormalized', 'hidden'],
  ['textEmbeds', 'text_embeds', 'hidden'],
  ['logitsPerImage', 'logits_per_image', 'logits'],
];

/** Every check of `checks` against golden/`model`'s outputs, and the logit scale (the page returns exp of it). */
function expectDualEncoderOutputs<R extends ChineseClipResult>(model: GoldenModel, out: R, checks: Checks<R>): void {
  const { outputs, tol } = golden(model);
  for (const [field, tensor, t] of checks) expectClose(out[field] as number[], f32(outputs, tensor), tol[t], tensor);
  expect(Math.log(out.logitScale)).toBeCloseTo(f32(outputs, 'logit_scale')[0]!, 6);
}

describe('CLIP (golden/clip) in Chromium', () => {
  const { outputs } = golden('clip');
  onPageAndInWorker('clip', 'clip', (db) => dualEncoderArgs('clip', db), (out) => {
    console.log(`CLIP (${out.context}): adapter ${out.adapter}, shader-f16 ${out.f16}`);
    expectDualEncoderOutputs('clip', out, [
      ...DUAL_ENCODER_CHECKS,
      ['textPooled', 'text_pooler_output', 'hidden'],
      ['textLastHiddenStateNoMask', 'text_last_hidden_state_no_attention_mask', 'hidden'],
      ['textPooledNoMask', 'text_pooler_output_no_attention_mask', 'hidden'],
      ['logitsPerText', 'logits_per_text', 'logits'],
    ]);
    expect(out.textPooledPositions).toEqual(ids(outputs, 'text_pooled_positions'));
  }, {
    page: 'page thread: both towers (hidden states, pooled, embeddings; text with and without the mask) and logits',
    worker: 'dedicated module Worker: the same checks, with the worker’s own device, fetch and IndexedDB',
  });
});

describe('Chinese-CLIP (golden/chinese-clip) in Chromium', () => {
  onPageAndInWorker('chinese-clip', 'chineseClip', (db) => dualEncoderArgs('chinese-clip', db), (out) => expectDualEncoderOutputs('chinese-clip', out, DUAL_ENCODER_CHECKS), {
    page: 'page thread: both towers (hidden states, pooled, embeddings) and logits',
    worker: 'dedicated module Worker: the same checks',
  });
});

/**
 * Greedy decoding with the KV cache against one no-cache forward over the sequence it produced: the golden ids,
 * the full logits, and step t's logits equal to the full row of the position before the token it chose (after
 * `imageTokens` image positions, if the decoder takes the image as tokens, and the `prompt`).
 */
function expectCacheMatchesFull(out: RunResult<'gitCacheVsFull'>, model: GoldenModel, imageTokens: number, promptLength: number): void {
  const { outputs, tol } = golden(model);
  const generated = ids(outputs, 'generated_ids');
  const V = shapeOf(outputs, 'logits').at(-1)!;
  expect(out.ids).toEqual(generated);
  expect(out.fullShape).toEqual([1, imageTokens + generated.length, V]);
  expectClose(out.full, f32(outputs, 'generated_full_logits'), tol.logits, 'generated_full_logits');
  for (const t of range(generated.length - promptLength)) {
    const at = imageTokens + promptLength - 1 + t;
    expectClose(row(out.stepLogits, t, V), row(out.full, at, V), { atol: 1e-4, rtol: 1e-4 }, `cache step ${t} vs full row ${at}`);
  }
}

describe('GIT (golden/git) in Chromium', () => {
  const { inputs, outputs, tol } = golden('git');
  const generated = ids(outputs, 'generated_ids');
  const prompt = ids(inputs, 'generate_input_ids');
  // Greedy steps: the golden sequence's new tokens (it stopped there, at EOS or at its max_new_tokens).
  const onFirstImage = () => ({ ...source('git', 'iris-models-page'), ...firstImage(inputs), maxNewTokens: generated.length - prompt.length });

  it('teacher-forced: image encoder, projected visual features and logits of every position', async () => {
    const out = await run('page', 'gitTeacherForced', { ...source('git', 'iris-models-page'), ...allImages(inputs), ...textInputs(inputs) });
    expectDownloaded('git');
    expectTeacherForced(out, outputs, tol, 'image_encoder_last_hidden_state', 'projected_visual_features');
  });

  it('greedy generation (CaptionSession over GitModel + generate) equals generated_ids exactly; per-step logits in tolerance', async () => {
    expect(prompt).toEqual([goldenJson<{ bos_token_id: number }>('git', 'config.json').bos_token_id]); // the page prompts with [CLS]
    expectGreedy(await run('page', 'gitGenerate', onFirstImage()), outputs, tol);
  });

  it('KV-cache steps give the same logits as one full no-cache forward over the generated sequence', async () => {
    const imageTokens = shapeOf(outputs, 'projected_visual_features')[1]!;
    expectCacheMatchesFull(await run('page', 'gitCacheVsFull', onFirstImage()), 'git', imageTokens, prompt.length);
  });
});

describe('GIT VQA (golden/git-vqa) in Chromium, page and Worker', () => {
  const { inputs, outputs, tol } = golden('git-vqa');
  const questionIds = ids(inputs, 'question_input_ids');
  const generated = ids(outputs, 'generated_ids');
  const args = (db: string) => ({ ...source('git-vqa', db), ...firstImage(inputs), questionIds, maxNewTokens: generated.length - questionIds.length });

  onPageAndInWorker('git-vqa', 'gitVqa', args, (out) => {
    // The answer continues the question: generated_ids is the prompt, then the answer, exactly.
    expectGreedy(out, outputs, tol);
    expect(out.fullShape).toEqual(shapeOf(outputs, 'generated_full_logits'));
    expectClose(out.full, f32(outputs, 'generated_full_logits'), tol.logits, 'generated_full_logits');
  }, {
    page: 'page thread: greedy answer ids exact, per-step and teacher-forced logits in tolerance',
    worker: 'dedicated module Worker: the same checks',
  });
});

describe('ViT-GPT2 (golden/vit-gpt2) in Chromium', () => {
  const { inputs, outputs, tol } = golden('vit-gpt2');
  const generated = ids(outputs, 'generated_ids');
  const promptLength = 1; // the decoder start token, the page's prompt
  const onFirstImage = () => ({ ...source('vit-gpt2', 'iris-models-page'), ...firstImage(inputs), maxNewTokens: generated.length - promptLength });

  it('teacher-forced: encoder last_hidden_state and decoder logits', async () => {
    const out = await run('page', 'vitGpt2TeacherForced', { ...source('vit-gpt2', 'iris-models-page'), ...allImages(inputs), ...textInputs(inputs, 'decoder_input_ids', 'decoder_attention_mask') });
    expectDownloaded('vit-gpt2');
    expectTeacherForced(out, outputs, tol, 'encoder_last_hidden_state');
  });

  it('greedy generation (CaptionSession over VitGpt2Model + generate) equals generated_ids exactly; per-step logits in tolerance', async () => {
    expectGreedy(await run('page', 'vitGpt2Generate', onFirstImage()), outputs, tol);
  });

  it('KV-cache steps give the same logits as one full no-cache forward over the generated sequence', async () => {
    // The decoder cross-attends to the image: no image positions in its sequence.
    expectCacheMatchesFull(await run('page', 'vitGpt2CacheVsFull', onFirstImage()), 'vit-gpt2', 0, promptLength);
  });
});
