// The demo's Ask tab (built, served by vite preview) in headless Chromium with the bundled tiny GIT VQA model (and tiny BLIP VQA):
// a suggested question and a typed one, each answer streamed on screen and equal to what iris.ask returns,
// the questions and answers kept as a list for the image (newest first) and cleared by a new image, the model
// picker with sizes and stored state, and each answer word's attention map equal to the API's.
import { copyFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { attentionHeatMap } from '../../src/tasks/heat-map';
import { ANOTHER_REPOSITORY } from '../../src/ui/models';
import { MODELS } from '../../src/worker/registry';
import { evaluateWithin } from './chromium';
import { DESKTOP, openDemo, pickSample, SCREENSHOTS, useDemoBuild } from './demo-page';

const MODEL = 'iris/tiny-git-vqa';
/** The other family's tiny VQA model (BlipForQuestionAnswering: a question encoder and an answer decoder). */
const BLIP_MODEL = 'iris/tiny-blip-vqa';
/** Short answers: the tiny GIT decodes about one token per second on SwiftShader. */
const MAX_TOKENS = 3;

const demo = useDemoBuild('iris-ask-', { viewport: DESKTOP });

/** The answer iris.ask gives for the sample on screen, with its attention maps. */
function askApi(page: Page, question: string, model = MODEL) {
  return evaluateWithin(page, async ({ q, model, max }) => {
    const blob = await (await fetch('/samples/cat.png')).blob();
    const r = await window.irisDemo!.iris.ask(blob, q, { model, maxNewTokens: max, attentionMaps: true });
    return { answer: r.answer, maps: r.tokenAttentions!, tokens: r.tokens };
  }, { q: question, model, max: MAX_TOKENS }, 120_000, `API ask "${question}"`);
}

/** Every text the newest answer showed while it was written (a MutationObserver on the list). */
async function watchAnswers(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { askSeen: string[] }).askSeen = seen;
    new MutationObserver(() => {
      const text = document.querySelector('#ask-history .qa .answer')?.textContent ?? '';
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.getElementById('ask-history')!, { subtree: true, childList: true, characterData: true });
  });
}

const answered = (page: Page, count: number) => page.waitForFunction((n) => {
  const items = document.querySelectorAll('#ask-history .qa');
  return items.length === n && !items[0]!.querySelector('.answer')!.hasAttribute('aria-busy');
}, count, { timeout: 180_000 });

