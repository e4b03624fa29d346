// The demo app as people get it (`vite build` + `vite preview`, like `npm start`), in headless Chromium with
// the bundled tiny models: classify and caption a sample through the UI and check the screen shows what the
// library API returns; then go offline (network off and the server stopped), reload, and do it again from
// the service worker's shell and the IndexedDB weights. And without WebGPU: the "unavailable" page.
// Screenshots of the main states go to test-results/screenshots/ for a person to look at.
// Also: the attention overlays (zero-shot toggle, caption words) against the API's maps, and the Evaluate
// page (COCO captions, a labels CSV, malformed files) against eval's metrics computed here in Node.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { classificationMetrics, scoreCaptions, type CaptionEvalItem } from '../../src/eval';
import { attentionHeatMap } from '../../src/tasks/heat-map';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import { servePreviewBuild, type PreviewBuild } from './preview-build';

const SCREENSHOTS = 'test-results/screenshots';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const LABELS = ['cat', 'dog', 'car', 'house', 'sunset', 'apple'];
const TEMPLATE = 'a photo of a {label}.';
/** Short captions: the tiny GIT decodes about one token per second on SwiftShader. */
const MAX_TOKENS = 4;

let preview: PreviewBuild;
let server: PreviewServer;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  preview = await servePreviewBuild('iris-demo-');
  ({ origin, server } = preview);
  // A fake camera (a test pattern) that needs no permission prompt.
  browser = await launchChromium({ args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  await browser.page.setViewportSize(DESKTOP);
});

afterAll(async () => {
  await browser?.close();
  await preview?.close();
});

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
/** One part of the page (the README's pictures in docs/ are these). */
const partShot = (page: Page, selector: string, name: string) => page.locator(selector).screenshot({ path: `${SCREENSHOTS}/${name}.png` });

async function openDemo(page: Page): Promise<void> {
  await page.goto(origin);
  await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout: 60_000 });
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
  await page.locator('#panel-caption').getByLabel('Longest caption').fill(String(MAX_TOKENS));
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


/** The attention overlay on screen: grid size, every cell's value, and where the grid lies on the image. */
async function overlayOnScreen(page: Page, figure: string) {
  return page.evaluate((id) => {
    const root = document.getElementById(id)!;
    const grid = root.querySelector<HTMLElement>('.attention-grid')!;
    const box = (el: Element) => el.getBoundingClientRect();
    const img = box(root.querySelector('img')!);
    const crop = box(root.querySelector('.attention-crop')!);
    return {
      rows: Number(grid.dataset.rows), cols: Number(grid.dataset.cols),
      values: [...grid.querySelectorAll<HTMLElement>('.attention-cell')].map((c) => Number(c.dataset.value)),
      region: { x: (crop.left - img.left) / img.width, y: (crop.top - img.top) / img.height, width: crop.width / img.width, height: crop.height / img.height, imgWidth: img.width },
    };
  }, figure);
}

function expectRegion(shown: { x: number; y: number; width: number; height: number; imgWidth: number }, api: { x: number; y: number; width: number; height: number }) {
  const px = 1.5 / shown.imgWidth; // layout rounds to device pixels
  for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(shown[key] - api[key]), key).toBeLessThan(px);
}

/** Reads a file the page downloads when `click` runs. */
async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

