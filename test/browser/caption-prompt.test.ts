// The demo's Caption tab (built, served by vite preview) with a text prompt: with the bundled tiny BLIP the
// caption on screen starts with the prompt and equals what iris.caption returns for it; a model that takes no
// prompt (tiny GIT) shows the typed error's message instead of a caption.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { evaluateWithin } from './chromium';
import { openDemo, pickSample, useDemoBuild } from './demo-page';

const PROMPTED = 'iris/tiny-blip';
const UNPROMPTED = 'iris/tiny-git';
const MAX_TOKENS = 3;
/** A caption prompt from the BLIP tokenizer vectors (the one BLIP's model card uses). */
const vectors = JSON.parse(readFileSync(join(process.cwd(), '../shared/tokenizers/blip/vectors.json'), 'utf8')) as { cases: { text: string }[] };
const PROMPT = vectors.cases.find((c) => c.text === 'a picture of')!.text;

const demo = useDemoBuild('iris-caption-prompt-');

async function captionThroughUi(page: Page, model: string): Promise<void> {
  await page.locator('#cap-model').selectOption(model);
  await page.locator('#panel-caption').getByLabel('Longest caption').fill(String(MAX_TOKENS));
  await page.locator('#panel-caption').getByLabel('Start the caption with').fill(PROMPT);
  await page.getByRole('button', { name: 'Caption', exact: true }).click();
  await page.waitForFunction(() => (document.querySelector('#cap-timing')!.textContent !== '' || document.querySelector('#cap-error')!.textContent !== '')
    && document.querySelector('#cap-run')!.textContent === 'Caption', null, { timeout: 120_000 });
}

describe('the Caption tab with a text prompt', () => {
  it('continues the prompt with a model that takes one, as iris.caption does; refuses it with one that does not', async () => {
    const { page } = demo.browser;
    await openDemo(page, demo.preview.origin, 'Caption');
    await pickSample(page, /Sample: a drawing of a ginger cat/);

    await captionThroughUi(page, PROMPTED);
    const api = await evaluateWithin(page, async ({ model, prompt, max }) => {
      const demo = window.irisDemo!;
      return (await demo.iris.caption(demo.image()!, { model, prompt, maxNewTokens: max, numBeams: 1 })).text;
    }, { model: PROMPTED, prompt: PROMPT, max: MAX_TOKENS }, 120_000, 'API caption with a prompt');
    expect(api.startsWith(PROMPT)).toBe(true);
    expect(await page.locator('#cap-text').textContent()).toBe(api);
    expect(await page.locator('#cap-error').textContent()).toBe('');

    await captionThroughUi(page, UNPROMPTED);
    const refused = await evaluateWithin(page, async ({ model, prompt }) => {
      const demo = window.irisDemo!;
      try {
        await demo.iris.caption(demo.image()!, { model, prompt });
        return { code: 'none', message: '' };
      } catch (error) {
        return { code: (error as { code?: string }).code ?? 'untyped', message: (error as Error).message };
      }
    }, { model: UNPROMPTED, prompt: PROMPT }, 120_000, 'API caption, prompt refused');
    expect(refused.code).toBe('bad-input');
    expect(await page.locator('#cap-error').textContent()).toContain(refused.message);
    expect(await page.locator('#cap-text').textContent()).toBe('');
    expect(demo.browser.pageErrors).toEqual([]);
  });
});
