// Chinese through the demo (built, served by vite preview) with the tiny Chinese-CLIP (the real Chinese vocab,
// random weights): picking it switches the labels and templates to the catalogue's Chinese ones, Classify ranks
// Chinese labels exactly as the library API does, and the Search tab finds photos for a Chinese query as the
// library's own index search does. Screenshots go to test-results/screenshots/ (Chinese needs a CJK font:
// .ci/run installs fonts-wqy-microhei).
import { describe, expect, it } from 'vitest';
import { promptsOf } from '../../src/worker/registry';
import { evaluateWithin } from './chromium';
import { DESKTOP, openDemo, SCREENSHOTS, syntheticPngs, useDemoBuild } from './demo-page';

const MODEL = 'iris/tiny-chinese-clip';
const PROMPTS = promptsOf(MODEL);
const QUERY = '一只猫在沙发上睡觉';

const demo = useDemoBuild('iris-chinese-', { viewport: DESKTOP });

describe('the demo in Chinese (tiny Chinese-CLIP)', () => {
  it('the catalogue gives this model Chinese labels and the family’s Chinese template', () => {
    expect(PROMPTS.templates.language).toBe('zh');
    expect(PROMPTS.labels.every((l) => /\p{Script=Han}/u.test(l))).toBe(true);
    expect(PROMPTS.templates.default).toEqual(['一张{label}的照片。']);
  });

  it('picking Chinese-CLIP switches labels and templates to Chinese; Classify ranks them as the API does', async () => {
    const { page } = demo.browser;
    await openDemo(page, demo.preview.origin);
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
    expect(demo.browser.pageErrors).toEqual([]);
  });

  it('an index built with Chinese-CLIP is searched with a Chinese query, as the library searches it', async () => {
    const { page } = demo.browser;
    await openDemo(page, demo.preview.origin, 'Search');
    await page.locator('#search-model').selectOption(MODEL);
    const payloads = await syntheticPngs(page, 3, '照片-');
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
    expect(demo.browser.pageErrors).toEqual([]);
  });
});
