// CLIP, Chinese-CLIP, GIT and ViT-GPT2 in real headless Chromium (SwiftShader WebGPU) against ../shared/golden, each model
// loaded through the production download path: Hub (fetch from a local hub server, chunks in the page's
// IndexedDB) → parametersFrom → Model.load. Golden inputs go into the page as plain arrays; the page's outputs
// come back as plain arrays and are compared here at the manifest's f32 tolerances. CLIP and Chinese-CLIP run on
// the page thread and in a dedicated module Worker. (The full-size CLIP is in full-size-clip.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { f32, f32Row, f32Tolerances, GOLDEN_DIR, goldenJson, goldenTensors, i64AsI32, range, shapeOf, type GoldenModel } from '../helpers/golden';
import { HubServer } from '../helpers/hub-server';
import { allClose } from '../helpers/reference';
import type { Browser } from './chromium';
import { openModelsPage, runModel, type RunArgs, type RunResult } from './models-page';
import type { ModelSource, RunName } from './pages/model-runs';

const REPOS: Record<GoldenModel, string> = { clip: 'iris-test/tiny-clip', 'chinese-clip': 'iris-test/tiny-chinese-clip', git: 'iris-test/tiny-git', 'git-vqa': 'iris-test/tiny-git-vqa', 'vit-gpt2': 'iris-test/tiny-vit-gpt2' };

