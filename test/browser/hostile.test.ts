// Issue 17 in headless Chromium: two tabs on one model (real IndexedDB and Web Locks), a tab closed
// mid-download, a full disk, arguments checked before any download, a request cancelled in the queue,
// device loss with queued requests, and GPU memory freed on delete.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { GOLDEN_DIR } from '../helpers/golden';
import { HubServer } from '../helpers/hub-server';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import type { LoadArgs, LoadResult } from './pages/weights';
import type { CachedModel } from '../../src/weights/weight-cache';

const CLIP = 'iris-test/tiny-clip';
const OTHER = 'iris-test/tiny-git';
const FILES = { files: ['config.json', 'model.safetensors'] };
const clipBytes = readFileSync(join(GOLDEN_DIR, 'clip', 'model.safetensors')).byteLength;

let browser: Browser;
let server: HubServer;
let pages: Page[];
let db = 0;
beforeAll(async () => {
  server = await HubServer.start({ repos: { [CLIP]: 'clip', [OTHER]: 'git' } });
  browser = await launchChromium();
  pages = [browser.page, await browser.context.newPage()];
  for (const page of pages) {
    await page.goto(`${inject('baseUrl')}/test/browser/pages/weights.html`);
    await page.waitForFunction(() => 'irisWeights' in window, null, { timeout: 60_000 });
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(() => server.resetLog());

type Weights = { load(args: LoadArgs): Promise<LoadResult>; list(db: string): Promise<CachedModel[]>; remove(db: string, repo: string): Promise<void> };
function call<K extends keyof Weights>(page: Page, name: K, ...args: Parameters<Weights[K]>): Promise<Awaited<ReturnType<Weights[K]>>> {
  const run = ([n, a]: [string, unknown[]]) => ((window as unknown as { irisWeights: Record<string, (...x: unknown[]) => unknown> }).irisWeights[n]!)(...a);
  return evaluateWithin(page, run, [name, args], 60_000, `irisWeights.${name}`) as Promise<Awaited<ReturnType<Weights[K]>>>;
}
const args = (database: string, extra: Partial<LoadArgs> = {}): LoadArgs => ({ baseUrl: server.url, db: database, repo: CLIP, ...FILES, ...extra });

/** A database holding the other model first; returns a check that it is still whole. */
async function withOtherModel(database: string): Promise<() => Promise<void>> {
  expect((await call(pages[0]!, 'load', args(database, { repo: OTHER }))).error).toBeUndefined();
  const before = (await call(pages[0]!, 'list', database)).find((m) => m.repo === OTHER)!;
  expect(before.bytes).toBeGreaterThan(0);
  return async () => expect((await call(pages[1]!, 'list', database)).find((m) => m.repo === OTHER)).toEqual(before);
}

describe('two tabs, one model', () => {
  it('both load at once: one downloads, the other waits for its lock and reads the cache', async () => {
    const database = `tabs-${db++}`;
    const otherIntact = await withOtherModel(database);
    server.resetLog();
    server.fault({ kind: 'slow', repo: CLIP, file: 'model.safetensors', minBytes: 100_000, bytesPerTick: 64 * 1024, tickMs: 20 });
    const [a, b] = await Promise.all(pages.map((page) => call(page, 'load', args(database))));
    expect(a.error).toBeUndefined();
    expect(b.error).toBeUndefined();
    expect(b.sha256).toEqual(a.sha256);
    expect(server.bytesServed('model.safetensors', CLIP)).toBe(clipBytes);
    await otherIntact();
  });

  it('a delete in one tab waits for the load in the other; nothing is written back', async () => {
    const database = `tabs-${db++}`;
    const otherIntact = await withOtherModel(database);
    server.fault({ kind: 'slow', repo: CLIP, file: 'model.safetensors', minBytes: 100_000, bytesPerTick: 32 * 1024, tickMs: 20 });
    const loading = call(pages[0]!, 'load', args(database));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await call(pages[1]!, 'remove', database, CLIP);
    await loading;
    expect((await call(pages[1]!, 'list', database)).map((m) => m.repo)).toEqual([OTHER]);
    await otherIntact();
  });
});

describe('a tab closed mid-download', () => {
  it('keeps what arrived (the growing chunk is stored every second); the next tab resumes from it', async () => {
    const database = `closed-${db++}`;
    const closing = await browser.context.newPage();
    await closing.goto(`${inject('baseUrl')}/test/browser/pages/weights.html`);
    await closing.waitForFunction(() => 'irisWeights' in window, null, { timeout: 60_000 });
    server.fault({ kind: 'slow', repo: CLIP, file: 'model.safetensors', minBytes: 100_000, bytesPerTick: 8 * 1024, tickMs: 50 });
    // One chunk larger than the file: only the timed store can keep anything.
    void closing.evaluate((a) => (window as unknown as { irisWeights: { load(x: LoadArgs): Promise<unknown> } }).irisWeights.load(a), args(database, { chunkSize: 16 * 2 ** 20 })).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await closing.close();
    const partial = (await call(pages[0]!, 'list', database)).find((m) => m.repo === CLIP);
    expect(partial).toMatchObject({ complete: false });
    expect(partial!.partialBytes).toBeGreaterThan(0);
    server.resetLog();
    const resumed = await call(pages[0]!, 'load', args(database, { chunkSize: 16 * 2 ** 20 }));
    expect(resumed.error).toBeUndefined();
    expect(server.requests('model.safetensors', CLIP).at(-1)!.range).toBe(`bytes=${partial!.partialBytes}-`);
  });
});

describe('a full disk', () => {
  it('DataError "Failed to write blobs" is quota-exceeded, the advice is true, and the other model is intact', async () => {
    const database = `disk-${db++}`;
    const otherIntact = await withOtherModel(database);
    const config = readFileSync(join(GOLDEN_DIR, 'clip', 'config.json')).byteLength;
    const result = await call(pages[0]!, 'load', args(database, { quotaLimitBytes: config + 2 * 64 * 1024, diskFull: true }));
    expect(result.error).toMatchObject({ code: 'quota-exceeded', message: expect.stringMatching(/MiB of model\.safetensors are kept, and the download resumes from there/) });
    expect((await call(pages[0]!, 'list', database)).find((m) => m.repo === CLIP)).toMatchObject({ complete: false, partialBytes: 2 * 64 * 1024 });
    await otherIntact();
  });
});

describe('the API under hostile calls (tiny models)', () => {
  let api: Page;
  beforeAll(async () => {
    api = await browser.context.newPage();
    await api.goto(`${inject('baseUrl')}/test/browser/pages/api.html`);
    await api.waitForFunction(() => 'irisApi' in window, null, { timeout: 60_000 });
    await evaluateWithin(api, () => window.irisApi.start(), null, 60_000, 'createIris');
  });

  it('bad arguments are bad-input before any download, also with the Hub unreachable', async () => {
    const r = await evaluateWithin(api, async () => {
      const { createIris } = window.irisApi as unknown as { createIris: typeof import('../../src/index').createIris };
      const offline = await createIris({ baseUrl: 'http://127.0.0.1:9' });
      const image = window.irisApi.testImage();
      const hub = 'openai/clip-vit-base-patch32';
      return {
        labels: await window.irisApi.attempt(() => offline.classify(image, [], { model: hub })),
        topK: await window.irisApi.attempt(() => offline.classify(image, ['cat', 'dog'], { model: hub, topK: 0 })),
        beams: await window.irisApi.attempt(() => offline.caption(image, { model: 'microsoft/git-base-coco', numBeams: 0 })),
        good: await window.irisApi.attempt(() => offline.classify(image, ['cat', 'dog'], { model: hub })), // reaches the network: fails there
      };
    }, null, 120_000, 'offline bad input');
    expect(r.labels).toMatchObject({ ok: false, code: 'bad-input' });
    expect(r.topK).toMatchObject({ ok: false, code: 'bad-input' });
    expect(r.beams).toMatchObject({ ok: false, code: 'bad-input' });
    expect(r.good).toMatchObject({ ok: false, code: 'download-failed' });
  });

  it('an undecodable or empty image is bad-image before any download, for every request that takes one, also with the Hub unreachable', async () => {
    const r = await evaluateWithin(api, async () => {
      const { createIris } = window.irisApi as unknown as { createIris: typeof import('../../src/index').createIris };
      const offline = await createIris({ baseUrl: 'http://127.0.0.1:9' });
      const { attempt } = window.irisApi;
      const garbage = new Blob([new TextEncoder().encode('not an image')], { type: 'image/png' });
      const empty = new Blob([]);
      const clip = 'openai/clip-vit-base-patch32';
      return {
        classify: await attempt(() => offline.classify(garbage, ['cat', 'dog'], { model: clip })),
        caption: await attempt(() => offline.caption(empty, { model: 'microsoft/git-base-coco' })),
        ask: await attempt(() => offline.ask(garbage, 'what is this?', { model: 'microsoft/git-base-vqav2' })),
        embedImage: await attempt(() => offline.embedImage(empty, { model: clip })),
        rankTexts: await attempt(() => offline.rankTexts(garbage, ['a cat', 'a dog'], { model: clip })),
        good: await attempt(() => offline.embedImage(window.irisApi.testImage(), { model: clip })), // reaches the network: fails there
      };
    }, null, 120_000, 'offline bad images');
    for (const request of ['classify', 'caption', 'ask', 'embedImage', 'rankTexts'] as const) {
      expect(r[request], request).toMatchObject({ ok: false, code: 'bad-image' });
    }
    expect(r.good).toMatchObject({ ok: false, code: 'download-failed' });
  });

  it('a request cancelled while queued rejects at once, before the request ahead of it ends', async () => {
    const order = await evaluateWithin(api, async () => {
      const { iris, testImage } = window.irisApi;
      const seen: string[] = [];
      await iris.classify(testImage(), ['a', 'b'], { model: 'iris/tiny-clip' }); // loaded: only the queue matters
      const ahead = iris.caption(testImage(), { model: 'iris/tiny-git', maxNewTokens: 30 }).then(() => seen.push('ahead done'));
      const controller = new AbortController();
      const queued = window.irisApi.attempt(() => iris.classify(testImage(), ['a', 'b'], { model: 'iris/tiny-clip', signal: controller.signal }))
        .then((r) => seen.push(`queued ${r.ok ? 'ok' : r.code}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      await Promise.all([ahead, queued]);
      return seen;
    }, null, 240_000, 'queued abort');
    expect(order).toEqual(['queued aborted', 'ahead done']);
  });

  it('a lost device: the in-flight request is device-lost at most, and every queued one runs on the new device', async () => {
    const r = await evaluateWithin(api, async () => {
      const { iris, testImage } = window.irisApi;
      const image = testImage(32, 32);
      await iris.classify(image, ['x', 'y'], { model: 'iris/tiny-clip' });
      const before = await iris.debug.stats();
      const requests = Array.from({ length: 5 }, () => window.irisApi.attempt(() => iris.classify(image, ['x', 'y'], { model: 'iris/tiny-clip' })));
      await new Promise((resolve) => setTimeout(resolve, 5));
      await iris.debug.loseDevice();
      const results = (await Promise.all(requests)).map((x) => (x.ok ? 'ok' : x.code));
      return { results, before, after: await iris.debug.stats() };
    }, null, 240_000, 'device loss');
    expect(r.after.deviceGeneration).toBe(r.before.deviceGeneration + 1);
    expect(r.results.filter((x) => x !== 'ok').every((x) => x === 'device-lost')).toBe(true);
    expect(r.results.filter((x) => x !== 'ok').length).toBeLessThanOrEqual(1);
    expect(r.results.slice(1)).toEqual(r.results.slice(1).map(() => 'ok'));
  });

  it('deleting a model frees its GPU memory, weights and activation buffers both', async () => {
    const r = await evaluateWithin(api, async () => {
      const { iris, testImage } = window.irisApi;
      await iris.classify(testImage(), ['x', 'y'], { model: 'iris/tiny-clip' });
      const loaded = (await iris.debug.stats()).gpuBytes;
      await iris.cache.delete('iris/tiny-git');
      await iris.cache.delete('iris/tiny-clip');
      return { loaded, deleted: (await iris.debug.stats()).gpuBytes };
    }, null, 240_000, 'gpu bytes');
    expect(r.loaded.weights).toBeGreaterThan(0);
    expect(r.loaded.activations).toBeGreaterThan(0);
    expect(r.deleted).toEqual({ weights: 0, activations: 0 });
  });
});
