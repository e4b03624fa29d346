// The retrieval engine on Dawn: golden CLIP rankings (text → images and image → texts) through the GPU search
// path; incremental adds that embed only new or changed files (forward passes counted, with the tiny CLIP and
// real PNG Files); skipped files and their reasons; persistence, cancellation, the wrong-model refusal,
// cross-tab commits, remove/clear/export/import; and the GPU copy kept in step with changes (checked against a
// CPU brute force across segment boundaries, in f16 and f32).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IrisError, isIrisError } from '../../src/errors';
import type { Gpu } from '../../src/gpu/gpu';
import { f16ArrayToF32, f32ArrayToF16 } from '../../src/gpu/half';
import { parsePreprocessorConfig } from '../../src/image/preprocess';
import type { RgbaImage } from '../../src/image/rgba-image';
import { ClipModel } from '../../src/families/clip/model';
import { l2Normalize } from '../../src/nn/similarity';
import { parametersFrom } from '../../src/nn/params';
import { topKReference } from '../../src/kernels/topk';
import { clipEmbedder, ImageIndex, memoryVectorStore, rankCandidates, type Embedder, type VectorStore } from '../../src/retrieval';
import { ZeroShotClassifier } from '../../src/tasks/zero-shot';
import { loadClipTokenizer } from '../../src/tokenizers';
import { WeightSet } from '../../src/weights';
import { formatRetrievalReport, runRetrievalBench } from '../bench/retrieval-bench';
import { createDawnGpu } from '../helpers/dawn';
import { f32, f32Tolerances, goldenTensors, i64AsI32 } from '../helpers/golden';
import { goldenParameters } from '../helpers/golden-models';
import { encodePng, noise } from '../helpers/png-encode';
import { randomArray } from '../helpers/reference';
import { readBytes, readText, tinyModelDir } from '../helpers/tiny-models';

let gpu: Gpu;
beforeAll(async () => { gpu = await createDawnGpu(); });
afterAll(() => gpu?.destroy());

/** Counts forward passes and embedded images of an embedder. */
function counting(embedder: Embedder) {
  const counter = { passes: 0, images: 0 };
  const wrapped: Embedder = {
    dim: embedder.dim,
    preprocess: (image) => embedder.preprocess(image),
    embedPixels: (pixels, count) => {
      counter.passes++;
      counter.images += count;
      return embedder.embedPixels(pixels, count);
    },
    embedTexts: (texts) => embedder.embedTexts(texts),
  };
  return { embedder: wrapped, counter };
}

/** Indices sorted by value, best first (ties: smaller index). */
const ranking = (values: ArrayLike<number>) => Array.from(topKReference(values, 1, values.length, values.length).indices);