let browser: Browser;
let server: HubServer;
beforeAll(async () => {
  server = await HubServer.start({ repos: Object.fromEntries(Object.entries(REPOS).map(([folder, repo]) => [repo, folder])) });
  browser = await openModelsPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(() => server.resetLog());

const run = <K extends RunName>(where: 'page' | 'worker', name: K, args: RunArgs<K>): Promise<RunResult<K>> => runModel(browser, where, name, args);

const source = (model: GoldenModel, db: string): ModelSource => ({ baseUrl: server.url, repo: REPOS[model], db });

function expectClose(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>, t: { atol: number; rtol: number }, what: string): void {
  expect(actual, what).toBeDefined();
  const check = allClose(actual!, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

/** The model's weights really came over the network in this test: every byte of model.safetensors, once. */
function expectDownloaded(model: GoldenModel): void {
  const bytes = readFileSync(join(GOLDEN_DIR, model, 'model.safetensors')).length;
  expect(server.bytesServed('model.safetensors', REPOS[model])).toBe(bytes);
}

/** Row `row` of a row-major [rows, width] array. */
const row = (values: number[], r: number, width: number): number[] => values.slice(r * width, (r + 1) * width);

describe('CLIP (golden/clip) in Chromium', () => {
  const inputs = goldenTensors('clip', 'inputs');
  const outputs = goldenTensors('clip', 'outputs');
  const tol = f32Tolerances('clip');
  const args = (db: string) => ({
    ...source('clip', db),
    pixelValues: Array.from(f32(inputs, 'pixel_values')), images: shapeOf(inputs, 'pixel_values')[0]!,
    inputIds: Array.from(i64AsI32(inputs, 'input_ids')), attentionMask: Array.from(i64AsI32(inputs, 'attention_mask')),
    texts: shapeOf(inputs, 'input_ids')[0]!, seq: shapeOf(inputs, 'input_ids')[1]!,
  });

  function expectClipOutputs(out: RunResult<'clip'>): void {
    expectClose(out.visionLastHiddenState, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
    expectClose(out.visionPooled, f32(outputs, 'vision_pooler_output'), tol.hidden, 'vision_pooler_output');
    expectClose(out.imageEmbedsUnnormalized, f32(outputs, 'image_embeds_unnormalized'), tol.hidden, 'image_embeds_unnormalized');
    expectClose(out.imageEmbeds, f32(outputs, 'image_embeds'), tol.hidden, 'image_embeds');
    expect(out.textPooledPositions).toEqual(Array.from(i64AsI32(outputs, 'text_pooled_positions')));
    expectClose(out.textLastHiddenState, f32(outputs, 'text_last_hidden_state'), tol.hidden, 'text_last_hidden_state');
    expectClose(out.textPooled, f32(outputs, 'text_pooler_output'), tol.hidden, 'text_pooler_output');
    expectClose(out.textEmbedsUnnormalized, f32(outputs, 'text_embeds_unnormalized'), tol.hidden, 'text_embeds_unnormalized');
    expectClose(out.textEmbeds, f32(outputs, 'text_embeds'), tol.hidden, 'text_embeds');
    expectClose(out.textLastHiddenStateNoMask, f32(outputs, 'text_last_hidden_state_no_attention_mask'), tol.hidden, 'text_last_hidden_state_no_attention_mask');
    expectClose(out.textPooledNoMask, f32(outputs, 'text_pooler_output_no_attention_mask'), tol.hidden, 'text_pooler_output_no_attention_mask');
    expect(Math.log(out.logitScale)).toBeCloseTo(f32(outputs, 'logit_scale')[0]!, 6);
    expectClose(out.logitsPerImage, f32(outputs, 'logits_per_image'), tol.logits, 'logits_per_image');
    expectClose(out.logitsPerText, f32(outputs, 'logits_per_text'), tol.logits, 'logits_per_text');
  }

  it('page thread: both towers (hidden states, pooled, embeddings; text with and without the mask) and logits', async () => {
    const out = await run('page', 'clip', args('iris-models-page'));
    console.log(`CLIP on the page: adapter ${out.adapter}, shader-f16 ${out.f16}`);
    expect(out.context).toBe('page');
    expectDownloaded('clip');
    expectClipOutputs(out);
  });

  it('dedicated module Worker: the same checks, with the worker’s own device, fetch and IndexedDB', async () => {
    const out = await run('worker', 'clip', args('iris-models-worker'));
    expect(out.context).toBe('worker');
    expectDownloaded('clip'); // its own database: a second real download, from the worker
    expectClipOutputs(out);
    expect(browser.pageErrors).toEqual([]);
  });
});

describe('Chinese-CLIP (golden/chinese-clip) in Chromium', () => {
  const inputs = goldenTensors('chinese-clip', 'inputs');
  const outputs = goldenTensors('chinese-clip', 'outputs');
  const tol = f32Tolerances('chinese-clip');
  const args = (db: string) => ({
    ...source('chinese-clip', db),
    pixelValues: Array.from(f32(inputs, 'pixel_values')), images: shapeOf(inputs, 'pixel_values')[0]!,
    inputIds: Array.from(i64AsI32(inputs, 'input_ids')), attentionMask: Array.from(i64AsI32(inputs, 'attention_mask')),
    texts: shapeOf(inputs, 'input_ids')[0]!, seq: shapeOf(inputs, 'input_ids')[1]!,
  });

  function expectChineseClipOutputs(out: RunResult<'chineseClip'>): void {
    expectClose(out.visionLastHiddenState, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
    expectClose(out.visionPooled, f32(outputs, 'vision_pooler_output'), tol.hidden, 'vision_pooler_output');
    expectClose(out.imageEmbedsUnnormalized, f32(outputs, 'image_embeds_unnormalized'), tol.hidden, 'image_embeds_unnormalized');
    expectClose(out.imageEmbeds, f32(outputs, 'image_embeds'), tol.hidden, 'image_embeds');
    expectClose(out.textLastHiddenState, f32(outputs, 'text_last_hidden_state'), tol.hidden, 'text_last_hidden_state');
    expectClose(out.textEmbedsUnnormalized, f32(outputs, 'text_embeds_unnormalized'), tol.hidden, 'text_embeds_unnormalized');
    expectClose(out.textEmbeds, f32(outputs, 'text_embeds'), tol.hidden, 'text_embeds');
    expect(Math.log(out.logitScale)).toBeCloseTo(f32(outputs, 'logit_scale')[0]!, 6);
    expectClose(out.logitsPerImage, f32(outputs, 'logits_per_image'), tol.logits, 'logits_per_image');
  }

  it('page thread: both towers (hidden states, pooled, embeddings) and logits', async () => {
    const out = await run('page', 'chineseClip', args('iris-models-page'));
    expect(out.context).toBe('page');
    expectDownloaded('chinese-clip');
    expectChineseClipOutputs(out);
  });

  it('dedicated module Worker: the same checks', async () => {
    const out = await run('worker', 'chineseClip', args('iris-models-worker'));
    expect(out.context).toBe('worker');
    expectDownloaded('chinese-clip');
    expectChineseClipOutputs(out);
    expect(browser.pageErrors).toEqual([]);
  });
});

describe('GIT (golden/git) in Chromium', () => {
  const inputs = goldenTensors('git', 'inputs');
  const outputs = goldenTensors('git', 'outputs');
  const tol = f32Tolerances('git');
  const pixels = f32(inputs, 'pixel_values');
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
  const prompt = Array.from(i64AsI32(inputs, 'generate_input_ids'));
  // Greedy steps: the golden sequence's new tokens (it stopped there, at EOS or at its max_new_tokens).
  const greedySteps = generated.length - prompt.length;
  const firstImage = () => ({ ...source('git', 'iris-models-page'), pixelValues: Array.from(f32Row(inputs, 'pixel_values', 0)), images: 1, maxNewTokens: greedySteps });
  const V = shapeOf(outputs, 'logits').at(-1)!;
  const P = shapeOf(outputs, 'projected_visual_features')[1]!; // image tokens

  it('teacher-forced: image encoder, projected visual features and logits of every position', async () => {
    const out = await run('page', 'gitTeacherForced', {
      ...source('git', 'iris-models-page'), pixelValues: Array.from(pixels), images: shapeOf(inputs, 'pixel_values')[0]!,
      inputIds: Array.from(i64AsI32(inputs, 'input_ids')), attentionMask: Array.from(i64AsI32(inputs, 'attention_mask')),
    });
    expectDownloaded('git');
    expect(out.logitsShape).toEqual(shapeOf(outputs, 'logits'));
    expectClose(out.encoder, f32(outputs, 'image_encoder_last_hidden_state'), tol.hidden, 'image_encoder_last_hidden_state');
    expectClose(out.projected, f32(outputs, 'projected_visual_features'), tol.hidden, 'projected_visual_features');
    expectClose(out.logits, f32(outputs, 'logits'), tol.logits, 'logits');
  });

  it('greedy generation (CaptionSession over GitModel + generate) equals generated_ids exactly; per-step logits in tolerance', async () => {
    expect(prompt).toEqual([goldenJson<{ bos_token_id: number }>('git', 'config.json').bos_token_id]); // the page prompts with [CLS]
    const out = await run('page', 'gitGenerate', firstImage());
    expect(out.ids).toEqual(Array.from(i64AsI32(outputs, 'generated_ids')));
    expectClose(out.stepLogits, f32(outputs, 'generate_logits'), tol.logits, 'generate_logits');
  });

  it('KV-cache steps give the same logits as one full no-cache forward over the generated sequence', async () => {
    const out = await run('page', 'gitCacheVsFull', firstImage());
    expect(out.ids).toEqual(generated);
    expect(out.fullShape).toEqual([1, P + generated.length, V]);
    expectClose(out.full, f32(outputs, 'generated_full_logits'), tol.logits, 'generated_full_logits');
    // Step t's logits sit at the position before the token it chose: after the image tokens and the prompt.
    for (const t of range(greedySteps)) {
      const at = P + prompt.length - 1 + t;
      expectClose(row(out.stepLogits, t, V), row(out.full, at, V), { atol: 1e-4, rtol: 1e-4 }, `cache step ${t} vs full row ${at}`);
    }
  });
});

describe('GIT VQA (golden/git-vqa) in Chromium, page and Worker', () => {
  const inputs = goldenTensors('git-vqa', 'inputs');
  const outputs = goldenTensors('git-vqa', 'outputs');
  const tol = f32Tolerances('git-vqa');
  const questionIds = Array.from(i64AsI32(inputs, 'question_input_ids'));
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
  const args = (db: string) => ({
    ...source('git-vqa', db), pixelValues: Array.from(f32Row(inputs, 'pixel_values', 0)), images: 1,
    questionIds, maxNewTokens: generated.length - questionIds.length,
  });

  function expectVqaOutputs(out: RunResult<'gitVqa'>): void {
    // The answer continues the question: generated_ids is the prompt, then the answer, exactly.
    expect(out.ids).toEqual(generated);
    expectClose(out.stepLogits, f32(outputs, 'generate_logits'), tol.logits, 'generate_logits');
    expect(out.fullShape).toEqual(shapeOf(outputs, 'generated_full_logits'));
    expectClose(out.full, f32(outputs, 'generated_full_logits'), tol.logits, 'generated_full_logits');
  }

  it('page thread: greedy answer ids exact, per-step and teacher-forced logits in tolerance', async () => {
    const out = await run('page', 'gitVqa', args('iris-models-page'));
    expectDownloaded('git-vqa');
    expectVqaOutputs(out);
  });

  it('dedicated module Worker: the same checks', async () => {
    const out = await run('worker', 'gitVqa', args('iris-models-worker'));
    expectDownloaded('git-vqa');
    expectVqaOutputs(out);
    expect(browser.pageErrors).toEqual([]);
  });
});

describe('ViT-GPT2 (golden/vit-gpt2) in Chromium', () => {
  const inputs = goldenTensors('vit-gpt2', 'inputs');
  const outputs = goldenTensors('vit-gpt2', 'outputs');
  const tol = f32Tolerances('vit-gpt2');
  const pixels = f32(inputs, 'pixel_values');
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
  const greedySteps = generated.length - 1; // after the decoder start token, the page's prompt
  const firstImage = () => ({ ...source('vit-gpt2', 'iris-models-page'), pixelValues: Array.from(f32Row(inputs, 'pixel_values', 0)), images: 1, maxNewTokens: greedySteps });
  const V = shapeOf(outputs, 'logits').at(-1)!;

  it('teacher-forced: encoder last_hidden_state and decoder logits', async () => {
    const out = await run('page', 'vitGpt2TeacherForced', {
      ...source('vit-gpt2', 'iris-models-page'), pixelValues: Array.from(pixels), images: shapeOf(inputs, 'pixel_values')[0]!,
      inputIds: Array.from(i64AsI32(inputs, 'decoder_input_ids')), attentionMask: Array.from(i64AsI32(inputs, 'decoder_attention_mask')),
    });
    expectDownloaded('vit-gpt2');
    expect(out.logitsShape).toEqual(shapeOf(outputs, 'logits'));
    expectClose(out.encoder, f32(outputs, 'encoder_last_hidden_state'), tol.hidden, 'encoder_last_hidden_state');
    expectClose(out.logits, f32(outputs, 'logits'), tol.logits, 'logits');
  });

  it('greedy generation (CaptionSession over VitGpt2Model + generate) equals generated_ids exactly; per-step logits in tolerance', async () => {
    const out = await run('page', 'vitGpt2Generate', firstImage());
    expect(out.ids).toEqual(Array.from(i64AsI32(outputs, 'generated_ids')));
    expectClose(out.stepLogits, f32(outputs, 'generate_logits'), tol.logits, 'generate_logits');
  });

  it('KV-cache steps give the same logits as one full no-cache forward over the generated sequence', async () => {
    const out = await run('page', 'vitGpt2CacheVsFull', firstImage());
    expect(out.ids).toEqual(generated);
    expect(out.fullShape).toEqual([1, generated.length, V]);
    expectClose(out.full, f32(outputs, 'generated_full_logits'), tol.logits, 'generated_full_logits');
    for (const t of range(greedySteps)) {
      expectClose(row(out.stepLogits, t, V), row(out.full, t, V), { atol: 1e-4, rtol: 1e-4 }, `cache step ${t} vs full row ${t}`);
    }
  });
});
