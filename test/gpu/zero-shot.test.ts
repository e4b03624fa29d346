// Zero-shot classification on Dawn with the tiny CLIP (real CLIP tokenizer, random weights): the label
// embedding cache, prompt ensembling, padding independence and batching — properties that hold for any
// weights, checked against independent computations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { parsePreprocessorConfig } from '../../src/image/preprocess';
import { ClipModel } from '../../src/families/clip/model';
import { l2Normalize } from '../../src/nn/similarity';
import { parametersFrom } from '../../src/nn/params';
import { ZeroShotClassifier } from '../../src/tasks/zero-shot';
import { loadClipTokenizer, type ClipTokenizer } from '../../src/tokenizers';
import { WeightSet } from '../../src/weights';
import { createDawnGpu } from '../helpers/dawn';
import { allClose } from '../helpers/reference';
import { readBytes, readText, tinyModelDir } from '../helpers/tiny-models';

let gpu: Gpu;
let classifier: ZeroShotClassifier;
let model: ClipModel;
let tokenizer: ClipTokenizer;
const image = (seed: number) => ({ width: 40, height: 30, data: Uint8Array.from({ length: 40 * 30 * 4 }, (_, i) => (i * seed * 31) % 256) });

beforeAll(async () => {
  gpu = await createDawnGpu();
  const dir = tinyModelDir('clip');
  const weights = WeightSet.fromFiles([{ file: 'model.safetensors', bytes: readBytes(dir, 'model.safetensors') }], 'iris/tiny-clip');
  model = ClipModel.load(parametersFrom(weights, gpu), JSON.parse(readText(dir, 'config.json')));
  tokenizer = loadClipTokenizer({ vocabJson: readText(dir, 'vocab.json'), mergesTxt: readText(dir, 'merges.txt') });
  classifier = new ZeroShotClassifier(model, tokenizer, parsePreprocessorConfig(JSON.parse(readText(dir, 'preprocessor_config.json')), 'CLIPImageProcessor'));
});
afterAll(() => gpu?.destroy());

const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
  const c = allClose(a, b, 1e-5, 1e-4);
  expect(c.ok, `${what}: ${c.detail}`).toBe(true);
};

describe('ZeroShotClassifier', () => {
  it('a second image with the same labels runs only the vision tower', async () => {
    const labels = ['cat', 'dog', 'a red car'];
    const first = await classifier.classify([image(1)], labels);
    const passes = classifier.textForwardPasses;
    const second = await classifier.classify([image(2)], labels);
    expect(classifier.textForwardPasses).toBe(passes);
    for (const ranked of [first[0]!, second[0]!]) {
      expect(ranked.map((r) => r.label).sort()).toEqual([...labels].sort());
      expect(ranked.reduce((s, r) => s + r.score, 0)).toBeCloseTo(1, 6);
    }
    await classifier.classify([image(1)], [...labels, 'tree']);
    expect(classifier.textForwardPasses).toBe(passes + 1);
  });

  it('prompt ensembling is the renormalised mean of each template\'s normalised embedding', async () => {
    const labels = ['cat', 'airplane'];
    const templates = ['a photo of a {label}.', 'a drawing of a {label}.', '{label}'];
    const ensembled = await classifier.labelEmbeddings(labels, templates);
    const dim = classifier.dim;
    for (let l = 0; l < labels.length; l++) {
      const each = await classifier.embedTexts(templates.map((t) => t.replace('{label}', labels[l]!)));
      const mean = new Float32Array(dim);
      for (let t = 0; t < templates.length; t++) for (let d = 0; d < dim; d++) mean[d] = mean[d]! + each[t * dim + d]!;
      close(ensembled.subarray(l * dim, (l + 1) * dim), l2Normalize(mean, dim), `label ${labels[l]}`);
    }
  });

  it('text embeddings do not depend on padding (longest vs 77) nor on the batch they are in', async () => {
    const texts = ['a photo of a cat.', 'a very much longer description of a small dog running on the beach'];
    const batched = await classifier.embedTexts(texts);
    const padded = tokenizer.encodeBatch(texts, { maxLength: 77, padding: 'max_length' });
    const full = await model.encodeTexts(padded.inputIds, Int32Array.from(padded.attentionMask), 2, 77);
    close(batched, l2Normalize(full.embeds, classifier.dim), 'padding 77 vs longest');
    const alone = await classifier.embedTexts([texts[1]!]);
    close(batched.subarray(classifier.dim), alone, 'in a batch vs alone');
  });

  it('200 labels go through the text tower in chunks of 64, each embedded as when alone', async () => {
    const labels = Array.from({ length: 200 }, (_, i) => `object number ${i}`);
    const start = performance.now();
    const embeddings = await classifier.embedTexts(labels);
    console.log(`200 labels: ${(performance.now() - start).toFixed(0)} ms on ${gpu.adapter.description}`);
    for (const i of [0, 63, 64, 199]) close(embeddings.subarray(i * classifier.dim, (i + 1) * classifier.dim), await classifier.embedTexts([labels[i]!]), `label ${i}`);
  });

  it('classifies a batch of images at once, each as when classified alone', async () => {
    const labels = ['sky', 'sea', 'sand'];
    const batch = await classifier.classify([image(3), image(5)], labels);
    const alone = await classifier.classify([image(5)], labels);
    expect(batch[1]!.map((r) => r.label)).toEqual(alone[0]!.map((r) => r.label));
    close(batch[1]!.map((r) => r.score), alone[0]!.map((r) => r.score), 'scores');
  });

  it('rejects an empty label list and a template without {label}', async () => {
    await expect(classifier.classify([image(1)], [])).rejects.toMatchObject({ code: 'bad-input' });
    await expect(classifier.classify([image(1)], ['x'], { templates: ['a photo'] })).rejects.toMatchObject({ code: 'bad-input' });
  });
});