describe('golden CLIP through the search path', () => {
  const inputs = goldenTensors('clip', 'inputs');
  const outputs = goldenTensors('clip', 'outputs');
  const golden = f32(outputs, 'logits_per_image'); // [2 images, 3 texts]
  let model: ClipModel;
  let texts: Float32Array;
  let images: Float32Array;
  const dim = 32;

  beforeAll(async () => {
    const { params, config } = goldenParameters(gpu, 'clip');
    model = ClipModel.load(params, config);
    texts = l2Normalize((await model.encodeTexts(i64AsI32(inputs, 'input_ids'), i64AsI32(inputs, 'attention_mask'), 3, 16)).embeds, dim);
    images = l2Normalize((await model.encodeImages(f32(inputs, 'pixel_values'), 2)).embeds, dim);
  });

  /** An index of the two golden images, embedded by ClipModel from the golden pixel_values. */
  async function goldenIndex(precision: 'f16' | 'f32') {
    const pixels = f32(inputs, 'pixel_values');
    const plane = 3 * 32 * 32;
    const items = [0, 1].map((i) => ({ key: `image${i}`, image: { width: 1, height: 1, data: Uint8Array.of(i, 0, 0, 255) } }));
    const embedder: Embedder = {
      dim,
      preprocess: (image: RgbaImage) => pixels.slice(image.data[0]! * plane, (image.data[0]! + 1) * plane),
      embedPixels: async (p, count) => l2Normalize((await model.encodeImages(p, count)).embeds, dim),
      embedTexts: () => Promise.reject(new Error('unused')),
    };
    const index = await ImageIndex.open(memoryVectorStore(), 'golden', { model: 'golden/clip', defaultModel: 'golden/clip', precision });
    const result = await index.add(items, { embedder: async () => embedder });
    expect(result.added).toBe(2);
    return index;
  }

  for (const precision of ['f32', 'f16'] as const) {
    // f16 storage rounds each value to 11 significant bits: the golden f16 tolerance.
    const tol = precision === 'f32' ? f32Tolerances('clip').logits : { atol: 5e-2, rtol: 5e-2 };
    it(`text → images (${precision} index): the golden ranking of logits_per_image columns, and its scores`, async () => {
      const index = await goldenIndex(precision);
      const hits = await index.search(gpu, texts, 3, 10);
      for (let t = 0; t < 3; t++) {
        const column = [golden[t]!, golden[3 + t]!];
        expect(hits[t]!.map((h) => h.key)).toEqual(ranking(column).map((i) => `image${i}`));
        for (const h of hits[t]!) {
          const expected = column[Number(h.key.slice(5))]!;
          expect(Math.abs(h.score * model.logitScale - expected)).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(expected));
        }
      }
      index.dispose();
    });
  }

  it('image → texts: the golden ranking of each logits_per_image row, and its scores', async () => {
    const hits = await rankCandidates(gpu, images, 2, texts, dim, 3);
    const tol = f32Tolerances('clip').logits;
    for (let i = 0; i < 2; i++) {
      const row = golden.subarray(i * 3, i * 3 + 3);
      expect(Array.from(hits[i]!.rows)).toEqual(ranking(row));
      hits[i]!.rows.forEach((t, r) => {
        expect(Math.abs(hits[i]!.scores[r]! * model.logitScale - row[t]!)).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(row[t]!));
      });
    }
  });
});

