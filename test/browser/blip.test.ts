// BLIP in headless Chromium (SwiftShader WebGPU) against ../shared/golden/{blip,blip-vqa}, loaded through the
// production download path (Hub → IndexedDB → parametersFrom → BlipCaptionModel / BlipVqaModel), page thread and
// dedicated Worker. Shapes, ids and steps come from the golden tensors.
import { describe, it } from 'vitest';
import { f32 } from '../helpers/golden';
import { allImages, expectClose, expectGreedy, expectTeacherForced, firstImage, golden, ids, textInputs, useGoldenModelsPage } from './models-page';

const REPOS = { blip: 'iris-test/tiny-blip', 'blip-vqa': 'iris-test/tiny-blip-vqa' } as const;

const { run, source } = useGoldenModelsPage(REPOS);

describe('BLIP captioning (golden/blip) in Chromium', () => {
  const { inputs, outputs, tol } = golden('blip');
  const generated = ids(outputs, 'generated_ids');
  const conditional = ids(outputs, 'conditional_generated_ids');
  const promptIds = ids(inputs, 'prompt_input_ids');
  const bos = generated[0]!;

  it('page thread: vision states and teacher-forced logits', async () => {
    const out = await run('page', 'blipTeacherForced', { ...source('blip', 'iris-blip-page'), ...allImages(inputs), ...textInputs(inputs) });
    expectTeacherForced(out, outputs, tol, 'vision_last_hidden_state');
  });

  it('dedicated Worker: greedy ids from [DEC] and with the prompt ([DEC] over [CLS], [SEP] dropped), per-step logits', async () => {
    const image = { ...source('blip', 'iris-blip-worker'), ...firstImage(inputs) };
    const plain = await run('worker', 'blipGenerate', { ...image, prompt: [bos], maxNewTokens: generated.length - 1 });
    expectGreedy(plain, outputs, tol);
    const prompt = [bos, ...promptIds.slice(1, -1)];
    const prompted = await run('worker', 'blipGenerate', { ...image, prompt, maxNewTokens: conditional.length - prompt.length });
    expectGreedy(prompted, outputs, tol, 'conditional_generated_ids', 'conditional_generate_logits');
  });
});

describe('BLIP VQA (golden/blip-vqa) in Chromium', () => {
  const { inputs, outputs, tol } = golden('blip-vqa');
  const generated = ids(outputs, 'generated_ids');

  for (const where of ['page', 'worker'] as const) {
    it(`${where}: vision and question states, greedy answer ids and per-step logits`, async () => {
      const out = await run(where, 'blipVqa', { ...source('blip-vqa', `iris-blip-vqa-${where}`), ...allImages(inputs), ...textInputs(inputs), maxNewTokens: generated.length - 1 });
      expectClose(out.vision, f32(outputs, 'vision_last_hidden_state'), tol.hidden, 'vision_last_hidden_state');
      expectClose(out.question, f32(outputs, 'question_last_hidden_state'), tol.hidden, 'question_last_hidden_state');
      expectGreedy(out, outputs, tol);
    });
  }
});
