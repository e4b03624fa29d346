// Issue 16: the demo speaks Chinese to a Chinese browser. Chromium with a zh-CN locale opens the demo
// (production build) and gets the Chinese catalogue's text; no visible text or accessible name on any page
// (Try, each task tab, Evaluate) or after a classification is left in English, except the listed names
// and units and the model catalogue's own names; the English / 中文 switch flips it to English, and a
// reload stays English. Screenshots of both languages go to test-results/screenshots/ (docs/ has copies).
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS } from '../../src/index';
import { sharedZh } from '../../src/i18n/shared-zh';
import { en } from '../../src/ui/i18n/en';
import { zh } from '../../src/ui/i18n/zh';
import { LATIN_TERMS, latinWords } from '../helpers/i18n-terms';
import { launchChromium, type Browser } from './chromium';
import { servePreviewBuild, type PreviewBuild } from './preview-build';

const SCREENSHOTS = 'test-results/screenshots';
/** Chinese labels for the tiny CLIP (random weights: any text works, the point is the page around them). */
const LABELS_ZH = ['猫', '狗', '汽车'];

let preview: PreviewBuild;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  preview = await servePreviewBuild('iris-i18n-');
  browser = await launchChromium({ locale: 'zh-CN' });
  await browser.page.setViewportSize({ width: 1280, height: 900 });
});

afterAll(async () => {
  await browser?.close();
  await preview?.close();
});

async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout: 60_000 });
}

/** Words the page may show in Latin letters: the listed terms and the words of the models' labels and repos. */
const ALLOWED = new Set([...LATIN_TERMS, ...MODELS.flatMap((m) => latinWords(`${m.label} ${m.repo} ${m.id}`))]);

/**
 * Every text node and accessible-name attribute in the body whose language is Chinese (an element marked
 * lang="en", like the switch's "English", is English by declaration, and one marked translate="no", like the
 * GPU adapter's name, is a name), except what the person typed (textarea, input values) and literal code;
 * `data` is text the test itself put in (a file name). Returns the ASCII words not allowed, with where.
 */
function strayWords(page: Page, data: string[] = []): Promise<string[]> {
  return page.evaluate((allowed) => {
    const ok = new Set(allowed);
    const found: string[] = [];
    const words = (text: string) => text.match(/[A-Za-z][A-Za-z0-9]*/g) ?? [];
    const chinese = (el: Element) => (el.closest('[lang]')?.getAttribute('lang') ?? '').startsWith('zh') && !el.closest('[translate="no"]');
    const where = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement!;
      if (parent.closest('script, style, textarea, code, noscript') || !chinese(parent)) continue;
      for (const w of words(node.textContent ?? '')) if (!ok.has(w)) found.push(`${where(parent)}: ${w} in “${node.textContent!.trim().slice(0, 80)}”`);
    }
    for (const el of document.body.querySelectorAll('*')) {
      if (!chinese(el)) continue;
      for (const attribute of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = el.getAttribute(attribute);
        if (value) for (const w of words(value)) if (!ok.has(w)) found.push(`${where(el)}[${attribute}]: ${w} in “${value.slice(0, 80)}”`);
      }
    }
    for (const w of words(document.title)) if (!ok.has(w)) found.push(`title: ${w}`);
    return found;
  }, [...ALLOWED, ...data.flatMap(latinWords)]);
}

