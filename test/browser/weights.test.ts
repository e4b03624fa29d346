// The weight loader in headless Chromium: cross-origin fetch (CORS) from the Vite page to a local hub server
// in this process, with the cache in the page's real IndexedDB. The server counts requests and bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { GOLDEN_DIR } from '../helpers/golden';
import { HubServer } from '../helpers/hub-server';
import { malformedCases } from '../helpers/safetensors-cases';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import type { LoadArgs, LoadResult } from './pages/weights';
import type { CacheKey } from '../../src/weights/cache-store';
import type { CachedModel } from '../../src/weights/weight-cache';

const CLIP = 'iris-test/tiny-clip';
const GIT = 'iris-test/tiny-git';
const FILES = { files: ['config.json', 'model.safetensors'], optionalFiles: ['generation_config.json'] };

function golden(model: string, file: string): { bytes: number; sha256: string } {
  const manifest = JSON.parse(readFileSync(join(GOLDEN_DIR, model, 'manifest.json'), 'utf8')) as { files: { path: string; bytes: number; sha256: string }[] };
  return manifest.files.find((f) => f.path === file)!;
}
const clipWeights = golden('clip', 'model.safetensors');
const clipHeader = (() => {
  const bytes = readFileSync(join(GOLDEN_DIR, 'clip', 'model.safetensors'));
  return 8 + Number(bytes.readBigUInt64LE(0));
})();
const clipDigests = { 'config.json': golden('clip', 'config.json').sha256, 'model.safetensors': clipWeights.sha256, 'generation_config.json': null };

type PageApi = {
  load(args: LoadArgs): Promise<LoadResult>;
  corruptChunk(db: string, repo: string, file: string, index: number, how: 'flip' | 'truncate'): Promise<boolean>;
  canFetch(url: string): Promise<boolean>;
  list(db: string): Promise<CachedModel[]>;
  remove(db: string, repo: string): Promise<void>;
  clear(db: string): Promise<void>;
  keys(db: string): Promise<CacheKey[]>;
};

