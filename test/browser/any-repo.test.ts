// Any Hub repository of a supported model type, in the demo, the API and the web components: a tiny model
// served by a local Hub (test/helpers/hub-server.ts) under a name the catalogue does not know. The demo's
// pickers take it through "Another repository…" (a bad id says what is expected; the entry is remembered and
// shows its size once stored); an unsupported model_type and a checkpoint of another task give their typed
// errors on screen, as the API does. The demo runs from the Vite dev server with ?hub= pointing at that Hub.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FAMILIES, SUPPORTED_MODEL_TYPES } from '../../src/families';
import { MODELS } from '../../src/worker/registry';
import { HubServer } from '../helpers/hub-server';
import { readText, TINY_ROOT, tinyModelDir } from '../helpers/tiny-models';
import { evaluateWithin, launchChromium, type Browser } from './chromium';

const LABELS = ['cat', 'dog', 'car'];
/** A zero-shot family and its tiny model, served as a repository nobody registered. */
const zeroShotFamily = FAMILIES.find((f) => f.tasks.some((t) => t.task === 'zero-shot'))!;
const LOOKALIKE = `someone/${zeroShotFamily.name}-lookalike`;
/** The same config.json with a model_type no family reads (a real one: BERT, a text-only model). */
const UNSUPPORTED = 'someone/unsupported-model';
const unsupportedType = 'bert';

let hub: HubServer;
let browser: Browser;

beforeAll(async () => {
  const dir = tinyModelDir(zeroShotFamily.name);
  hub = await HubServer.start({ repos: { [LOOKALIKE]: `tiny-${zeroShotFamily.name}/resolve/main` }, root: TINY_ROOT, branches: ['main'] });
  const config = { ...JSON.parse(readText(dir, 'config.json')), model_type: unsupportedType };
  hub.addFile(UNSUPPORTED, 'config.json', new TextEncoder().encode(JSON.stringify(config)));
  expect(SUPPORTED_MODEL_TYPES).not.toContain(unsupportedType);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

async function openDemo(page: Page): Promise<void> {
  await page.goto(`${inject('baseUrl')}/?hub=${encodeURIComponent(hub.url)}`);
  await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout: 60_000 });
}

/** Picks "Another repository…" in `picker` and enters `id`; returns the field's error text (empty: accepted). */
async function enterRepository(page: Page, picker: string, id: string): Promise<string> {
  await page.locator(picker).selectOption({ label: 'Another repository…' });
  await page.locator(`${picker}-repo`).fill(id);
  await page.locator(`${picker}-repo`).press('Enter');
  return (await page.locator(`${picker}-repo-error`).textContent()) ?? '';
}

/** Runs the open tab's task and waits for its button to read `idle` again. */
async function run(page: Page, button: string, idle: string): Promise<void> {
  await page.locator(button).click();
  await page.waitForFunction(([b, text]) => document.querySelector(b!)!.textContent === text, [button, idle], { timeout: 180_000, polling: 200 });
}

const apiError = (page: Page, model: string, task: 'zero-shot' | 'caption') =>
  evaluateWithin(page, async ({ model, task }) => {
    try {
      await window.irisDemo!.iris.load(model, task);
      return { code: 'none', message: '' };
    } catch (e) {
      return { code: (e as { code?: string }).code ?? 'untyped', message: (e as Error).message };
    }
  }, { model, task }, 120_000, `API load of ${model}`);

