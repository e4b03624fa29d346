// Chinese labels through the Chinese-CLIP family: the tiny demo model (real 21,128-piece vocab, random weights)
// loaded by config.json. Its classifier reads labels into the family's Chinese template by default, and its
// text embeddings are those of the ids transformers' tokenizer gives (../shared/tokenizers/chinese-clip).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHINESE_CLIP_TEMPLATES } from '../../src/families/chinese-clip/templates';
import type { Gpu } from '../../src/gpu/gpu';
import type { RgbaImage } from '../../src/image/rgba-image';
import { l2Normalize } from '../../src/nn/similarity';
import { promptsFor, type ZeroShotClassifier } from '../../src/tasks/zero-shot';
import { Hub } from '../../src/weights/hub';
import { loadCheckpoint, runnerFor, type LoadedModel } from '../../src/worker/load';
import { resolveModel } from '../../src/worker/registry';
import { createDawnGpu } from '../helpers/dawn';
import { HubServer } from '../helpers/hub-server';
import { allClose } from '../helpers/reference';
import { memoryStore } from '../helpers/stores';
import { TINY_ROOT, tinyModelDir } from '../helpers/tiny-models';

const REPO = 'iris/tiny-chinese-clip';
const vectors = JSON.parse(readFileSync(path.resolve(process.cwd(), '../shared/tokenizers/chinese-clip/vectors.json'), 'utf8')) as { cases: { text: string; ids: number[] }[] };
const image: RgbaImage = { width: 41, height: 23, data: Uint8Array.from({ length: 41 * 23 * 4 }, (_, i) => (i * 71) % 256) };
const labels = ['猫', '狗', '汽车'];

let gpu: Gpu;
let server: HubServer;
let loaded: LoadedModel;
let classifier: ZeroShotClassifier;
beforeAll(async () => {
  gpu = await createDawnGpu();
  tinyModelDir('chinese-clip');
  server = await HubServer.start({ repos: { [REPO]: 'tiny-chinese-clip/resolve/main' }, root: TINY_ROOT, branches: ['main'] });
  loaded = await loadCheckpoint(resolveModel(REPO, 'zero-shot'), new Hub({ baseUrl: server.url, store: memoryStore(), storage: null }), gpu, { task: 'zero-shot' });
  classifier = runnerFor(loaded, 'zero-shot', REPO);
});
afterAll(async () => {
  loaded?.release();
  await server?.close();
  gpu?.destroy();
});

describe('Chinese-CLIP zero-shot with Chinese labels', () => {
  it('the family gives Chinese templates: 一张{label}的照片。 by default, and an ensemble', () => {
    expect(classifier.templates).toBe(CHINESE_CLIP_TEMPLATES);
    expect(classifier.templates.language).toBe('zh');
    expect(classifier.templates.default).toEqual(['一张{label}的照片。']);
    expect(classifier.templates.ensemble.length).toBeGreaterThan(1);
    for (const t of classifier.templates.ensemble) expect(t).toContain('{label}');
  });

  it('a text embedding is that of the ids transformers gives (real vocab, [CLS] pooled)', async () => {
    const cases = vectors.cases.filter((c) => c.text.length > 0 && c.ids.length <= classifier.model.maxTextTokens).slice(0, 4);
    expect(cases.length).toBeGreaterThan(0);
    const ours = await classifier.embedTexts(cases.map((c) => c.text));
    for (const [i, c] of cases.entries()) {
      const { embeds } = await classifier.model.encodeTexts(Int32Array.from(c.ids), new Int32Array(c.ids.length).fill(1), 1, c.ids.length);
      const check = allClose(ours.subarray(i * classifier.dim, (i + 1) * classifier.dim), l2Normalize(embeds, classifier.dim), 1e-5, 1e-4);
      expect(check.ok, `${c.text}: ${check.detail}`).toBe(true);
    }
  });

  it('classify() with no templates reads the labels into the Chinese default; probabilities sum to 1', async () => {
    const [byDefault] = await classifier.classify([image], labels);
    const [chinese] = await classifier.classify([image], labels, { templates: [...CHINESE_CLIP_TEMPLATES.default] });
    const [english] = await classifier.classify([image], labels, { templates: ['a photo of a {label}.'] });
    expect(byDefault!.reduce((sum, r) => sum + r.score, 0)).toBeCloseTo(1, 5);
    expect(byDefault!.map((r) => [r.label, r.logit])).toEqual(chinese!.map((r) => [r.label, r.logit]));
    const logitOf = (ranked: typeof english, label: string) => ranked!.find((r) => r.label === label)!.logit;
    expect(labels.some((l) => Math.abs(logitOf(english, l) - logitOf(byDefault, l)) > 1e-4)).toBe(true);
  });

  it('the ensemble averages its prompts per label', async () => {
    const ensemble = [...CHINESE_CLIP_TEMPLATES.ensemble];
    const means = await classifier.labelEmbeddings(labels, ensemble);
    const each = await classifier.embedTexts(promptsFor(labels, ensemble));
    const dim = classifier.dim;
    const expected = new Float32Array(labels.length * dim);
    labels.forEach((_, l) => ensemble.forEach((__, t) => { for (let d = 0; d < dim; d++) expected[l * dim + d]! += each[(l * ensemble.length + t) * dim + d]!; }));
    const check = allClose(means, l2Normalize(expected, dim), 1e-5, 1e-4);
    expect(check.ok, check.detail).toBe(true);
  });
});
