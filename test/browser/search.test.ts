// The demo's "Search" tab, built and served by vite preview as people get it, with the tiny CLIP:
// pick synthetic PNGs and a text file through the file input, watch the progress reach done (the text file
// skipped with its reason), search by text and check the grid against the library's own search in the same
// page, "more like this", cancel a run mid-way and finish it, and the placeholders after a reload.
// Screenshots (desktop and phone width) go to test-results/screenshots/.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { evaluateWithin } from './chromium';
import { DESKTOP, openDemo, SCREENSHOTS, syntheticPngs, useDemoBuild } from './demo-page';

const PHONE = { width: 390, height: 844 };
const MODEL = 'iris/tiny-clip';
const INDEX = `demo-photos:${MODEL}`;
const QUERY = 'a photo of a cat';

const demo = useDemoBuild('iris-search-', { viewport: DESKTOP });

const shot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });

async function openSearchTab(page: Page): Promise<void> {
  await openDemo(page, demo.preview.origin, 'Search');
  await page.locator('#search-model').selectOption(MODEL);
}

/** The grid on screen: key, shown score, exact score, thumbnail alt text (or null for a placeholder). */
function grid(page: Page) {
  return page.$$eval('#search-results li', (items) => items.map((li) => ({
    key: (li as HTMLElement).dataset.key!,
    shown: li.querySelector('.search-score')!.textContent!,
    score: Number((li as HTMLElement).dataset.score),
    alt: li.querySelector('img')?.getAttribute('alt') ?? null,
  })));
}

function apiSearch(page: Page, query: string | { key: string }) {
  return evaluateWithin(page, async ({ name, model, q }) => {
    const index = await window.irisDemo!.iris.index(name, { model });
    return { hits: await index.search(q, { topK: 24 }), size: index.size };
  }, { name: INDEX, model: MODEL, q: query }, 60_000, 'API search');
}

async function searchThroughUi(page: Page, text: string): Promise<void> {
  await page.getByLabel('Describe the photo you are looking for').fill(text);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator('#search-timing').textContent(), { timeout: 60_000 }).toContain(`for “${text}”`);
}

describe('demo "Search" tab (built, served by vite preview, tiny CLIP)', () => {
  it('indexes 4 PNGs and skips a text file, then searches by text and "more like this" as the library does', async () => {
    const { page } = demo.browser;
    await openSearchTab(page);
    await expect.poll(() => page.locator('#search-size').textContent()).toMatch(/^0 photos in the index \(Tiny CLIP\)/);
    const files = [...(await syntheticPngs(page, 4, 'photo-')), { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') }];
    await page.locator('#search-files-input').setInputFiles(files);
    await expect.poll(() => page.locator('#search-progress-text').textContent(), { timeout: 60_000 }).toBe('Done: 4 of 5');
    expect(await page.locator('#search-bar').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);
    expect(await page.locator('#search-summary').textContent()).toMatch(/^4 added · 1 skipped \(1 not an image\) in .* images\/s\.$/);
    expect(await page.locator('#search-size').textContent()).toMatch(/^4 photos in the index/);
    await page.locator('#search-skipped summary').click();
    expect(await page.locator('#search-skipped li').textContent()).toBe('notes.txt: not an image — text/plain is not an image type.');

    await searchThroughUi(page, QUERY);
    const shown = await grid(page);
    const api = await apiSearch(page, QUERY);
    expect(api.size).toBe(4);
    expect(shown.map((h) => h.key)).toEqual(api.hits.map((h) => h.key));
    expect(shown.map((h) => h.score)).toEqual(api.hits.map((h) => h.score));
    expect(shown.map((h) => h.shown)).toEqual(api.hits.map((h) => h.score.toFixed(3)));
    expect(shown.map((h) => h.alt)).toEqual(shown.map((h) => h.key)); // alt text = file name
    expect(shown.map((h) => h.key).sort()).toEqual(['photo-1.png', 'photo-2.png', 'photo-3.png', 'photo-4.png']);
    await shot(page, 'desktop-search-1-text');

    // "More like this" on the last result: that image comes first, with a cosine of about 1.
    const last = shown[shown.length - 1]!.key;
    await page.getByRole('button', { name: `More like ${last}` }).click();
    await expect.poll(() => page.locator('#search-timing').textContent(), { timeout: 60_000 }).toContain(`photos like ${last}`);
    const like = await grid(page);
    expect(like[0]!.key).toBe(last);
    expect(like[0]!.score).toBeCloseTo(1, 2);
    expect(like.map((h) => h.key)).toEqual((await apiSearch(page, { key: last })).hits.map((h) => h.key));
    await shot(page, 'desktop-search-2-more-like-this');

    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'phone-search-1');
    await page.setViewportSize(DESKTOP);
    expect(demo.browser.pageErrors).toEqual([]);
  });

  it('a cancelled run keeps what was committed, and indexing the rest completes it', async () => {
    const { page } = demo.browser;
    await page.getByRole('button', { name: 'Empty this index' }).click();
    await expect.poll(() => page.locator('#search-size').textContent()).toMatch(/^0 photos/);
    const files = await syntheticPngs(page, 20, 'many-');
    // Cancel as soon as the first batch (8 images) is committed; the batch already on the GPU then is still kept.
    await page.evaluate(() => {
      const text = document.querySelector('#search-progress-text')!;
      const observer = new MutationObserver(() => {
        if (/^[1-9]\d* of 20/.test(text.textContent ?? '')) {
          observer.disconnect();
          document.querySelector<HTMLButtonElement>('#search-cancel')!.click();
        }
      });
      observer.observe(text, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('#search-files-input').setInputFiles(files);
    await expect.poll(() => page.locator('#search-summary').textContent(), { timeout: 60_000 }).toMatch(/^Cancelled\. \d+ photos are in the index/);
    const afterCancel = (await apiSearch(page, QUERY)).size;
    expect(afterCancel).toBeGreaterThanOrEqual(0);
    expect(afterCancel).toBeLessThan(20);
    expect(await page.locator('#search-size').textContent()).toMatch(new RegExp(`^${afterCancel} photos? in the index`));
    await shot(page, 'desktop-search-3-cancelled');

    await page.getByRole('button', { name: 'Index the rest' }).click();
    await expect.poll(() => page.locator('#search-progress-text').textContent(), { timeout: 60_000 }).toBe('Done: 20 of 20');
    const unchanged = afterCancel ? ` · ${afterCancel} already indexed` : '';
    expect(await page.locator('#search-summary').textContent()).toMatch(new RegExp(`^${20 - afterCancel} added${unchanged} in `));
    expect((await apiSearch(page, QUERY)).size).toBe(20);
  });

  it('after a reload, indexed photos whose files are gone show a placeholder with the name and score', async () => {
    const { page } = demo.browser;
    await openSearchTab(page);
    await expect.poll(() => page.locator('#search-size').textContent()).toMatch(/^20 photos in the index/);
    await searchThroughUi(page, QUERY);
    const shown = await grid(page);
    expect(shown).toHaveLength(20);
    expect(shown.every((h) => h.alt === null)).toBe(true);
    expect(await page.locator('#search-results .search-placeholder').first().textContent()).toBe(shown[0]!.key);
    expect(shown.map((h) => h.key)).toEqual((await apiSearch(page, QUERY)).hits.map((h) => h.key));
    await page.setViewportSize(PHONE);
    await shot(page, 'phone-search-2-placeholders');
    await page.setViewportSize(DESKTOP);
    expect(demo.browser.pageErrors).toEqual([]);
  });
});
