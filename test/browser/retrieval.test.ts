// Retrieval through createIris in headless Chromium (real IndexedDB, the worker, SwiftShader WebGPU) with the
// tiny CLIP: index synthetic PNG Files, search by text, image and key; the index survives a page reload and
// re-adding the same files embeds nothing; a wrong-model open is refused; export/import; image → texts.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { evaluateWithin, launchChromium, type Browser } from './chromium';

declare global {
  interface Window {
    retrievalApi: {
      start(): Promise<{ description: string }>;
      iris: import('../../src/index').Iris;
      photo(name: string, seed: number, lastModified?: number): Promise<File>;
      attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }>;
    };
  }
}

let browser: Browser;
const open = async () => {
  await browser.page.goto(`${inject('baseUrl')}/test/browser/pages/retrieval.html`);
  await browser.page.waitForFunction(() => 'retrievalApi' in window, null, { timeout: 60_000 });
  await evaluateWithin(browser.page, () => window.retrievalApi.start(), null, 60_000, 'createIris');
};
beforeAll(async () => {
  browser = await launchChromium();
  await open();
});
afterAll(async () => browser?.close());

const run = <T>(fn: () => Promise<T>, what: string, ms = 240_000) => evaluateWithin(browser.page, fn, null, ms, what);

describe('a photo index through createIris (tiny CLIP)', () => {
  let firstHits: { key: string; score: number }[];

  it('indexes 3 PNG Files, skips a text file with its reason, and searches by text, image and key', async () => {
    const r = await run(async () => {
      const { iris, photo } = window.retrievalApi;
      // f32 storage: the tiny CLIP's random weights give these images embeddings with cosines near 1.
      const index = await iris.index('photos', { model: 'iris/tiny-clip', precision: 'f32' });
      const files = [await photo('red.png', 1), await photo('green.png', 2), await photo('blue.png', 3), new File(['hello'], 'notes.txt', { type: 'text/plain' })];
      const progress: number[] = [];
      const added = await index.add(files, { onProgress: (p) => progress.push(p.processed) });
      const byText = await index.search('a photo of a cat', { topK: 10 });
      const byImage = await index.search(await photo('green.png', 2), { topK: 1 });
      const byKey = await index.search({ key: 'blue.png' }, { topK: 3 });
      return { added, progress, byText, byImage, byKey, size: index.size, lastSearch: index.lastSearch };
    }, 'index and search');
    expect(r.added).toMatchObject({ added: 3, updated: 0, unchanged: 0, size: 3 });
    expect(r.added.skipped).toEqual([{ key: 'notes.txt', reason: 'not-an-image', message: 'text/plain is not an image type.' }]);
    expect(r.progress[r.progress.length - 1]).toBe(4);
    expect(r.size).toBe(3);
    expect(r.byText.map((h) => h.key).sort()).toEqual(['blue.png', 'green.png', 'red.png']);
    expect(r.byText.map((h) => h.score)).toEqual([...r.byText.map((h) => h.score)].sort((a, b) => b - a));
    expect(r.byImage).toHaveLength(1);
    expect(r.byImage[0]!.key).toBe('green.png');
    expect(r.byImage[0]!.score).toBeCloseTo(1, 4);
    expect(r.byKey[0]).toMatchObject({ key: 'blue.png' });
    expect(r.lastSearch!.searchMs).toBeGreaterThan(0);
    firstHits = r.byText;
  });

  it('after a page reload the index still has 3 images, search gives the same ranking, re-adding embeds nothing', async () => {
    await browser.page.reload();
    await browser.page.waitForFunction(() => 'retrievalApi' in window, null, { timeout: 60_000 });
    await evaluateWithin(browser.page, () => window.retrievalApi.start(), null, 60_000, 'createIris after reload');
    const r = await run(async () => {
      const { iris, photo } = window.retrievalApi;
      const index = await iris.index('photos');
      const size = index.size;
      const again = await index.add([await photo('red.png', 1), await photo('green.png', 2), await photo('blue.png', 3)]);
      const loadsAfterAdd = (await iris.debug.stats()).loads['iris/tiny-clip'] ?? 0;
      const hits = await index.search('a photo of a cat', { topK: 10 });
      return { size, model: index.model, again, loadsAfterAdd, hits, list: await iris.indexes.list() };
    }, 'after reload');
    expect(r.size).toBe(3);
    expect(r.model).toBe('iris/tiny-clip');
    expect(r.again).toMatchObject({ added: 0, updated: 0, unchanged: 3, size: 3 });
    expect(r.loadsAfterAdd).toBe(0); // nothing to embed: the model was not even loaded
    expect(r.hits.map((h) => h.key)).toEqual(firstHits.map((h) => h.key));
    r.hits.forEach((h, i) => expect(h.score).toBeCloseTo(firstHits[i]!.score, 5));
    expect(r.list).toContainEqual(expect.objectContaining({ name: 'photos', model: 'iris/tiny-clip', size: 3, dim: 32 }));
  });

  it('an index of one model is refused for another, with a clear message', async () => {
    const r = await run(() => window.retrievalApi.attempt(() => window.retrievalApi.iris.index('photos', { model: 'openai/clip-vit-base-patch32' })), 'wrong model');
    expect(r).toMatchObject({ ok: false, code: 'bad-input' });
    expect((r as { message: string }).message).toMatch(/holds 3 image embeddings made by iris\/tiny-clip; it cannot use openai\/clip-vit-base-patch32/);
  });

  it('export → import into another index, remove, and image → texts ranking', async () => {
    const r = await run(async () => {
      const { iris, photo } = window.retrievalApi;
      const photos = await iris.index('photos');
      const file = await photos.export();
      const copy = await iris.index('copy');
      const imported = await copy.import(file);
      const removed = await copy.remove(['red.png', 'nope.png']);
      const keys = (await copy.keys()).sort();
      await iris.indexes.delete('copy');
      const names = (await iris.indexes.list()).map((i) => i.name);
      const ranked = await iris.rankTexts(await photo('red.png', 1), ['a red square', 'a dog', 'a city at night'], { model: 'iris/tiny-clip' });
      return { bytes: file.size, imported, removed, keys, names, ranked };
    }, 'export/import');
    expect(r.imported).toMatchObject({ size: 3, model: 'iris/tiny-clip', precision: 'f32' });
    expect(r.removed).toBe(1);
    expect(r.keys).toEqual(['blue.png', 'green.png']);
    expect(r.names).toEqual(['photos']);
    expect(r.ranked.map((t) => t.text).sort()).toEqual(['a city at night', 'a dog', 'a red square']);
    expect(r.ranked.map((t) => t.score)).toEqual([...r.ranked.map((t) => t.score)].sort((a, b) => b - a));
    expect(browser.pageErrors).toEqual([]);
  });
});
