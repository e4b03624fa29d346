// The demo app as people get it (`vite build` + `vite preview`, like `npm start`), in headless Chromium with
// the bundled tiny models: classify and caption a sample through the UI and check the screen shows what the
// library API returns; then go offline (network off and the server stopped), reload, and do it again from
// the service worker's shell and the IndexedDB weights. And without WebGPU: the "unavailable" page.
// Screenshots of the main states go to test-results/screenshots/ for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { evaluateWithin, launchChromium, type Browser } from './chromium';

const SCREENSHOTS = 'test-results/screenshots';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const LABELS = ['cat', 'dog', 'car', 'house', 'sunset', 'apple'];
const TEMPLATE = 'a photo of a {label}.';
/** Short captions: the tiny GIT decodes about one token per second on SwiftShader. */
const MAX_TOKENS = 4;

let outDir: string;
let server: PreviewServer;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  outDir = mkdtempSync(join(tmpdir(), 'iris-demo-'));
  // A production build, as `npm start` makes (vitest sets NODE_ENV=test, which would make a development one).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  server = await preview({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no TCP address');
  origin = `http://127.0.0.1:${address.port}`;
  // A fake camera (a test pattern) that needs no permission prompt.
  browser = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  await browser.page.setViewportSize(DESKTOP);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });

async function openDemo(page: Page): Promise<void> {
  await page.goto(origin);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
}

/** The bars on screen: [label, "12.3%"] best first. */
function barsOnScreen(page: Page): Promise<[string, string][]> {
  return page.$$eval('#zs-bars li', (items) =>
    items.map((li) => [li.querySelector('.bar-label')!.textContent!, li.querySelector('.bar-value')!.textContent!] as [string, string]));
}

/** The same classification through the library API, formatted as the screen shows it. */
function barsFromApi(page: Page): Promise<[string, string][]> {
  return evaluateWithin(page, async ({ labels, template }) => {
    const demo = window.irisDemo!;
    const result = await demo.iris.classify(demo.image()!, labels, { model: 'iris/tiny-clip', templates: [template] });
    return result.labels.map((l) => [l.label, `${(l.score * 100).toFixed(1)}%`] as [string, string]);
  }, { labels: LABELS, template: TEMPLATE }, 60_000, 'API classify');
}