const SAMPLE_FILES = ['cat.png', 'car.png', 'house.png'];

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

    const panel = page.locator('#panel-caption');
    await panel.getByLabel('Beam search').check();
    await panel.getByLabel('Beams').fill('2');
    const beam = await captionThroughUi(page);
    expect(beam.text).toBe(await captionFromApi(page, 2));
    expect(await page.locator('#cap-timing').textContent()).toMatch(/· 2 beams$/);
  });

  it('shows where each caption word looked: hover, tap or focus a word, the overlay is that token\'s map', async () => {
    const { page } = browser;
    // The beam-search caption of the cat is on screen (attention maps are on by default); the same request
    // through the API gives the maps to compare with.
    const api = await evaluateWithin(page, async ({ max }) => {
      const blob = await (await fetch('/samples/cat.png')).blob();
      const r = await window.irisDemo!.iris.caption(blob, { model: 'iris/tiny-git', numBeams: 2, maxNewTokens: max, attentionMaps: true });
      return { text: r.text, maps: r.tokenAttentions!, tokens: r.captionTokens!, region: r.attentionRegion! };
    }, { max: MAX_TOKENS }, 120_000, 'API caption with attention maps');
    expect(await page.locator('#cap-text').textContent()).toBe(api.text);
    const chips = page.locator('#cap-text .token');
    const words = api.tokens.map((t, k) => ({ ...t, k })).filter((t) => !t.special && t.text.trim() !== '');
    expect(await chips.count()).toBe(words.length);
    expect(await chips.evaluateAll((els) => els.map((el) => Number((el as HTMLElement).dataset.token)))).toEqual(words.map((w) => w.k));
    expect(await page.locator('#cap-attention-figure .attention-cell').count()).toBe(0); // nothing until a word is chosen

    const expectMapOf = async (k: number) => {
      const shown = await overlayOnScreen(page, 'cap-attention-figure');
      const map = attentionHeatMap(api.maps[k]!);
      expect([shown.rows, shown.cols]).toEqual([map.rows, map.cols]);
      expect(shown.values).toHaveLength(map.rows * map.cols);
      shown.values.forEach((v, i) => expect(v).toBeCloseTo(map.values[i]!, 6));
      expectRegion(shown.region, api.region);
    };
    await chips.first().hover();
    expect(await chips.first().getAttribute('aria-pressed')).toBe('true');
    await expectMapOf(words[0]!.k);
    await shot(page, 'desktop-7-caption-attention');
    await partShot(page, '#tasks', 'part-caption-attention');
    if (words.length > 1) {
      await chips.first().focus();
      await page.keyboard.press('ArrowRight'); // roving focus: the arrow keys move between words
      expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.token)).toBe(String(words[1]!.k));
      await expectMapOf(words[1]!.k);
    }
    await page.setViewportSize(PHONE);
    await chips.last().click(); // a tap is a click (and the focus) too
    await expectMapOf(words.at(-1)!.k);
    await shot(page, 'phone-4-caption-attention');
    await page.setViewportSize(DESKTOP);
  });

  it('overlays the zero-shot attention rollout on the image when the toggle is on, over the crop CLIP saw', async () => {
    const { page } = browser;
    await page.getByRole('tab', { name: 'Zero-shot labels' }).click();
    expect(await page.locator('#zs-attention-figure').isVisible()).toBe(false);
    await page.getByLabel('Show where the model looked').check(); // runs again (model loaded) with the map
    await page.locator('#zs-attention-figure .attention-cell').first().waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('#zs-run')!.textContent === 'Classify');
    const api = await evaluateWithin(page, async ({ labels, template }) => {
      const demo = window.irisDemo!;
      const r = await demo.iris.classify(demo.image()!, labels, { model: 'iris/tiny-clip', templates: [template], attentionMap: true });
      return { rows: r.attention!.rows, cols: r.attention!.cols, values: Array.from(r.attention!.values), region: r.attentionRegion! };
    }, { labels: LABELS, template: TEMPLATE }, 60_000, 'API classify with attention map');
    const shown = await overlayOnScreen(page, 'zs-attention-figure');
    expect([shown.rows, shown.cols]).toEqual([api.rows, api.cols]);
    expect(shown.values).toHaveLength(api.rows * api.cols);
    shown.values.forEach((v, i) => expect(v).toBeCloseTo(api.values[i]!, 6));
    // The 320×240 sample: shortest edge to 64 (85×64), centre crop 64×64 from x = 10: the middle of the image.
    expect(api.region).toEqual({ x: 10 / 85, y: 0, width: 64 / 85, height: 1 });
    expectRegion(shown.region, api.region);
    await shot(page, 'desktop-8-zero-shot-attention');
    await partShot(page, '#tasks', 'part-zero-shot-attention');
    await page.setViewportSize(PHONE);
    await shot(page, 'phone-5-zero-shot-attention');
    await page.setViewportSize(DESKTOP);
    await page.getByLabel('Show where the model looked').uncheck();
    expect(await page.locator('#zs-attention-figure').isVisible()).toBe(false);
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

  describe('Evaluate page', () => {
    const samples = SAMPLE_FILES.map((name) => `public/samples/${name}`);
    const json = (value: unknown) => ({ name: 'captions.json', mimeType: 'application/json', buffer: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) });
    const cocoImages = SAMPLE_FILES.map((file_name, i) => ({ id: i + 1, file_name, width: 320, height: 240 }));

    it('names the problem in a malformed captions file before anything runs', async () => {
      const { page } = browser;
      await page.getByRole('link', { name: 'Evaluate' }).click();
      await page.locator('#evaluate').waitFor({ state: 'visible' });
      expect(await page.locator('#image-panel').isVisible()).toBe(false);
      await page.locator('#ev-files').setInputFiles(samples);
      await expect.poll(() => page.locator('#ev-images').textContent()).toBe('3 images.');
      const errorFor = async (value: unknown) => {
        await page.locator('#ev-coco').setInputFiles(json(value));
        await expect.poll(() => page.locator('#ev-error').textContent()).not.toBe('');
        const text = await page.locator('#ev-error').textContent();
        await page.locator('#ev-coco').setInputFiles([]);
        await expect.poll(() => page.locator('#ev-error').textContent()).toBe('');
        return text;
      };
      expect(await errorFor('{"images": [')).toMatch(/^captions\.json: not valid JSON \(/);
      expect(await errorFor({ images: cocoImages })).toBe('captions.json: "annotations" is missing or not an array.');
      expect(await errorFor({ images: [{ id: 1 }], annotations: [] })).toBe('captions.json: images[0] (id 1) has nothing as "file_name".');
      expect(await errorFor({ images: cocoImages, annotations: [{ image_id: 1, caption: 'a cat' }, { image_id: 9, caption: 'a dog' }] }))
        .toBe('captions.json: annotations[1] is a caption of image_id 9, which is not in "images".');
      // An image id whose file was not picked:
      const withDog = { images: [...cocoImages, { id: 4, file_name: 'dog.png' }], annotations: [1, 2, 3, 4].map((image_id) => ({ image_id, caption: 'a thing' })) };
      await page.locator('#ev-coco').setInputFiles(json(withDog));
      await expect.poll(() => page.locator('#ev-error').textContent())
        .toBe('captions.json: images[3] (id 4, "dog.png"): the file is not among the 3 picked files. Pick that file too, or tick “Score only the picked images”.');
      await page.getByRole('button', { name: 'Evaluate', exact: true }).click(); // refuses to run, same message
      await expect.poll(() => page.locator('#ev-error').textContent()).toMatch(/"dog\.png"\): the file is not among/);
      expect(await page.locator('#ev-results').isVisible()).toBe(false);
      await shot(page, 'desktop-9-evaluate-error');
      await page.getByLabel('Score only the picked images').check();
      await expect.poll(() => page.locator('#ev-plan').textContent()).toBe('Ready: 3 images with 3 reference captions from captions.json. 1 listed image without a picked file skipped.');
      await page.getByLabel('Score only the picked images').uncheck();
      await page.locator('#ev-coco').setInputFiles([]);
    });

    it('captions 3 images against COCO references: the scores, table and exports are eval\'s scoreCaptions of those predictions', async () => {
      const { page } = browser;
      const maxNewTokens = 3;
      // What the model says for each image (through the API), to write references that partly match.
      const predicted = await evaluateWithin(page, async ({ files, max }) => {
        const out: string[] = [];
        for (const file of files) {
          const blob = await (await fetch(`/samples/${file}`)).blob();
          out.push((await window.irisDemo!.iris.caption(blob, { model: 'iris/tiny-git', maxNewTokens: max })).text);
        }
        return out;
      }, { files: SAMPLE_FILES, max: maxNewTokens }, 120_000, 'API captions');
      const references = [
        [predicted[0]!, 'a drawing of a ginger cat'],
        [`${predicted[1]} on a road`, 'a red car on a grey road'],
        ['a house with a tree next to it', 'a small house under the sun'],
      ];
      const coco = {
        info: { description: 'three synthetic drawings' },
        images: cocoImages,
        annotations: references.flatMap((refs, i) => refs.map((caption, j) => ({ id: 10 * i + j, image_id: i + 1, caption }))),
      };
      await page.locator('#ev-coco').setInputFiles(json(coco));
      await page.locator('#ev-model').selectOption('iris/tiny-git');
      await page.locator('#ev-max').fill(String(maxNewTokens));
      await expect.poll(() => page.locator('#ev-plan').textContent()).toBe('Ready: 3 images with 6 reference captions from captions.json.');
      expect(await page.locator('#ev-error').textContent()).toBe('');
      await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
      await page.locator('#ev-results[data-kind="captions"]').waitFor({ state: 'visible', timeout: 120_000 });
      expect(await page.locator('#ev-run').textContent()).toBe('Evaluate');

      // Predictions, read back from the exported COCO results file: what the API said.
      const results = await downloaded(page, () => page.getByRole('button', { name: 'Download predictions (COCO results JSON)' }).click());
      expect(results.name).toBe('captions_iris-tiny-git_results.json');
      const exported = JSON.parse(results.text) as { image_id: number; caption: string }[];
      expect(exported).toEqual(predicted.map((caption, i) => ({ image_id: i + 1, caption })));

      // The scores on screen are scoreCaptions of those predictions, computed here.
      const items: CaptionEvalItem[] = exported.map((r, i) => ({ imageId: r.image_id, references: references[i]!, candidate: r.caption }));
      const expected = scoreCaptions(items);
      const shown = await page.$$eval('#ev-metrics .metric', (els) => els.map((el) => ({
        key: (el as HTMLElement).dataset.metric!, text: el.querySelector('dd')!.textContent!, value: Number(el.querySelector('dd')!.dataset.value),
      })));
      expect(shown.map((m) => m.key)).toEqual(['bleu1', 'bleu2', 'bleu3', 'bleu4', 'rougeL', 'ciderD']);
      for (const m of shown) {
        const value = expected.corpus[m.key as keyof typeof expected.corpus];
        expect(m.value, m.key).toBeCloseTo(value, 12);
        expect(m.text, m.key).toBe(value.toFixed(3));
      }
      expect(expected.perImage[0]!.ciderD).toBeGreaterThan(0); // the references make the scores tell apart
      expect(await page.locator('#ev-not-computed').textContent()).toMatch(/^METEOR and SPICE are not computed: .*Java/);

      // The table: worst CIDEr-D first, each row that image's score; the header sorts the other way.
      const tableRows = () => page.$$eval('#ev-table tbody tr', (trs) => trs.map((tr) => ({
        id: JSON.parse((tr as HTMLElement).dataset.imageId!) as number, cider: Number((tr as HTMLElement).dataset.cider), text: tr.textContent!,
      })));
      const rows = await tableRows();
      const ciderOf = new Map(expected.perImage.map((p) => [p.imageId, p.ciderD]));
      expect(rows.map((r) => r.id).sort()).toEqual([1, 2, 3]);
      for (const r of rows) expect(r.cider).toBeCloseTo(ciderOf.get(r.id)!, 12);
      expect(rows.map((r) => r.cider)).toEqual([...rows.map((r) => r.cider)].sort((a, b) => a - b));
      expect(rows[0]!.text).toContain(references[rows[0]!.id - 1]![0]);
      expect(await page.locator('th:has(button[data-column="cider"])').getAttribute('aria-sort')).toBe('ascending');
      await shot(page, 'desktop-10-evaluate-captions');
      await partShot(page, '#ev-results', 'part-evaluate-captions');
      await page.locator('button[data-column="cider"]').click();
      const best = (await tableRows()).map((r) => r.cider);
      expect(best).toEqual([...best].sort((a, b) => b - a));
      expect(await page.locator('th:has(button[data-column="cider"])').getAttribute('aria-sort')).toBe('descending');

      const scores = JSON.parse((await downloaded(page, () => page.getByRole('button', { name: 'Download scores (JSON)' }).click())).text);
      expect(scores.metrics.CIDEr).toBeCloseTo(expected.corpus.ciderD, 12);
      expect(scores.metrics.Bleu_4).toBeCloseTo(expected.corpus.bleu4, 12);
      expect(scores.notComputed.METEOR).toMatch(/Java/);
      expect(scores.perImage.map((p: { image_id: number }) => p.image_id)).toEqual([1, 2, 3]);
      scores.perImage.forEach((p: { CIDEr: number }, i: number) => expect(p.CIDEr).toBeCloseTo(expected.perImage[i]!.ciderD, 12));

      await page.setViewportSize(PHONE);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await shot(page, 'phone-6-evaluate-captions');
      await page.setViewportSize(DESKTOP);
    });

    it('cancels a run: the images done so far are scored, marked as partial, and the page stays usable', async () => {
      const { page } = browser;
      await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
      // Image 1 is done and image 2 under way.
      await page.waitForFunction(() => document.querySelector('#ev-status')!.textContent!.startsWith('Captioning image 2 of 3: '), null, { timeout: 60_000 });
      expect(await page.locator('#ev-progress').evaluate((p: HTMLProgressElement) => [p.value, p.max, p.hidden])).toEqual([1, 3, false]);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.locator('#ev-results[data-partial="true"]').waitFor({ timeout: 60_000 });
      const done = await page.locator('#ev-table tbody tr').count();
      expect(done).toBeGreaterThanOrEqual(1);
      expect(done).toBeLessThan(3);
      expect(await page.locator('#ev-summary').textContent()).toMatch(new RegExp(`^Cancelled after ${done} of 3 images: these scores are for those ${done} only\\. `));
      expect(await page.locator('#ev-run').textContent()).toBe('Evaluate');
    });

    it('labels from a CSV (zero-shot): the accuracy shown is classificationMetrics of the API\'s scores', async () => {
      const { page } = browser;
      const classes = ['cat', 'car', 'house', 'dog', 'sunset', 'apple', 'tree'];
      const truth = ['cat', 'car', 'house'];
      await page.locator('input[name="ev-kind"][value="labels"]').check();
      expect(await page.locator('#ev-model').inputValue()).toBe('iris/tiny-clip'); // the Try page's choice
      // Labels from folder names: a folder of class folders.
      const folder = mkdtempSync(join(tmpdir(), 'iris-labels-'));
      try {
        SAMPLE_FILES.forEach((file, i) => cpSync(`public/samples/${file}`, join(folder, 'set', i < 2 ? 'animal' : 'building', file)));
        await page.locator('#ev-folder').setInputFiles(join(folder, 'set'));
        await expect.poll(() => page.locator('#ev-plan').textContent()).toBe('Ready: 3 images in 2 classes (from folder names).');
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
      // Labels from a CSV, with distractor classes.
      await page.locator('#ev-files').setInputFiles(samples);
      await page.getByLabel('From a CSV file').check();
      const csv = ['file,label', ...SAMPLE_FILES.map((f, i) => `${f},${truth[i]}`)].join('\n');
      await page.locator('#ev-csv').setInputFiles({ name: 'labels.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.locator('#ev-classes').fill(classes.join('\n'));
      await page.locator('#ev-classes').dispatchEvent('change');
      await expect.poll(() => page.locator('#ev-plan').textContent()).toBe('Ready: 3 images in 7 classes (from labels.csv).');
      await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
      await page.locator('#ev-results[data-kind="labels"]').waitFor({ state: 'visible', timeout: 60_000 });

      const scores = await evaluateWithin(page, async ({ files, labels }) => {
        const rows: number[][] = [];
        for (const file of files) {
          const blob = await (await fetch(`/samples/${file}`)).blob();
          const r = await window.irisDemo!.iris.classify(blob, labels, { model: 'iris/tiny-clip', templates: ['a photo of a {label}.'] });
          rows.push(labels.map((l) => r.labels.find((s) => s.label === l)!.score));
        }
        return rows;
      }, { files: SAMPLE_FILES, labels: classes }, 60_000, 'API classify');
      const expected = classificationMetrics(scores, truth.map((t) => classes.indexOf(t)));
      const shown = await page.$$eval('#ev-metrics .metric', (els) => els.map((el) => [(el as HTMLElement).dataset.metric!, el.querySelector('dd')!.textContent!, Number(el.querySelector('dd')!.dataset.value)] as const));
      expect(shown.map(([key]) => key)).toEqual(['top1', 'top5', 'meanPerClass']);
      const values = [expected.top1, expected.top5, expected.meanPerClassAccuracy];
      shown.forEach(([, text, value], i) => {
        expect(value).toBeCloseTo(values[i]!, 12);
        expect(text).toBe(`${(values[i]! * 100).toFixed(1)}%`);
      });
      const predictedOf = (row: number[]) => classes[row.indexOf(Math.max(...row))];
      const table = await page.$$eval('#ev-table tbody tr', (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
      expect(table.map((r) => [r.file, r.label, r.predicted]).sort()).toEqual(SAMPLE_FILES.map((f, i) => [f, truth[i], predictedOf(scores[i]!)]).sort());
      await shot(page, 'desktop-11-evaluate-labels');
      await partShot(page, '#ev-results', 'part-evaluate-labels');
      await page.setViewportSize(PHONE);
      await shot(page, 'phone-7-evaluate-labels');
      await page.setViewportSize(DESKTOP);
      expect(browser.pageErrors).toEqual([]);
    });

    afterAll(async () => {
      await browser.page.getByRole('link', { name: 'Try a model' }).click();
      await browser.page.locator('#image-panel').waitFor({ state: 'visible' });
    });
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
    await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout: 60_000 });
    expect(await page.locator('#network').isVisible()).toBe(true);
    expect(await page.locator('#zs-model').inputValue()).toBe('iris/tiny-clip'); // the choice was remembered
    await page.getByRole('button', { name: /Sample: a drawing of a ginger cat/ }).click();
    expect(await classifyThroughUi(page)).toEqual(online.bars);
    await page.locator('#panel-caption').getByLabel('Greedy').check();
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