describe('indexing files with the tiny CLIP', () => {
  let classifier: ZeroShotClassifier;
  beforeAll(() => {
    const dir = tinyModelDir('clip');
    const weights = WeightSet.fromFiles([{ file: 'model.safetensors', bytes: readBytes(dir, 'model.safetensors') }], 'iris/tiny-clip');
    const model = ClipModel.load(parametersFrom(weights, gpu), JSON.parse(readText(dir, 'config.json')));
    const tokenizer = loadClipTokenizer({ vocabJson: readText(dir, 'vocab.json'), mergesTxt: readText(dir, 'merges.txt') });
    classifier = new ZeroShotClassifier(model, tokenizer, parsePreprocessorConfig(JSON.parse(readText(dir, 'preprocessor_config.json')), 'CLIPImageProcessor'));
  });

  async function png(seed: number, width = 24, height = 20): Promise<Uint8Array<ArrayBuffer>> {
    const pixels = noise(width * height * 3, seed);
    const rows = Array.from({ length: height }, (_, y) => pixels.subarray(y * width * 3, (y + 1) * width * 3));
    return (await encodePng({ width, height, colorType: 2, bitDepth: 8, rows })) as Uint8Array<ArrayBuffer>;
  }
  const photo = async (name: string, seed: number, lastModified = 1000) => new File([await png(seed)], name, { type: 'image/png', lastModified });

  it('embeds only new or changed files; skips the rest with reasons; survives a reopen', async () => {
    const store = memoryVectorStore();
    const { embedder, counter } = counting(clipEmbedder(classifier));
    const deps = { embedder: async () => embedder };
    // f32 storage: the tiny CLIP's random weights give noise images embeddings with cosines of 0.9999.
    const open = () => ImageIndex.open(store, 'photos', { defaultModel: 'iris/tiny-clip', precision: 'f32' });
    const index = await open();
    const first = [await photo('a.png', 1), await photo('b.png', 2), await photo('c.png', 3)];
    const r1 = await index.add(first, deps);
    expect(r1).toMatchObject({ added: 3, updated: 0, unchanged: 0, size: 3 });
    expect(counter).toEqual({ passes: 1, images: 3 });

    const extra = [
      new File(['just text'], 'notes.txt', { type: 'text/plain' }),
      new File([], 'empty.png', { type: 'image/png' }),
      new File([Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3)], 'broken.png', { type: 'image/png' }),
      new File([Uint8Array.of(1, 2, 3, 4)], 'mystery.bin'),
    ];
    const changed = await photo('b.png', 20, 2000); // same path, new content and date
    const progress: number[] = [];
    const r2 = await index.add([...first.slice(0, 1), changed, first[2]!, await photo('d.png', 4), await photo('e.png', 5), ...extra], deps, {
      batchSize: 2, onProgress: (p) => progress.push(p.processed),
    });
    expect(r2).toMatchObject({ added: 2, updated: 1, unchanged: 2, size: 5 });
    expect(r2.skippedByReason).toEqual({ 'not-an-image': 1, empty: 1, unreadable: 0, undecodable: 2 });
    expect(r2.skipped.map((s) => [s.key, s.reason])).toEqual([['notes.txt', 'not-an-image'], ['empty.png', 'empty'], ['broken.png', 'undecodable'], ['mystery.bin', 'undecodable']]);
    expect(counter).toEqual({ passes: 3, images: 6 }); // 3 new or changed images in batches of 2
    expect(progress[progress.length - 1]).toBe(9);

    // The changed file's vector replaced the old one: a search by b's new image finds it first with score 1.
    const embedOf = (seed: number) => embedder.embedPixels(embedder.preprocess({ width: 24, height: 20, data: rgba(noise(24 * 20 * 3, seed)) }), 1);
    const [bVector, oldVector] = [await embedOf(20), await embedOf(2)];
    const maxDiff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    expect(maxDiff(index.vectorOf('b.png'), bVector)).toBeLessThan(1e-5);
    expect(maxDiff(index.vectorOf('b.png'), oldVector)).toBeGreaterThan(1e-4);
    const [hits] = await index.search(gpu, bVector, 1, 5);
    expect(hits![0]!.key).toBe('b.png');
    expect(hits![0]!.score).toBeCloseTo(1, 5);
    expect(hits!.map((h) => h.key).sort()).toEqual(['a.png', 'b.png', 'c.png', 'd.png', 'e.png']);

    // Another worker (or the page after a reload) reads the same index back.
    const reopened = await open();
    expect(reopened.size).toBe(5);
    expect((await reopened.search(gpu, bVector, 1, 5))[0]).toEqual(hits);
    const r3 = await reopened.add([...first, await photo('d.png', 4)], deps);
    expect(r3).toMatchObject({ added: 0, updated: 1, unchanged: 3 }); // b.png is back to its first version
    expect(counter.images - 2).toBe(7); // (two more for the query vectors above)
    index.dispose();
    reopened.dispose();
  });

  it('a cancelled run keeps every committed batch; adding again embeds only the rest', async () => {
    const store = memoryVectorStore();
    const { embedder, counter } = counting(clipEmbedder(classifier));
    const files = await Promise.all(Array.from({ length: 7 }, (_, i) => photo(`p${i}.png`, 100 + i)));
    const index = await ImageIndex.open(store, 'cancel', { defaultModel: 'iris/tiny-clip' });
    const controller = new AbortController();
    const error = await index.add(files, { embedder: async () => embedder }, {
      batchSize: 2, signal: controller.signal, onProgress: (p) => p.embedded >= 2 && controller.abort(),
    }).then(() => null, (e: unknown) => e);
    expect(isIrisError(error, 'aborted'), String(error)).toBe(true);
    expect((error as IrisError).message).toMatch(/are kept/);
    const kept = (await ImageIndex.open(store, 'cancel', { defaultModel: 'iris/tiny-clip' }));
    expect(kept.size).toBeGreaterThanOrEqual(2);
    expect(kept.size).toBeLessThan(7);
    const before = counter.images;
    const again = await kept.add(files, { embedder: async () => embedder });
    expect(again.unchanged).toBe(kept.size - again.added);
    expect(counter.images - before).toBe(7 - again.unchanged);
    expect(kept.size).toBe(7);
  });
});