async function classifyThroughUi(page: Page): Promise<[string, string][]> {
  await page.getByRole('tab', { name: 'Zero-shot labels' }).click();
  await page.getByRole('button', { name: 'Classify' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#zs-bars li').length === 6 && document.querySelector('#zs-run')!.textContent === 'Classify', null, { timeout: 120_000 });
  return barsOnScreen(page);
}

/** Captions through the UI; returns the final text and every text the caption showed on the way. */
async function captionThroughUi(page: Page): Promise<{ text: string; seen: string[] }> {
  await page.getByRole('tab', { name: 'Caption' }).click();
  await page.getByLabel('Longest caption').fill(String(MAX_TOKENS));
  await page.evaluate(() => {
    const seen: string[] = [];
    const caption = document.querySelector('#cap-text')!;
    new MutationObserver(() => seen.push(caption.textContent ?? '')).observe(caption, { childList: true, characterData: true, subtree: true });
    Object.assign(window, { captionSeen: seen });
  });
  await page.getByRole('button', { name: 'Caption', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('#cap-timing')!.textContent !== '' && document.querySelector('#cap-run')!.textContent === 'Caption', null, { timeout: 120_000 });
  return page.evaluate(() => ({
    text: document.querySelector('#cap-text')!.textContent ?? '',
    seen: (window as unknown as { captionSeen: string[] }).captionSeen.filter((t) => t !== ''),
  }));
}

function captionFromApi(page: Page, numBeams: number): Promise<string> {
  return evaluateWithin(page, async ({ beams, max }) => {
    const demo = window.irisDemo!;
    return (await demo.iris.caption(demo.image()!, { model: 'iris/tiny-git', numBeams: beams, maxNewTokens: max })).text;
  }, { beams: numBeams, max: MAX_TOKENS }, 60_000, 'API caption');
}

describe('demo app (built, served by vite preview)', () => {
  let online: { bars: [string, string][]; caption: string };

  it('classifies a sample image through the UI, as the library API does', async () => {
    const { page } = browser;
    await openDemo(page);
    // No network to the Hub here: pick the bundled tiny models, as a person would.
    await page.locator('#zs-model').selectOption('iris/tiny-clip');
    await page.getByRole('tab', { name: 'Caption' }).click();
    await page.locator('#cap-model').selectOption('iris/tiny-git');
    await page.getByRole('tab', { name: 'Zero-shot labels' }).click();
    await page.getByRole('button', { name: /Sample: a drawing of a ginger cat/ }).click();
    await page.waitForFunction(() => (document.querySelector('#preview') as HTMLImageElement).complete && document.querySelector('#drop')!.getAttribute('data-empty') === 'false');
    await shot(page, 'desktop-1-image');

    await page.getByRole('button', { name: 'Classify' }).click();
    await page.locator('#zs-load .load-steps').waitFor({ state: 'visible', timeout: 60_000 });
    await shot(page, 'desktop-2-loading');
    await page.waitForFunction(() => document.querySelectorAll('#zs-bars li').length === 6, null, { timeout: 120_000 });
    const bars = await barsOnScreen(page);
    expect(bars.map(([label]) => label).sort()).toEqual([...LABELS].sort());
    expect(bars).toEqual(await barsFromApi(page));
    await expect.poll(() => page.locator('#zs-timing').textContent()).toMatch(/^\d+ ms per image · 6 labels$/);
    expect(await page.locator('#zs-load .load-summary').textContent()).toMatch(/^Tiny CLIP loaded in .* shader pipelines in /);
    await shot(page, 'desktop-3-zero-shot');
    online = { bars, caption: '' };
  });

  it('captions it token by token, greedy and with beam search, as the library API does', async () => {
    const { page } = browser;
    const greedy = await captionThroughUi(page);
    expect(greedy.text).toBe(await captionFromApi(page, 1));
    expect(greedy.seen.length).toBeGreaterThan(1); // streamed: the text grew on screen
    expect(greedy.seen[greedy.seen.length - 1]).toBe(greedy.text);
    expect(await page.locator('#cap-timing').textContent()).toMatch(/tokens\/s · greedy$/);
    await shot(page, 'desktop-4-caption');
    online.caption = greedy.text;

    await page.getByLabel('Beam search').check();
    await page.getByLabel('Beams').fill('2');
    const beam = await captionThroughUi(page);
    expect(beam.text).toBe(await captionFromApi(page, 2));
    expect(await page.locator('#cap-timing').textContent()).toMatch(/· 2 beams$/);
  });

  it('lists the downloaded models with their sizes in the cache manager', async () => {
    const rows = await browser.page.$$eval('#cache-rows tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows.some((r) => r.includes('iris/tiny-clip') && /\d+(\.\d)? MB/.test(r))).toBe(true);
    expect(rows.some((r) => r.includes('iris/tiny-git'))).toBe(true);
  });

  it('is usable by keyboard and on a phone-sized screen', async () => {
    const { page } = browser;
    await page.getByRole('tab', { name: 'Caption' }).focus();
    await page.keyboard.press('ArrowLeft');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-zero-shot');
    expect(await page.locator('#panel-zero-shot').isVisible()).toBe(true);
    await page.setViewportSize(PHONE);
    // Nothing wider than the screen (no sideways scrolling).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'phone-1-zero-shot');
    await page.getByRole('tab', { name: 'Caption' }).click();
    await shot(page, 'phone-2-caption');
    await page.setViewportSize(DESKTOP);
  });

  it('takes an image from the file picker, a drop, a paste and the camera', async () => {
    const { page } = browser;
    const alt = () => page.locator('#preview').getAttribute('alt');
    await page.getByRole('tab', { name: 'Zero-shot labels' }).click();
    await page.locator('#file').setInputFiles('public/samples/car.png');
    await expect.poll(alt).toBe('The image: car.png');

    const dispatch = (kind: 'drop' | 'paste') => page.evaluate(async (how) => {
      const blob = await (await fetch('/samples/house.png')).blob();
      const data = new DataTransfer();
      data.items.add(new File([blob], `${how}.png`, { type: 'image/png' }));
      const init = { bubbles: true, cancelable: true };
      if (how === 'drop') document.querySelector('#drop')!.dispatchEvent(new DragEvent('drop', { ...init, dataTransfer: data }));
      else document.dispatchEvent(new ClipboardEvent('paste', { ...init, clipboardData: data }));
    }, kind);
    await dispatch('drop');
    await expect.poll(alt).toBe('The image: drop.png');
    await dispatch('paste');
    await expect.poll(alt).toBe('The image: a pasted image');

    await page.getByRole('button', { name: 'Use the camera' }).click();
    await page.locator('#camera-view').waitFor({ state: 'visible' });
    await page.waitForFunction(() => (document.querySelector('#camera-view') as HTMLVideoElement).videoWidth > 0);
    await shot(page, 'desktop-camera');
    await page.getByRole('button', { name: 'Take the photo' }).click();
    await expect.poll(alt).toBe('The image: a photo from the camera');
    expect(await page.evaluate(() => window.irisDemo!.image()!.type)).toBe('image/jpeg');
    // The model is loaded, so a new image is classified at once (unless a run is still busy with the last one).
    await page.locator('#zs-bars[data-image="a photo from the camera"] li').first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#zs-run')!.textContent === 'Classify');
    expect(await page.locator('#zs-error').textContent()).toBe('');
  });

  it('works offline after one visit: the service worker serves the app, IndexedDB the weights', async () => {
    const { page, context } = browser;
    const shell = await evaluateWithin(page, async () => {
      await navigator.serviceWorker.ready;
      const cached: string[] = [];
      for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) cached.push(new URL(request.url).pathname);
      return { controlled: navigator.serviceWorker.controller !== null, cached };
    }, null, 30_000, 'service worker');
    expect(shell.controlled).toBe(true);
    expect(shell.cached).toContain('/index.html');
    expect(shell.cached.some((p) => p.startsWith('/assets/worker-'))).toBe(true);
    expect(shell.cached.filter((p) => p.startsWith('/hub/'))).toEqual([]); // weights are in IndexedDB only

    // No network at all: the browser is offline and the server is gone.
    await server.close();
    await context.setOffline(true);
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    expect(await page.locator('#network').isVisible()).toBe(true);
    expect(await page.locator('#zs-model').inputValue()).toBe('iris/tiny-clip'); // the choice was remembered
    await page.getByRole('button', { name: /Sample: a drawing of a ginger cat/ }).click();
    expect(await classifyThroughUi(page)).toEqual(online.bars);
    await page.getByLabel('Greedy').check();
    expect((await captionThroughUi(page)).text).toBe(online.caption);
    await shot(page, 'desktop-5-offline');
    await context.setOffline(false);
  });

  it('deletes a model from the cache manager', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: /^Delete Tiny CLIP/ }).click();
    await expect.poll(() => page.$$eval('#cache-rows tr', (trs) => trs.map((tr) => tr.textContent ?? '').join('|'))).not.toContain('iris/tiny-clip');
    expect(browser.pageErrors).toEqual([]);
  });
});

describe('without WebGPU', () => {
  it('shows what to do instead of the app, with no uncaught errors', async () => {
    const plain = await launchChromium({ webgpu: false });
    try {
      await plain.page.setViewportSize(DESKTOP);
      await plain.page.goto(`${inject('baseUrl')}/`);
      await plain.page.locator('#unavailable').waitFor({ state: 'visible', timeout: 60_000 });
      expect(await plain.page.getByRole('heading', { name: 'WebGPU is not available in this browser' }).isVisible()).toBe(true);
      expect(await plain.page.locator('#unavailable-reason').textContent()).not.toBe('');
      expect(await plain.page.locator('#tasks').isVisible()).toBe(false);
      await shot(plain.page, 'desktop-6-no-webgpu');
      await plain.page.setViewportSize(PHONE);
      await shot(plain.page, 'phone-3-no-webgpu');
      expect(plain.pageErrors).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
