// The web components from the library build (`npm run build:lib`), used as a third-party page would: one
// <script type="module"> tag pointing at another origin (a stand-in CDN), the worker started from there too.
// Two <iris-classify> with the same model, an <iris-caption> and <iris-ask> (GIT, then BLIP VQA): results rendered, events in order, each
// model loaded once; properties re-run the request; a bad image gives an `error` event; the built-in text
// follows the element's lang (Simplified Chinese under lang="zh-CN").
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedEn } from '../../src/i18n/shared-en';
import { sharedZh } from '../../src/i18n/shared-zh';
import { PUBLISHED_WORKER_FILE } from '../../src/worker/start';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import { serveStatic, type StaticServer } from './static-server';

const SCREENSHOTS = 'test-results/screenshots';

let outDir: string;
let cdn: StaticServer;
let site: StaticServer;
let browser: Browser;

declare global {
  interface Window {
    /** Every Iris element event, in the order they fired: "id type phase". */
    irisEvents: string[];
  }
}

const page = (lib: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Iris web components on a plain page</title>
  <script type="module" src="${lib}/iris-components.js"></script>
  <style>body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; display: grid; grid-template-columns: repeat(3, 1fr); gap: 1.5rem; }</style>
</head>
<body>
  <iris-classify id="first" src="/samples/cat.png" alt="A drawing of a cat" labels="cat, dog, car" model="iris/tiny-clip"></iris-classify>
  <iris-classify id="second" src="/samples/car.png" alt="A drawing of a car" labels="cat, dog, car" model="iris/tiny-clip"></iris-classify>
  <iris-caption id="caption" src="/samples/house.png" alt="A drawing of a house" model="iris/tiny-git" max-tokens="4"></iris-caption>
  <iris-ask id="ask" src="/samples/house.png" alt="A drawing of a house" question="what is in the picture?" model="iris/tiny-git-vqa" max-tokens="4"></iris-ask>