let browser: Browser;
let server: HubServer;
beforeAll(async () => {
  server = await HubServer.start({ repos: { [CLIP]: 'clip', [GIT]: 'git' } });
  browser = await launchChromium();
  await browser.page.goto(`${inject('baseUrl')}/test/browser/pages/weights.html`);
  await browser.page.waitForFunction(() => 'irisWeights' in window, null, { timeout: 60_000 });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(() => {
  server.resetLog();
  server.ranges = true;
});

/** Calls window.irisWeights[name](...args) on the page. */
function call<K extends keyof PageApi>(name: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
  const run = ([n, a]: [string, unknown[]]) => ((window as unknown as { irisWeights: Record<string, (...x: unknown[]) => unknown> }).irisWeights[n]!)(...a);
  return evaluateWithin(browser.page, run, [name, args], 60_000, `irisWeights.${name}`) as Promise<Awaited<ReturnType<PageApi[K]>>>;
}

function load(args: Omit<LoadArgs, 'baseUrl'>): Promise<LoadResult> {
  return call('load', { baseUrl: server.url, ...args });
}

function expectMonotonic(progress: LoadResult['progress']): void {
  for (let i = 1; i < progress.length; i++) {
    expect(progress[i]!.bytesDone).toBeGreaterThanOrEqual(progress[i - 1]!.bytesDone);
    const previous = progress.slice(0, i).filter((p) => p.file === progress[i]!.file).at(-1);
    if (previous) expect(progress[i]!.fileBytesDone).toBeGreaterThanOrEqual(previous.fileBytesDone);
  }
  const last = progress.at(-1)!;
  expect(last.bytesDone).toBe(last.bytesTotal);
}

describe('weight loader in Chromium', () => {
  it('first load reads the header by Range, streams with monotonic progress; the second makes no request', async () => {
    const first = await load({ db: 'first', repo: CLIP, ...FILES });
    expect(first.error).toBeUndefined();
    expect(first.sha256).toEqual(clipDigests);
    expect(first.resolvedRevision).toBe(server.commitOf(CLIP));
    expect(first.progress.filter((p) => p.file === 'model.safetensors').length).toBeGreaterThan(5);
    expectMonotonic(first.progress);
    expect(first.progress.at(-1)!.bytesTotal).toBe(golden('clip', 'config.json').bytes + clipWeights.bytes);
    const data = server.requests('model.safetensors').filter((r) => r.status === 206).map((r) => r.range);
    expect(data).toEqual(['bytes=0-7', `bytes=8-${clipHeader - 1}`, `bytes=${clipHeader}-`]);
    expect(server.bytesServed('model.safetensors')).toBe(clipWeights.bytes);

    server.resetLog();
    const second = await load({ db: 'first', repo: CLIP, ...FILES });
    expect(second.sha256).toEqual(clipDigests);
    expect(server.log).toEqual([]); // not even a CORS preflight
    expect(await call('list', 'first')).toEqual([expect.objectContaining({ repo: CLIP, requestedAs: ['main'], bytes: golden('clip', 'config.json').bytes + clipWeights.bytes, partialBytes: 0 })]);
  });

  // Playwright's setOffline (DevTools network emulation) fails every request from the page, 127.0.0.1
  // included, as the canFetch probe below shows; the page's modules are all loaded before it goes offline.
  it('a cached model loads with the network off (which does cut 127.0.0.1: an uncached model fails)', async () => {
    expect((await load({ db: 'offline', repo: CLIP, ...FILES })).error).toBeUndefined();
    server.resetLog();
    await browser.context.setOffline(true);
    try {
      const probe = `${server.url}/${CLIP}/resolve/main/config.json`;
      expect(await call('canFetch', probe)).toBe(false);
      expect((await load({ db: 'offline', repo: GIT, ...FILES })).error).toMatchObject({ code: 'download-failed' });
      const cached = await load({ db: 'offline', repo: CLIP, ...FILES });
      expect(cached.error).toBeUndefined();
      expect(cached.sha256).toEqual(clipDigests);
    } finally {
      await browser.context.setOffline(false);
    }
    expect(server.log).toEqual([]);
  });

  it('a dropped connection resumes from the first missing byte; so does an abort', async () => {
    const dropAt = Math.floor((clipWeights.bytes - clipHeader) * 0.4); // into the tensor data
    server.fault({ kind: 'drop', file: 'model.safetensors', afterBytes: dropAt });
    expect((await load({ db: 'resume', repo: CLIP, ...FILES })).error).toMatchObject({ code: 'download-failed' });
    const stopped = clipHeader + dropAt;
    expect(await call('list', 'resume')).toEqual([expect.objectContaining({ partialBytes: stopped })]);
    const resumed = await load({ db: 'resume', repo: CLIP, ...FILES });
    expect(resumed.sha256).toEqual(clipDigests);
    expect(server.requests('model.safetensors').at(-1)!.range).toBe(`bytes=${stopped}-`);
    expect(server.bytesServed('model.safetensors')).toBe(clipWeights.bytes); // every byte exactly once

    server.resetLog();
    server.fault({ kind: 'slow', file: 'model.safetensors', minBytes: Math.floor(clipWeights.bytes / 6), bytesPerTick: 32 * 1024, tickMs: 10 });
    const aborted = await load({ db: 'abort', repo: CLIP, ...FILES, abortAfterBytes: Math.floor(clipWeights.bytes / 3) });
    expect(aborted.error).toMatchObject({ code: 'aborted' });
    const reached = aborted.progress.filter((p) => p.file === 'model.safetensors').at(-1)!.fileBytesDone;
    expect((await load({ db: 'abort', repo: CLIP, ...FILES })).sha256).toEqual(clipDigests);
    const resume = server.requests('model.safetensors').at(-1)!;
    const from = Number(/^bytes=(\d+)-$/.exec(resume.range!)![1]);
    expect(from).toBeGreaterThanOrEqual(reached);
    // The resumed request carried only the missing bytes. (What the aborted request had in flight when the
    // abort landed depends on machine load, so it is not bounded here.)
    expect(resume.bytes).toBe(clipWeights.bytes - from);
  });

  it('each malformed safetensors file is its typed error, and nothing of it is cached', async () => {
    const cases = malformedCases();
    for (const [i, c] of cases.entries()) server.addFile(`iris-test/bad-${i}`, 'model.safetensors', c.bytes);
    for (const [i, c] of cases.entries()) {
      const result = await load({ db: 'malformed', repo: `iris-test/bad-${i}`, files: ['model.safetensors'] });
      expect(result.error, c.name).toMatchObject({ code: 'safetensors-invalid', message: expect.stringMatching(c.reason) });
      expect(result.error!.message).toMatch(/^model\.safetensors is not a valid safetensors file/);
    }
    expect(await call('keys', 'malformed')).toEqual([]);
  });

  it('QuotaExceededError mid-write (simulated by the injected store): typed error, other models intact', async () => {
    expect((await load({ db: 'quota', repo: CLIP, ...FILES })).error).toBeUndefined();
    const full = await load({ db: 'quota', repo: GIT, ...FILES, quotaLimitBytes: Math.floor(golden('git', 'model.safetensors').bytes / 3) });
    expect(full.error).toMatchObject({ code: 'quota-exceeded', message: expect.stringMatching(/model.safetensors of iris-test\/tiny-git/) });
    const cached = await call('list', 'quota');
    expect(cached.find((m) => m.repo === CLIP)).toMatchObject({ bytes: golden('clip', 'config.json').bytes + clipWeights.bytes, partialBytes: 0 });
    expect(cached.find((m) => m.repo === GIT)!.files.map((f) => f.file)).not.toContain('model.safetensors');
    server.resetLog();
    expect((await load({ db: 'quota', repo: CLIP, ...FILES })).sha256).toEqual(clipDigests);
    expect(server.log).toEqual([]);

    await call('remove', 'quota', GIT);
    expect((await call('list', 'quota')).map((m) => m.repo)).toEqual([CLIP]);
    await call('clear', 'quota');
    expect(await call('keys', 'quota')).toEqual([]);
  });

  it('a corrupted chunk is detected (sha256, or its length), removed and fetched again', async () => {
    expect((await load({ db: 'corrupt', repo: CLIP, ...FILES })).error).toBeUndefined();
    for (const [how, reason] of [['flip', /sha256 does not match/], ['truncate', /wrong length/]] as const) {
      expect(await call('corruptChunk', 'corrupt', CLIP, 'model.safetensors', 4, how)).toBe(true);
      server.resetLog();
      const repaired = await load({ db: 'corrupt', repo: CLIP, ...FILES });
      expect(repaired.warnings).toEqual([expect.objectContaining({ code: 'cache-corrupt', message: expect.stringMatching(reason) })]);
      expect(repaired.sha256).toEqual(clipDigests);
      expect(server.bytesServed('model.safetensors')).toBe(clipWeights.bytes);
      expect(server.requests('config.json')).toEqual([]);
    }
  });

  it('a server without Range support: one full download, with progress; HTTP errors reach the page as typed errors', async () => {
    server.ranges = false;
    const result = await load({ db: 'no-range', repo: GIT, ...FILES, upload: ['git.embeddings.word_embeddings.weight', 'git.embeddings.LayerNorm.bias'] });
    expect(result.error).toBeUndefined();
    expect(result.sha256!['model.safetensors']).toBe(golden('git', 'model.safetensors').sha256);
    expect(server.requests('model.safetensors').map((r) => r.status)).toEqual([302, 200]);
    expect(result.progress.filter((p) => p.file === 'model.safetensors').length).toBeGreaterThan(5);
    expectMonotonic(result.progress);
    expect(result.uploads).toEqual({
      'git.embeddings.word_embeddings.weight': { dtype: expect.stringMatching(/^f(16|32)$/), maxDiff: expect.any(Number) },
      'git.embeddings.LayerNorm.bias': { dtype: 'f32', maxDiff: 0 },
    });
    const embedding = result.uploads!['git.embeddings.word_embeddings.weight']!;
    expect(embedding.maxDiff).toBeLessThanOrEqual(embedding.dtype === 'f32' ? 0 : 1e-3);

    server.fault({ kind: 'status', file: 'config.json', status: 500 });
    expect((await load({ db: 'errors', repo: CLIP, ...FILES })).error).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/answered 500/) });
  });
});