describe('the demo in Chinese', () => {
  it('opens in Chinese for a zh-CN browser, with no English left on any page', async () => {
    const { page } = browser;
    await page.goto(preview.origin);
    await waitReady(page);
    expect(await page.evaluate(() => navigator.languages[0])).toBe('zh-CN');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.title()).toBe(zh['page.title']);
    await expect.poll(() => page.locator('#tab-zero-shot').textContent()).toBe(zh['tab.zeroShot']);
    expect(await page.locator('#zs-run').textContent()).toBe(zh['zs.run']);
    expect(await page.locator('#tab-search').textContent()).toBe(zh['tab.search']);
    expect(await page.getByRole('button', { name: '中文' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('false');
    expect(await strayWords(page)).toEqual([]);

    // Each tab and the Evaluate page.
    for (const tab of ['tab.caption', 'tab.ask', 'tab.search', 'tab.zeroShot'] as const) {
      await page.getByRole('tab', { name: zh[tab] }).click();
      expect(await strayWords(page)).toEqual([]);
    }
    await page.getByRole('link', { name: zh['nav.evaluate'] }).click();
    await page.locator('#evaluate').waitFor({ state: 'visible' });
    expect(await page.title()).toBe(zh['page.titleEvaluate']);
    await page.locator('input[name="ev-kind"][value="labels"]').check();
    expect(await strayWords(page)).toEqual([]);
    await page.getByRole('link', { name: zh['nav.try'] }).click();

    // A run: the load summary, the timing line and the bars' accessible name, in Chinese.
    await page.getByRole('button', { name: new RegExp(zh['sample.cat'].slice(0, 4)) }).click();
    await page.locator('#zs-model').selectOption('iris/tiny-clip');
    await page.locator('#zs-labels').fill(LABELS_ZH.join('\n'));
    await page.locator('#zs-run').click();
    await page.waitForFunction((n) => document.querySelectorAll('#zs-bars li').length === n && document.querySelector('#zs-timing')!.textContent !== '', LABELS_ZH.length, { timeout: 120_000 });
    expect(await page.locator('#zs-timing').textContent()).toContain('个标签');
    expect(await page.locator('#zs-load .load-summary').textContent()).toContain('加载用时');
    expect(await strayWords(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}/demo-zh.png` });

    // The walk finds English where it is: one untranslated line makes it fail.
    await page.evaluate(() => document.querySelector('#zs-timing')!.after(Object.assign(document.createElement('p'), { id: 'stray', textContent: 'Left untranslated' })));
    expect((await strayWords(page)).join('\n')).toMatch(/p#stray: Left.*\n.*p#stray: untranslated/);
    await page.evaluate(() => document.querySelector('#stray')!.remove());
  });

  it('shows a failure as the Chinese explanation of its code, the English detail marked lang="en"', async () => {
    const { page } = browser;
    // An image that is not an image: the worker's IrisError('bad-image'), through the zero-shot tab.
    const file = 'broken.png';
    await page.evaluate((name) => {
      const input = document.querySelector<HTMLInputElement>('#file')!;
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array([1, 2, 3, 4])], name, { type: 'image/png' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change'));
    }, file);
    await page.locator('#zs-run').click();
    await page.waitForFunction(() => document.querySelector('#zs-error')!.textContent !== '', null, { timeout: 60_000 });
    const line = await page.locator('#zs-error').evaluate((el) => ({ text: el.firstChild?.textContent ?? '', detail: el.querySelector('[lang="en"]')?.textContent ?? '' }));
    expect(line.text.startsWith(sharedZh['error.bad-image'])).toBe(true);
    expect(line.detail).not.toBe('');
    expect(await strayWords(page, [file])).toEqual([]);
  });

  it('switches to English with the header switch, and stays English after a reload', async () => {
    const { page } = browser;
    // The switch reloads the page: wait for the new page's load, not the old page's ready flag.
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'English' }).click()]);
    await waitReady(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.locator('#tab-zero-shot').textContent()).toBe(en['tab.zeroShot']);
    expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await page.reload();
    await waitReady(page);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.locator('#zs-run').textContent()).toBe(en['zs.run']);
    expect(await page.title()).toBe(en['page.title']);

    await page.getByRole('button', { name: /^Sample: a drawing of a ginger cat/ }).click();
    await page.locator('#zs-model').selectOption('iris/tiny-clip');
    await page.locator('#zs-run').click();
    await page.waitForFunction(() => document.querySelectorAll('#zs-bars li').length > 0 && document.querySelector('#zs-timing')!.textContent !== '', null, { timeout: 120_000 });
    expect(await page.locator('#zs-timing').textContent()).toMatch(/ per image · \d+ labels$/);
    await page.screenshot({ path: `${SCREENSHOTS}/demo-en.png` });

    // And back: the choice is remembered either way.
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '中文' }).click()]);
    await waitReady(page);
    expect(await page.locator('#zs-run').textContent()).toBe(zh['zs.run']);
  });
});