/** RGB bytes → RGBA. */
function rgba(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgb.length / 3) * 4);
  for (let i = 0; i < rgb.length / 3; i++) out.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, 255], 4 * i);
  return out;
}

// ---- storage and GPU bookkeeping with a fake embedder (vectors from the pixels, no model) --------------------

const DIM = 12; // not a multiple of 8; the GPU rows are padded to 12 anyway
/** An "image" whose pixels are a seed; its embedding is a deterministic random unit vector. */
const fakeImage = (seed: number) => ({ width: 1, height: 1, data: Uint8Array.of(seed & 255, (seed >> 8) & 255, (seed >> 16) & 255, 255) });
const seedOf = (image: RgbaImage) => image.data[0]! + (image.data[1]! << 8) + (image.data[2]! << 16);
const unit = (seed: number) => l2Normalize(randomArray(DIM, seed + 1), DIM);
function fakeEmbedder(dim = DIM): Embedder {
  return {
    dim,
    preprocess: (image) => Float32Array.of(seedOf(image)),
    embedPixels: async (pixels, count) => {
      const out = new Float32Array(count * dim);
      for (let i = 0; i < count; i++) out.set(dim === DIM ? unit(pixels[i]!) : l2Normalize(randomArray(dim, pixels[i]! + 1), dim), i * dim);
      return out;
    },
    embedTexts: () => Promise.reject(new Error('unused')),
  };
}
const fakeItems = (seeds: number[], version = '1') => seeds.map((s) => ({ key: `k${s}`, image: fakeImage(s), version }));
const fake = { embedder: async () => fakeEmbedder() };

/** CPU brute force over what the index should hold (vectors rounded as stored). */
function bruteForce(seeds: number[], query: Float32Array, k: number, precision: 'f16' | 'f32') {
  const scores = seeds.map((s) => {
    const v = precision === 'f16' ? f16ArrayToF32(f32ArrayToF16(unit(s))) : unit(s);
    return v.reduce((sum, x, d) => sum + x * query[d]!, 0);
  });
  return { scores, order: ranking(Float32Array.from(scores)).slice(0, k) };
}

