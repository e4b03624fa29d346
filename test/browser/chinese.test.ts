// Chinese through the demo (built, served by vite preview) with the tiny Chinese-CLIP (the real Chinese vocab,
// random weights): picking it switches the labels and templates to the catalogue's Chinese ones, Classify ranks
// Chinese labels exactly as the library API does, and the Search tab finds photos for a Chinese query as the
// library's own index search does. Screenshots go to test-results/screenshots/ (Chinese needs a CJK font:
// .ci/run installs fonts-wqy-microhei).
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptsOf } from '../../src/worker/registry';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import { servePreviewBuild, type PreviewBuild } from './preview-build';

const SCREENSHOTS = 'test-results/screenshots';
const MODEL = 'iris/tiny-chinese-clip';
const PROMPTS = promptsOf(MODEL);
const QUERY = '一只猫在沙发上睡觉';

let preview: PreviewBuild;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  preview = await servePreviewBuild('iris-chinese-');
  browser = await launchChromium();
  await browser.page.setViewportSize({ width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await preview?.close();
});

async function openDemo(page: Page): Promise<void> {
  await page.goto(preview.origin);
  await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout: 60_000 });
}

describe('the demo in Chinese (tiny Chinese-CLIP)', () => {
  it('the catalogue gives this model Chinese labels and the family’s Chinese template', () => {
    expect(PROMPTS.templates.language).toBe('zh');
    expect(PROMPTS.labels.every((l) => /\p{Script=Han}/u.test(l))).toBe(true);
    expect(PROMPTS.templates.default).toEqual(['一张{label}的照片。']);
  });

  it('picking Chinese-CLIP switches labels and templates to Chinese; Classify ranks them as the API does', async () => {
    const { page } = browser;
    await openDemo(page);
    await page.locator('#file').setInputFiles('public/samples/car.png');
    await page.getByRole('tab', { name: 'Zero-shot labels' }).click();
    await page.locator('#zs-model').selectOption(MODEL);
    expect(await page.locator('#zs-labels').inputValue()).toBe(PROMPTS.labels.join('\n'));
    expect(await page.locator('#zs-templates').inputValue()).toBe(PROMPTS.templates.default.join('\n'));

    await page.locator('#zs-run').click();
    await page.waitForFunction(
      ({ n, model }) => document.querySelectorAll('#zs-bars li').length === n && (document.querySelector('#zs-bars') as HTMLElement).dataset.model === model && document.querySelector('#zs-run')!.textContent === 'Classify',
      { n: PROMPTS.labels.length, model: MODEL }, { timeout: 180_000 },
    );
    const shown = await page.$$eval('#zs-bars li', (items) => items.map((li) => [li.querySelector('.bar-label')!.textContent!, li.querySelector('.bar-value')!.textContent!]));
    // The API with no templates: the family's default (Chinese) template.
    const api = await evaluateWithin(page, async ({ labels, model }) => {
      const demo = window.irisDemo!;
      const result = await demo.iris.classify(demo.image()!, labels, { model });
      return result.labels.map((l) => [l.label, `${(l.score * 100).toFixed(1)}%`]);
    }, { labels: [...PROMPTS.labels], model: MODEL }, 60_000, 'API classify');
    expect(shown).toEqual(api);
    expect(shown.map(([label]) => label).sort()).toEqual([...PROMPTS.labels].sort());
    await page.screenshot({ path: `${SCREENSHOTS}/desktop-chinese-classify.png`, fullPage: true });

    // Back to an English model: its English defaults come back (nothing was edited).
    await page.locator('#zs-model').selectOption('iris/tiny-clip');
    expect(await page.locator('#zs-labels').inputValue()).toBe(promptsOf('iris/tiny-clip').labels.join('\n'));
    expect(browser.pageErrors).toEqual([]);
  });

  it('an index built with Chinese-CLIP is searched with a Chinese query, as the library searches it', async () => {
    const { page } = browser;
    await openDemo(page);
    await page.getByRole('tab', { name: 'Search' }).click();
    await page.locator('#search-model').selectOption(MODEL);
    const files = await page.evaluate(async () => {
      const out: string[] = [];
      for (let seed = 1; seed <= 3; seed++) {
        const canvas = new OffscreenCanvas(40, 32);
        const context = canvas.getContext('2d')!;
        for (let y = 0; y < 32; y += 4) for (let x = 0; x < 40; x += 4) {
          context.fillStyle = `rgb(${(x * seed * 11) % 256}, ${(y * seed * 5) % 256}, ${((x + y) * seed * 7) % 256})`;
          context.fillRect(x, y, 4, 4);
        }
        const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
        let binary = '';
        for (const b of bytes) binary += String.fromCharCode(b);
        out.push(btoa(binary));
      }
      return out;
    });
    const payloads = files.map((b64, i) => ({ name: `照片-${i + 1}.png`, mimeType: 'image/png', buffer: Buffer.from(b64, 'base64') }));
    await page.locator('#search-files-input').setInputFiles(payloads);
    await expect.poll(() => page.locator('#search-progress-text').textContent(), { timeout: 120_000 }).toBe(`Done: ${payloads.length} of ${payloads.length}`);

    await page.locator('#search-text').fill(QUERY);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#search-timing').textContent(), { timeout: 60_000 }).toContain(`for “${QUERY}”`);
    const shown = await page.$$eval('#search-results li', (items) => items.map((li) => ({ key: (li as HTMLElement).dataset.key!, score: Number((li as HTMLElement).dataset.score) })));
    const api = await evaluateWithin(page, async ({ model, q }) => {
      const index = await window.irisDemo!.iris.index(`demo-photos:${model}`, { model });
      return (await index.search(q, { topK: 24 })).map((h) => ({ key: h.key, score: h.score }));
    }, { model: MODEL, q: QUERY }, 60_000, 'API search');
    expect(shown).toEqual(api);
    expect(shown.map((h) => h.key).sort()).toEqual(payloads.map((p) => p.name).sort());
    await page.screenshot({ path: `${SCREENSHOTS}/desktop-chinese-search.png`, fullPage: true });
    expect(browser.pageErrors).toEqual([]);
  });
});