</body>
</html>`;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  outDir = mkdtempSync(join(tmpdir(), 'iris-lib-'));
  await build({ configFile: 'vite.lib.config.ts', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  // Two origins: the library on 127.0.0.1 (with the CORS headers a CDN sends), the page on localhost.
  cdn = await serveStatic({
    host: '127.0.0.1',
    dirs: { '/': outDir },
    headers: { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' },
  });
  site = await serveStatic({
    host: 'localhost',
    pages: { '/': page(cdn.origin) },
    dirs: { '/hub/': resolve('public/hub'), '/samples/': resolve('public/samples') },
  });
  browser = await launchChromium();
  await browser.page.setViewportSize({ width: 1100, height: 700 });
  // Listen from the very start, on the document in the capture phase: every event of every element, in order.
  await browser.page.addInitScript(() => {
    window.irisEvents = [];
    for (const type of ['progress', 'token', 'result', 'error']) {
      document.addEventListener(type, (event) => {
        const detail = (event as CustomEvent).detail as { phase?: string } | undefined;
        window.irisEvents.push(`${(event.target as HTMLElement).id} ${type}${detail?.phase ? ` ${detail.phase}` : ''}`);
      }, true);
    }
  });
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([cdn?.close(), site?.close()]);
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const eventsOf = (events: string[], id: string) => events.filter((e) => e.startsWith(`${id} `)).map((e) => e.slice(id.length + 1));

describe('<iris-classify>, <iris-caption> and <iris-ask> from one script tag on another origin', () => {
  it('render results, fire progress → result in order, and load each model once for the page', async () => {
    const { page } = browser;
    await page.goto(`${site.origin}/`);
    const events = await evaluateWithin(page, () => new Promise<string[]>((done) => {
      const check = () => (['first', 'second', 'caption', 'ask'].every((id) => window.irisEvents.some((e) => e.startsWith(`${id} result`) || e.startsWith(`${id} error`)))
        ? done(window.irisEvents) : setTimeout(check, 100));
      check();
    }), null, 120_000, 'four results');
    expect(events.filter((e) => e.includes(' error'))).toEqual([]);

    // The first element loads the model: download → upload → compile → ready, then its result.
    const first = eventsOf(events, 'first');
    expect(first[first.length - 1]).toBe('result');
    expect(first[first.length - 2]).toBe('progress ready');
    const phases = first.slice(0, -1).map((e) => e.split(' ')[1]);
    expect(phases[0]).toBe('download');
    expect(phases.indexOf('upload')).toBeGreaterThan(phases.lastIndexOf('download'));
    expect(phases.indexOf('compile')).toBeGreaterThan(phases.indexOf('upload'));
    // The second finds it loaded.
    expect(eventsOf(events, 'second')).toEqual(['progress ready', 'result']);
    // The caption streams tokens after its model is ready, and ends with the result.
    const caption = eventsOf(events, 'caption');
    expect(caption[caption.length - 1]).toBe('result');
    expect(caption.indexOf('token')).toBeGreaterThan(caption.indexOf('progress ready'));
    expect(caption.filter((e) => e === 'token').length).toBeGreaterThan(1);
    // So does the answer, with the same events.
    const ask = eventsOf(events, 'ask');
    expect(ask[ask.length - 1]).toBe('result');
    expect(ask.indexOf('token')).toBeGreaterThan(ask.indexOf('progress ready'));
    expect(ask.filter((e) => e === 'token').length).toBeGreaterThan(1);

    const shown = await page.evaluate(() => {
      const bars = (id: string) => [...document.getElementById(id)!.shadowRoot!.querySelectorAll('li')].map((li) =>
        [li.querySelector('.bar-label')!.textContent, li.querySelector('.bar-value')!.textContent]);
      const classify = document.querySelector<HTMLElement & { result: { labels: { label: string; score: number }[] } }>('#first')!;
      const caption = document.querySelector<HTMLElement & { result: { text: string } }>('#caption')!;
      const ask = document.querySelector<HTMLElement & { result: { answer: string; question: string; tokens: unknown[] } }>('#ask')!;
      return {
        answerText: ask.shadowRoot!.querySelector('.answer')!.textContent,
        answerResult: ask.result.answer,
        answerQuestion: ask.result.question,
        answerTokens: ask.result.tokens.length,
        first: bars('first'),
        firstResult: classify.result.labels.map((l) => [l.label, `${(l.score * 100).toFixed(1)}%`]),
        second: bars('second'),
        captionText: caption.shadowRoot!.querySelector('.caption')!.textContent,
        captionResult: caption.result.text,
      };
    });
    expect(shown.first).toEqual(shown.firstResult);
    expect(shown.first.map(([label]) => label).sort()).toEqual(['car', 'cat', 'dog']);
    expect(shown.second).toHaveLength(3);
    expect(shown.captionText).toBe(shown.captionResult);
    expect(shown.answerText).toBe(shown.answerResult);
    expect(shown.answerQuestion).toBe('what is in the picture?');
    expect(shown.answerTokens).toBeGreaterThan(0);

    // One worker for the page, each model loaded once.
    // (A string, so that vitest does not rewrite the import() meant for the browser.)
    const stats = (await page.evaluate(`import('${cdn.origin}/iris-components.js').then((m) => m.getIris()).then((iris) => iris.debug.stats())`)) as { loads: Record<string, number> };
    expect(stats.loads).toEqual({ 'iris/tiny-clip': 1, 'iris/tiny-git': 1, 'iris/tiny-git-vqa': 1 });
    await page.screenshot({ path: `${SCREENSHOTS}/components.png`, fullPage: true });
  });

  it('re-run when a property changes, and report a bad image with an error event', async () => {
    const { page } = browser;
    const result = await evaluateWithin(page, () => new Promise<{ labels: string[]; shown: number }>((done) => {
      const element = document.querySelector('iris-classify')!;
      element.addEventListener('result', (event) => {
        const labels = (event as CustomEvent<{ labels: { label: string }[] }>).detail.labels.map((l) => l.label);
        done({ labels, shown: element.shadowRoot!.querySelectorAll('li').length });
      }, { once: true });
      (element as HTMLElement & { labels: string[] }).labels = ['apple', 'sunset, at sea'];
    }), null, 60_000, 'property change');
    expect(result.labels.sort()).toEqual(['apple', 'sunset, at sea']);
    expect(result.shown).toBe(2);

    const failure = await evaluateWithin(page, () => new Promise<{ code: string; shown: string }>((done) => {
      const element = document.createElement('iris-classify');
      element.addEventListener('error', (event) => {
        const { code } = (event as unknown as CustomEvent<{ code: string }>).detail;
        done({ code, shown: element.shadowRoot!.querySelector('.error')!.textContent ?? '' });
      });
      Object.assign(element, { model: 'iris/tiny-clip', labels: ['a', 'b'], src: '/samples/not-there.png' });
      document.body.append(element);
    }), null, 60_000, 'error event');
    expect(failure.code).not.toBe('unknown');
    expect(failure.shown).not.toBe('');

    // <iris-ask>: a new question re-runs it; a captioning model is refused with a typed error event.
    const asked = await evaluateWithin(page, () => new Promise<{ question: string; shown: string }>((done) => {
      const element = document.querySelector<HTMLElement & { question: string }>('#ask')!;
      element.addEventListener('result', (event) => {
        const { question, answer } = (event as CustomEvent<{ question: string; answer: string }>).detail;
        done({ question, shown: element.shadowRoot!.querySelector('.answer')!.textContent === answer ? 'same' : 'differs' });
      }, { once: true });
      element.question = 'what color is the roof?';
    }), null, 60_000, 'new question');
    expect(asked).toEqual({ question: 'what color is the roof?', shown: 'same' });
    // The code of the error event a new <iris-ask> with `model` fires.
    const askedWith = (model: string, what: string) => evaluateWithin(page, (m) => new Promise<string>((done) => {
      const element = document.createElement('iris-ask');
      element.addEventListener('error', (event) => done((event as unknown as CustomEvent<{ code: string }>).detail.code));
      Object.assign(element, { model: m, question: 'what is this?', src: '/samples/cat.png' });
      document.body.append(element);
    }), model, 60_000, what);
    expect(await askedWith('iris/tiny-git', 'caption model asked')).toBe('bad-input');

    // <iris-ask model="iris/tiny-blip-vqa">: BLIP's question encoder and answer decoder behind the same element; the
    // streamed token events grow to the answer shown. A caption-only BLIP is refused like a captioning GIT.
    const blip = await evaluateWithin(page, () => new Promise<{ answer: string; shown: string; tokens: number; streamed: string[] }>((done) => {
      const element = document.createElement('iris-ask');
      const streamed: string[] = [];
      element.addEventListener('token', (event) => streamed.push((event as CustomEvent<{ text: string }>).detail.text));
      element.addEventListener('result', (event) => {
        const { answer, tokens } = (event as CustomEvent<{ answer: string; tokens: unknown[] }>).detail;
        done({ answer, tokens: tokens.length, shown: element.shadowRoot!.querySelector('.answer')!.textContent ?? '', streamed });
      }, { once: true });
      element.setAttribute('max-tokens', '3');
      Object.assign(element, { model: 'iris/tiny-blip-vqa', question: 'what is in the picture?', src: '/samples/house.png' });
      document.body.append(element);
    }), null, 180_000, 'BLIP VQA element');
    expect(blip.tokens).toBeGreaterThan(0);
    expect(blip.shown).toBe(blip.answer);
    expect(blip.streamed.length).toBeGreaterThan(0);
    expect(blip.streamed[blip.streamed.length - 1]).toBe(blip.answer);
    expect(await askedWith('iris/tiny-blip', 'BLIP caption model asked')).toBe('bad-input');
    expect(browser.pageErrors).toEqual([]);
    // The library and its worker came from the "CDN"; the page's origin served only the page, samples and models.
    expect(cdn.requests).toContain(`/${PUBLISHED_WORKER_FILE}`);
    expect(site.requests.filter((p) => !p.startsWith('/hub/') && !p.startsWith('/samples/') && p !== '/' && p !== '/favicon.ico')).toEqual([]);
  });

  it('speak the language in effect for the element: Chinese under lang="zh-CN", English otherwise', async () => {
    const { page } = browser;
    const failure = (lang: string) => evaluateWithin(page, (tag) => new Promise<{ code: string; message: string; text: string; detail: string | null; bars: string; loading: string }>((done) => {
      const box = document.createElement('div');
      box.lang = tag;
      const element = document.createElement('iris-classify');
      element.addEventListener('error', (event) => {
        const { code, message } = (event as unknown as CustomEvent<{ code: string; message: string }>).detail;
        const root = element.shadowRoot!;
        const line = root.querySelector('.error')!;
        done({
          code, message, text: line.firstChild?.textContent ?? '', detail: line.querySelector('[lang="en"]')?.textContent ?? null,
          bars: root.querySelector('ol')!.getAttribute('aria-label')!, loading: root.querySelector('progress')!.getAttribute('aria-label')!,
        });
        box.remove();
      });
      Object.assign(element, { model: 'iris/tiny-clip', labels: ['猫', '狗'], src: '/samples/not-there.png' });
      box.append(element);
      document.body.append(box);
    }), lang, 60_000, `error event (lang ${lang})`);

    const zh = await failure('zh-CN');
    expect(zh.text.startsWith(sharedZh[`error.${zh.code}` as keyof typeof sharedZh])).toBe(true);
    expect(zh.detail).toBe(zh.message); // the library's English message, marked lang="en"
    expect(zh.bars).toBe(sharedZh['component.bars']);
    expect(zh.loading).toBe(sharedZh['component.loading']);
    const en = await failure('en');
    expect(en.text).toBe(en.message);
    expect(en.detail).toBeNull();
    expect(en.bars).toBe(sharedEn['component.bars']);
    expect(en.loading).toBe(sharedEn['component.loading']);
  });
});
