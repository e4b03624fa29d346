// BLIP in headless Chromium (SwiftShader WebGPU) against ../shared/golden/{blip,blip-vqa}, loaded through the
// production download path (Hub → IndexedDB → parametersFrom → BlipCaptionModel / BlipVqaModel), page thread and
// dedicated Worker. Shapes, ids and steps come from the golden tensors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f32, f32Row, f32Tolerances, goldenTensors, i64AsI32, shapeOf } from '../helpers/golden';
import { HubServer } from '../helpers/hub-server';
import { allClose } from '../helpers/reference';
import type { Browser } from './chromium';
import { openModelsPage, runModel } from './models-page';

const REPOS = { blip: 'iris-test/tiny-blip', 'blip-vqa': 'iris-test/tiny-blip-vqa' } as const;

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

const source = (model: keyof typeof REPOS, db: string) => ({ baseUrl: server.url, repo: REPOS[model], db });

function expectClose(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>, t: { atol: number; rtol: number }, what: string): void {
  expect(actual, what).toBeDefined();
  const check = allClose(actual!, expected, t.atol, t.rtol);
  expect(check.ok, `${what}: ${check.detail}`).toBe(true);
}

describe('BLIP captioning (golden/blip) in Chromium', () => {
  const inputs = goldenTensors('blip', 'inputs');
  const outputs = goldenTensors('blip', 'outputs');
  const tol = f32Tolerances('blip');
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));
  const conditional = Array.from(i64AsI32(outputs, 'conditional_generated_ids'));
  const promptIds = Array.from(i64AsI32(inputs, 'prompt_input_ids'));
  const bos = generated[0]!;

  it('page thread: vision states and teacher-forced logits', async () => {
    const out = await runModel(browser, 'page', 'blipTeacherForced', {
      ...source('blip', 'iris-blip-page'), pixelValues: Array.from(f32(inputs, 'pixel_values')), images: shapeOf(inputs, 'pixel_values')[0]!,
      inputIds: Array.from(i64AsI32(inputs, 'input_ids')), attentionMask: Array.from(i64AsI32(inputs, 'attention_mask')),
    });
    expect(out.logitsShape).toEqual(shapeOf(outputs, 'logits'));
    expectClose(out.encoder, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
    expectClose(out.logits, f32(outputs, 'logits'), tol.logits, 'logits');
  });

  it('dedicated Worker: greedy ids from [DEC] and with the prompt ([DEC] over [CLS], [SEP] dropped), per-step logits', async () => {
    const image = { ...source('blip', 'iris-blip-worker'), pixelValues: Array.from(f32Row(inputs, 'pixel_values', 0)), images: 1 };
    const plain = await runModel(browser, 'worker', 'blipGenerate', { ...image, prompt: [bos], maxNewTokens: generated.length - 1 });
    expect(plain.ids).toEqual(generated);
    expectClose(plain.stepLogits, f32(outputs, 'generate_logits'), tol.logits, 'generate_logits');
    const prompt = [bos, ...promptIds.slice(1, -1)];
    const prompted = await runModel(browser, 'worker', 'blipGenerate', { ...image, prompt, maxNewTokens: conditional.length - prompt.length });
    expect(prompted.ids).toEqual(conditional);
    expectClose(prompted.stepLogits, f32(outputs, 'conditional_generate_logits'), tol.logits, 'conditional_generate_logits');
  });
});

describe('BLIP VQA (golden/blip-vqa) in Chromium', () => {
  const inputs = goldenTensors('blip-vqa', 'inputs');
  const outputs = goldenTensors('blip-vqa', 'outputs');
  const tol = f32Tolerances('blip-vqa');
  const generated = Array.from(i64AsI32(outputs, 'generated_ids'));

  for (const where of ['page', 'worker'] as const) {
    it(`${where}: vision and question states, greedy answer ids and per-step logits`, async () => {
      const out = await runModel(browser, where, 'blipVqa', {
        ...source('blip-vqa', `iris-blip-vqa-${where}`), pixelValues: Array.from(f32(inputs, 'pixel_values')), images: shapeOf(inputs, 'pixel_values')[0]!,
        inputIds: Array.from(i64AsI32(inputs, 'input_ids')), attentionMask: Array.from(i64AsI32(inputs, 'attention_mask')), maxNewTokens: generated.length - 1,
      });
      expectClose(out.vision, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
      expectClose(out.question, f32(outputs, 'question_last_hidden_state'), tol.hidden, 'question_last_hidden_state');
      expect(out.ids).toEqual(generated);
      expectClose(out.stepLogits, f32(outputs, 'generate_logits'), tol.logits, 'generate_logits');
    });
  }
});