describe('a repository the catalogue does not know', () => {
  it('is entered in the demo picker, checked, loaded by its config.json, remembered with its size', async () => {
    const { page } = browser;
    expect(MODELS.some((m) => m.id === LOOKALIKE || m.repo === LOOKALIKE)).toBe(false);
    await openDemo(page);
    await page.locator('#file').setInputFiles('public/samples/cat.png');
    await page.locator('#zs-labels').fill(LABELS.join('\n'));
    const before = await page.locator('#zs-model').inputValue();

    // Not a model id: said so, nothing downloads, the picker keeps its model.
    const bad = await enterRepository(page, '#zs-model', 'just-a-name');
    expect(bad).toMatch(/not a model id.*org\/name/);
    expect(await page.locator('#zs-model').inputValue()).toBe(before);
    expect(await enterRepository(page, '#zs-model', `${LOOKALIKE}@`)).toMatch(/no valid revision/);
    expect(hub.requests()).toEqual([]);

    expect(await enterRepository(page, '#zs-model', LOOKALIKE)).toBe('');
    expect(await page.locator('#zs-model').inputValue()).toBe(LOOKALIKE);
    expect(await page.locator('#zs-model-repo').isHidden()).toBe(true);
    await run(page, '#zs-run', 'Classify');
    expect(await page.locator('#zs-error').textContent()).toBe('');
    expect(hub.requests('config.json', LOOKALIKE).length).toBeGreaterThan(0);

    const shown = await page.$$eval('#zs-bars li', (items) => items.map((li) => [li.querySelector('.bar-label')!.textContent, li.querySelector('.bar-value')!.textContent]));
    expect(await page.locator('#zs-bars').getAttribute('data-model')).toBe(LOOKALIKE);
    // The API gives the same ranking for the same repository (with the tab's prompt templates).
    const api = await evaluateWithin(page, async ({ model, labels }) => {
      const demo = window.irisDemo!;
      const lines = (document.querySelector('#zs-templates') as HTMLTextAreaElement).value.split('\n').map((t) => t.trim()).filter(Boolean);
      const result = await demo.iris.classify(demo.image()!, labels, { model, templates: lines.length ? [...new Set(lines)] : undefined });
      return result.labels.map((l) => [l.label, `${(l.score * 100).toFixed(1)}%`]);
    }, { model: LOOKALIKE, labels: LABELS }, 60_000, 'API classify');
    expect(shown.map(([label]) => label).sort()).toEqual([...LABELS].sort());
    expect(shown).toEqual(api);

    // Stored now: the picker shows its size as the cache reports it, and "on this device".
    const stored = await evaluateWithin(page, async (repo) => (await window.irisDemo!.iris.cache.list()).find((m) => m.repo === repo), LOOKALIKE, 30_000, 'cache list');
    expect(stored?.complete).toBe(true);
    const option = page.locator(`#zs-model option[value="${LOOKALIKE}"]`);
    await page.waitForFunction((repo) => document.querySelector(`#zs-model option[value="${repo}"]`)!.textContent!.includes('on this device'), LOOKALIKE, { timeout: 30_000 });
    expect(await option.textContent()).toBe(`${LOOKALIKE} — ${Math.round(stored!.bytes / 1e6)} MB · on this device`);

    // Remembered: after a reload it is listed and still the zero-shot tab's model.
    await openDemo(page);
    expect(await page.locator('#zs-model').inputValue()).toBe(LOOKALIKE);
    expect(await page.locator('#zs-model-hint').textContent()).toContain('already on this device');
  });

  it('an unsupported model_type shows its typed error naming the supported types, as the API throws it', async () => {
    const { page } = browser;
    await openDemo(page);
    await page.locator('#file').setInputFiles('public/samples/cat.png');
    expect(await enterRepository(page, '#zs-model', UNSUPPORTED)).toBe('');
    await run(page, '#zs-run', 'Classify');
    const shown = (await page.locator('#zs-error').textContent()) ?? '';
    expect(shown).toContain(`"${unsupportedType}"`);
    const named = shown.slice(shown.indexOf(`"${unsupportedType}"`) + unsupportedType.length + 2);
    for (const type of SUPPORTED_MODEL_TYPES) expect(named).toContain(type);
    const api = await apiError(page, UNSUPPORTED, 'zero-shot');
    expect(api.code).toBe('unsupported-model');
    expect(shown).toContain(api.message);
    // config.json only: nothing else was fetched for it.
    expect(new Set(hub.requests(undefined, UNSUPPORTED).map((r) => r.file))).toEqual(new Set(['config.json']));
  });

  it('a checkpoint of another task, picked for captions, shows the bad-input message', async () => {
    const { page } = browser;
    await openDemo(page);
    await page.locator('#file').setInputFiles('public/samples/cat.png');
    await page.getByRole('tab', { name: 'Caption' }).click();
    expect(await enterRepository(page, '#cap-model', LOOKALIKE)).toBe('');
    expect(await page.locator('#cap-model').inputValue()).toBe(LOOKALIKE);
    await run(page, '#cap-run', 'Caption');
    const shown = (await page.locator('#cap-error').textContent()) ?? '';
    const api = await apiError(page, LOOKALIKE, 'caption');
    expect(api.code).toBe('bad-input');
    expect(shown).toContain(api.message);
    expect(shown).toContain('cannot be used for caption');
  });

  it('the web components take it as their model attribute', async () => {
    const { page } = browser;
    await openDemo(page);
    // A string, so that vitest does not rewrite the import() meant for the browser.
    await page.evaluate(`import('/src/components/index.ts').then((m) => m.configureIris({ baseUrl: ${JSON.stringify(hub.url)} }))`);
    const result = await evaluateWithin(page, ({ model, labels }) => new Promise<{ model: string; labels: string[]; shown: number } | { error: string }>((done) => {
      const element = document.createElement('iris-classify');
      element.addEventListener('result', (event) => {
        const detail = (event as CustomEvent<{ model: string; labels: { label: string }[] }>).detail;
        done({ model: detail.model, labels: detail.labels.map((l) => l.label), shown: element.shadowRoot!.querySelectorAll('li').length });
      });
      element.addEventListener('error', (event) => done({ error: String((event as unknown as CustomEvent<{ message?: string }>).detail?.message) }));
      element.setAttribute('model', model);
      element.setAttribute('labels', labels.join(', '));
      element.setAttribute('src', '/samples/cat.png');
      document.body.append(element);
    }), { model: LOOKALIKE, labels: LABELS }, 180_000, 'iris-classify with an unknown repo');
    expect(result).not.toHaveProperty('error');
    const ok = result as { model: string; labels: string[]; shown: number };
    expect(ok.model).toBe(LOOKALIKE);
    expect(ok.labels.sort()).toEqual([...LABELS].sort());
    expect(ok.shown).toBe(LABELS.length);
  });
});