describe('index bookkeeping (fake embedder)', () => {
  for (const precision of ['f16', 'f32'] as const) {
    it(`${precision}: the GPU copy follows adds, replacements and removals across segments (vs a CPU brute force)`, async () => {
      const index = await ImageIndex.open(memoryVectorStore(), 'sync', { defaultModel: 'fake', precision });
      const seeds = Array.from({ length: 3100 }, (_, i) => i); // segments of 1024 + 2048 + 4096 rows
      await index.add(fakeItems(seeds), fake, { batchSize: 256 });
      const query = unit(99_999);
      const check = async (live: number[], k: number) => {
        const [hits] = await index.search(gpu, query, 1, k);
        // Rows move on removal, so the key order is compared through the expected scores (ties are unlikely).
        const { scores, order } = bruteForce(live, query, k, precision);
        expect(hits!.map((h) => h.key)).toEqual(order.map((i) => `k${live[i]}`));
        hits!.forEach((h, i) => expect(h.score).toBeCloseTo(scores[order[i]!]!, 5));
      };
      await check(seeds, 10);
      // Replace 50 vectors (new versions embed new seeds under the same keys) and remove 1,000 keys.
      const replaced = seeds.slice(0, 50);
      await index.add(replaced.map((s) => ({ key: `k${s}`, image: fakeImage(s + 500_000), version: '2' })), fake);
      const removed = seeds.filter((s) => s % 3 === 1);
      expect(await index.remove(removed.map((s) => `k${s}`))).toBe(removed.length);
      const live = seeds.filter((s) => s % 3 !== 1);
      const liveSeeds = live.map((s) => (s < 50 ? s + 500_000 : s));
      const [hits] = await index.search(gpu, query, 1, 600); // more than the kernel keeps: CPU top-K of GPU scores
      const { order } = bruteForce(liveSeeds, query, 600, precision);
      expect(hits!.map((h) => h.key)).toEqual(order.map((i) => `k${live[i]}`));
      expect(index.size).toBe(live.length);
      // Changes in descending row order (dirty ranges out of order), from the last segment to the first.
      const seedOfKey = new Map(live.map((s) => [`k${s}`, s < 50 ? s + 500_000 : s]));
      const doomed = index.keys().filter((_, row) => row % 7 === 0).reverse(); // keys() is in row order
      await index.remove(doomed);
      doomed.forEach((key) => seedOfKey.delete(key));
      await index.add(fakeItems([700_001, 700_002, 700_003]), fake);
      for (const s of [700_001, 700_002, 700_003]) seedOfKey.set(`k${s}`, s);
      const afterKeys = [...seedOfKey.keys()];
      const [again] = await index.search(gpu, query, 1, 50);
      const expected = bruteForce(afterKeys.map((k) => seedOfKey.get(k)!), query, 50, precision);
      expect(again!.map((h) => h.key)).toEqual(expected.order.map((i) => afterKeys[i]));
      index.dispose();
    });
  }

  it('small batches are merged into chunks as they pile up; a reopened index reads them all', async () => {
    const store = memoryVectorStore();
    const index = await ImageIndex.open(store, 'chunks', { defaultModel: 'fake' });
    const seeds = Array.from({ length: 90 }, (_, i) => i);
    await index.add(fakeItems(seeds), fake, { batchSize: 1 });
    const chunkKeys = () => [...store.entries.values()].filter(([key]) => key[0] === 'chunk' && key[1] === 'chunks');
    expect(chunkKeys().length).toBe(1);
    await index.remove(['k5', 'k6']);
    const reopened = await ImageIndex.open(store, 'chunks', { defaultModel: 'fake' });
    expect(reopened.size).toBe(88);
    expect(reopened.keys().sort()).toEqual(seeds.filter((s) => s !== 5 && s !== 6).map((s) => `k${s}`).sort());
    expect(Array.from(reopened.vectorOf('k7'))).toEqual(Array.from(f16ArrayToF32(f32ArrayToF16(unit(7)))));
  });

  it('refuses to open, add to or import into an index of another model, with a clear error', async () => {
    const store = memoryVectorStore();
    const index = await ImageIndex.open(store, 'photos', { model: 'openai/clip-vit-base-patch32', defaultModel: 'x' });
    await index.add(fakeItems([1, 2]), fake);
    const error = await ImageIndex.open(store, 'photos', { model: 'iris/tiny-clip', defaultModel: 'x' }).then(() => null, (e: unknown) => e);
    expect(isIrisError(error, 'bad-input')).toBe(true);
    expect((error as Error).message).toMatch(/holds 2 image embeddings made by openai\/clip-vit-base-patch32; it cannot use iris\/tiny-clip/);
    expect((error as Error).message).toMatch(/never mixed/);
    // Without a model it opens with its own.
    expect((await ImageIndex.open(store, 'photos', { defaultModel: 'x' })).model).toBe('openai/clip-vit-base-patch32');
    // An export of another model is refused too, and nothing changes.
    const other = await ImageIndex.open(memoryVectorStore(), 'other', { model: 'iris/tiny-clip', defaultModel: 'x' });
    await other.add(fakeItems([3]), fake);
    const importError = await index.import(await other.export()).then(() => null, (e: unknown) => e);
    expect(isIrisError(importError, 'bad-input')).toBe(true);
    expect(index.size).toBe(2);
    // An empty index can be re-used for another model.
    await index.clear();
    expect((await ImageIndex.open(store, 'photos', { model: 'iris/tiny-clip', defaultModel: 'x' })).model).toBe('iris/tiny-clip');
  });

  it('export → import round trip (f16 into f32 too), merge and replace', async () => {
    const a = await ImageIndex.open(memoryVectorStore(), 'a', { defaultModel: 'm' });
    await a.add(fakeItems([1, 2, 3]), fake);
    const file = await a.export();
    expect(file.size).toBeGreaterThan(3 * DIM * 2);
    const b = await ImageIndex.open(memoryVectorStore(), 'b', { defaultModel: 'm', precision: 'f32' });
    await b.add(fakeItems([3, 4]), fake);
    expect(await b.import(file)).toBe(3);
    expect(b.keys().sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(Array.from(b.vectorOf('k1'))).toEqual(Array.from(a.vectorOf('k1')));
    await b.import(file, { replace: true });
    expect(b.keys().sort()).toEqual(['k1', 'k2', 'k3']);
    const [hits] = await b.search(gpu, unit(2), 1, 1);
    expect(hits![0]!.key).toBe('k2');
    const broken = await b.import(new Blob(['not an index'])).then(() => null, (e: unknown) => e);
    expect(isIrisError(broken, 'bad-input')).toBe(true);
    b.dispose();
  });

  it('two tabs adding to the same index both keep their images (version-guarded commits)', async () => {
    const store: VectorStore = memoryVectorStore();
    const tab1 = await ImageIndex.open(store, 'shared', { defaultModel: 'm' });
    const tab2 = await ImageIndex.open(store, 'shared', { defaultModel: 'm' });
    await tab1.add(fakeItems([1, 2]), fake);
    await tab2.add(fakeItems([3]), fake); // conflicts, reloads, commits on top
    await tab1.add(fakeItems([4]), fake);
    expect(tab1.keys().sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
    const [hits] = await tab2.search(gpu, unit(4), 1, 4); // picks up tab1's last commit
    expect(hits!.length).toBe(4);
    expect(hits![0]!.key).toBe('k4');
    tab1.dispose();
    tab2.dispose();
  });

  it('deleting an index stops an add in progress; a refused index is deleted without opening it', async () => {
    const store = memoryVectorStore();
    const index = await ImageIndex.open(store, 'gone', { defaultModel: 'm' });
    let dropping: Promise<void> | undefined;
    const error = await index.add(fakeItems(Array.from({ length: 10 }, (_, i) => i)), fake, {
      batchSize: 2, onProgress: (p) => { if (p.embedded >= 2) dropping ??= index.drop(); },
    }).then(() => null, (e: unknown) => e);
    await dropping;
    expect(isIrisError(error, 'aborted')).toBe(true);
    expect((error as Error).message).toMatch(/"gone" was deleted/);
    expect(store.entries.size).toBe(0); // not re-created by the batches after the delete

    await (await ImageIndex.open(store, 'refused', { model: 'a/b', defaultModel: 'm' })).add(fakeItems([1]), fake);
    await expect(ImageIndex.open(store, 'refused', { model: 'c/d', defaultModel: 'm' })).rejects.toThrow(/it cannot use c\/d/);
    await ImageIndex.deleteStored(store, 'refused');
    expect(store.entries.size).toBe(0);
  });

  it('a search on another device (as after a device loss) rebuilds the GPU copy from the table', async () => {
    const index = await ImageIndex.open(memoryVectorStore(), 'device', { defaultModel: 'm' });
    await index.add(fakeItems([1, 2, 3, 4]), fake);
    const [before] = await index.search(gpu, unit(2), 1, 4);
    const other = await createDawnGpu();
    try {
      const [after] = await index.search(other, unit(2), 1, 4);
      expect(after).toEqual(before);
      expect(after![0]!.key).toBe('k2');
    } finally {
      index.dispose();
      other.destroy();
    }
  });
});

describe('retrieval benchmark', () => {
  it('runs at small sizes (test/bench/retrieval-bench.ts, for npm run bench)', async () => {
    const report = await runRetrievalBench(gpu, { runtime: 'vitest', sizes: [100, 1500], reps: 3, indexImages: 0 });
    expect(report.query.map((r) => r.vectors)).toEqual(gpu.features.f16 ? [100, 100, 1500, 1500] : [100, 1500]);
    expect(report.query.every((r) => r.medianMs > 0)).toBe(true);
    expect(formatRetrievalReport(report)).toMatch(/1,500 +512/);
  });
});