describe('the Ask tab', () => {
  it('answers a suggested question and a typed one as iris.ask does, streamed, kept as a list; each word shows its map', async () => {
    const { page } = demo.browser;
    await openDemo(page, demo.preview.origin, 'Ask');

    // The picker: every VQA model of the catalogue, with its size (and nothing stored yet), and "Another repository…".
    const listed = await page.$$eval('#ask-model option', (els) => els.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent! })));
    expect(listed.filter((o) => o.value === ANOTHER_REPOSITORY).map((o) => o.text)).toEqual(['Another repository…']);
    const options = listed.filter((o) => o.value !== ANOTHER_REPOSITORY);
    expect(options.map((o) => o.value).sort()).toEqual(MODELS.filter((m) => m.task === 'vqa').map((m) => m.id).sort());
    for (const o of options) expect(o.text).toContain(`${MODELS.find((m) => m.id === o.value)!.megabytes} MB`);
    await page.locator('#ask-model').selectOption(MODEL);
    await page.locator('#ask-max').fill(String(MAX_TOKENS));
    await pickSample(page, /Sample: a drawing of a ginger cat/);

    await watchAnswers(page);
    const suggestion = (await page.locator('#ask-suggestions .suggestion').first().textContent())!;
    await page.locator('#ask-suggestions .suggestion').first().click();
    await answered(page, 1);
    const first = await askApi(page, suggestion);
    expect(await page.locator('#ask-history .qa .question').first().textContent()).toBe(suggestion);
    expect(await page.locator('#ask-history .qa .answer').first().textContent()).toBe(first.answer || '(no answer)');
    const seen = await page.evaluate(() => (window as unknown as { askSeen: string[] }).askSeen);
    expect(seen.length).toBeGreaterThan(1); // the answer grew on screen
    expect(await page.locator('#ask-timing').textContent()).toMatch(/^first word .* · answer /);

    const typed = 'is it a dog?';
    await page.locator('#ask-question').fill(typed);
    await page.locator('#ask-question').press('Enter');
    await answered(page, 2);
    const second = await askApi(page, typed);
    expect(await page.locator('#ask-history .qa .question').allTextContents()).toEqual([typed, suggestion]);
    expect(await page.locator('#ask-history .qa .answer').first().textContent()).toBe(second.answer || '(no answer)');

    // The newest answer's words: one button per non-special token; hovering one shows that token's map.
    const words = second.tokens.map((t, k) => ({ ...t, k })).filter((t) => !t.special && t.text.trim() !== '');
    const chips = page.locator('#ask-history .qa').first().locator('.token');
    expect(await chips.count()).toBe(words.length);
    if (words.length > 0) {
      await chips.first().hover();
      const shown = await page.evaluate(() => {
        const grid = document.querySelector<HTMLElement>('#ask-attention-figure .attention-grid')!;
        return { rows: Number(grid.dataset.rows), cols: Number(grid.dataset.cols), values: [...grid.querySelectorAll<HTMLElement>('.attention-cell')].map((c) => Number(c.dataset.value)) };
      });
      const map = attentionHeatMap(second.maps[words[0]!.k]!);
      expect([shown.rows, shown.cols]).toEqual([map.rows, map.cols]);
      shown.values.forEach((v, i) => expect(v).toBeCloseTo(map.values[i]!, 6));
    }
    await page.locator('#tasks').screenshot({ path: `${SCREENSHOTS}/ask.png` });
    if (process.env.IRIS_UPDATE_DOCS === '1') copyFileSync(`${SCREENSHOTS}/ask.png`, 'docs/ask.png');

    // The model is now stored: the picker says so. A new image starts a new list (and asks the open question).
    expect(await page.locator('#ask-model option:checked').textContent()).toContain('on this device');
    await page.getByRole('button', { name: /Sample: a drawing of a red car/ }).click();
    await answered(page, 1);
    expect(await page.locator('#ask-history .qa .question').allTextContents()).toEqual([typed]);

    // An empty question is refused with the typed error's message, and the list keeps answers only.
    await page.locator('#ask-question').fill('   ');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect.poll(() => page.locator('#ask-error').textContent()).toMatch(/question is empty/);
    expect(await page.locator('#ask-history .qa').count()).toBe(1);
    expect(demo.browser.pageErrors).toEqual([]);
  });

  it('with the tiny BLIP VQA model picked, answers a typed question as iris.ask does, one word chip per answer word', async () => {
    const { page } = demo.browser;
    await openDemo(page, demo.preview.origin, 'Ask');
    await page.locator('#ask-model').selectOption(BLIP_MODEL);
    await page.locator('#ask-max').fill(String(MAX_TOKENS));
    await pickSample(page, /Sample: a drawing of a ginger cat/);
    const typed = 'what colour is the cat?';
    await page.locator('#ask-question').fill(typed);
    await page.locator('#ask-question').press('Enter');
    await answered(page, 1);
    const api = await askApi(page, typed, BLIP_MODEL);
    expect(api.tokens.length).toBeGreaterThan(0);
    expect(await page.locator('#ask-history .qa .question').first().textContent()).toBe(typed);
    expect(await page.locator('#ask-history .qa .answer').first().textContent()).toBe(api.answer || '(no answer)');
    const words = api.tokens.filter((t) => !t.special && t.text.trim() !== '');
    expect(await page.locator('#ask-history .qa').first().locator('.token').count()).toBe(words.length);
    expect(await page.locator('#ask-model option:checked').textContent()).toContain('on this device');
    expect(demo.browser.pageErrors).toEqual([]);
  });
});
