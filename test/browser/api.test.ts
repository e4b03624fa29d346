// The library API (page ↔ worker via comlink) in headless Chromium with the tiny demo models served by the
// app in the Hub URL layout: results, streaming, cancellation, queueing, errors and device-loss recovery.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { evaluateWithin, launchChromium, type Browser } from './chromium';

declare global {
  interface Window {
    irisApi: {
      start(): Promise<{ description: string }>;
      iris: import('../../src/index').Iris;
      testImage(width?: number, height?: number): ImageData;
      attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }>;
    };
  }
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  await browser.page.goto(`${inject('baseUrl')}/test/browser/pages/api.html`);
  await browser.page.waitForFunction(() => 'irisApi' in window, null, { timeout: 60_000 });
  await evaluateWithin(browser.page, () => window.irisApi.start(), null, 60_000, 'createIris');
});
afterAll(async () => browser?.close());

const run = <T>(fn: () => Promise<T>, what: string, ms = 240_000) => evaluateWithin(browser.page, fn, null, ms, what);

describe('classify (tiny CLIP)', () => {
  it('ranks every label with probabilities that sum to 1, and reports progress while loading', async () => {
    const result = await run(async () => {
      const events: string[] = [];
      const r = await window.irisApi.iris.classify(window.irisApi.testImage(), ['cat', 'dog', 'car'], {
        model: 'iris/tiny-clip', onProgress: (e) => events.push(e.phase),
      });
      return { ...r, events };
    }, 'classify');
    expect(result.labels.map((l) => l.label).sort()).toEqual(['car', 'cat', 'dog']);
    const sum = result.labels.reduce((s, l) => s + l.score, 0);
    expect(sum).toBeCloseTo(1, 5);
    expect(result.labels.map((l) => l.score)).toEqual([...result.labels.map((l) => l.score)].sort((a, b) => b - a));
    expect(result.events).toContain('download');
    expect(result.events).toContain('compile');
    expect(result.events[result.events.length - 1]).toBe('ready');
  });

  it('embeds texts and images as unit vectors of the projection size', async () => {
    const [text, image] = await run(async () => {
      const t = await window.irisApi.iris.embedText(['a cat', 'a dog'], { model: 'iris/tiny-clip' });
      const i = await window.irisApi.iris.embedImage(window.irisApi.testImage(), { model: 'iris/tiny-clip' });
      return [Array.from(t), Array.from(i)];
    }, 'embed');
    expect(text.length % 2).toBe(0);
    const dim = text.length / 2;
    expect(image.length).toBe(dim);
    const norm = (v: number[]) => Math.hypot(...v);
    expect(norm(text.slice(0, dim))).toBeCloseTo(1, 4);
    expect(norm(image)).toBeCloseTo(1, 4);
  });
});

describe('caption (tiny GIT and ViT-GPT2)', () => {
  for (const model of ['iris/tiny-git', 'iris/tiny-vit-gpt2']) {
    it(`${model}: streams the text as it grows, ending with the final caption`, async () => {
      const result = await evaluateWithin(browser.page, async (name: string) => {
        const seen: string[] = [];
        const r = await window.irisApi.iris.caption(window.irisApi.testImage(), { model: name, maxNewTokens: 6, onToken: (t) => seen.push(t) });
        return { ...r, seen };
      }, model, 240_000, `caption ${model}`);
      expect(result.ids.length).toBeGreaterThan(1);
      expect(result.seen.length).toBe(result.ids.length - 1);
      expect(result.seen[result.seen.length - 1]).toBe(result.text);
    });
  }

  it('beam search returns a caption too', async () => {
    const r = await run(() => window.irisApi.iris.caption(window.irisApi.testImage(), { model: 'iris/tiny-git', numBeams: 3, maxNewTokens: 5 }), 'beam');
    expect(r.ids.length).toBeGreaterThan(1);
  });
});

describe('attention maps through the worker', () => {
  it('classify returns a heat map over the patch grid; caption returns one map per generated token', async () => {
    const r = await run(async () => {
      const c = await window.irisApi.iris.classify(window.irisApi.testImage(), ['a', 'b'], { model: 'iris/tiny-clip', attentionMap: true });
      const k = await window.irisApi.iris.caption(window.irisApi.testImage(), { model: 'iris/tiny-git', maxNewTokens: 4, attentionMaps: true });
      return { map: c.attention && { rows: c.attention.rows, cols: c.attention.cols, values: Array.from(c.attention.values) }, tokens: k.ids.length - 1, maps: k.tokenAttentions, rollout: k.imageRollout };
    }, 'attention maps');
    // tiny models: 64×64 images in 16×16 patches → a 4×4 grid.
    expect(r.map).toMatchObject({ rows: 4, cols: 4 });
    expect(r.map!.values).toHaveLength(16);
    expect(Math.min(...r.map!.values)).toBe(0);
    expect(Math.max(...r.map!.values)).toBeCloseTo(1, 6);
    expect(r.maps).toHaveLength(r.tokens);
    for (const row of r.maps!) {
      expect(row).toHaveLength(16);
      row.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
    }
    expect(r.rollout).toHaveLength(16);
  });
});

describe('requests', () => {
  it('cancel mid-caption rejects with "aborted" and the worker stays usable', async () => {
    const r = await run(async () => {
      const controller = new AbortController();
      const cancelled = await window.irisApi.attempt(() => window.irisApi.iris.caption(window.irisApi.testImage(), {
        model: 'iris/tiny-git', maxNewTokens: 40, onToken: () => controller.abort(), signal: controller.signal,
      }));
      const after = await window.irisApi.attempt(() => window.irisApi.iris.classify(window.irisApi.testImage(), ['a', 'b'], { model: 'iris/tiny-clip' }));
      return { cancelled, after };
    }, 'cancel');
    expect(r.cancelled).toMatchObject({ ok: false, code: 'aborted' });
    expect(r.after.ok).toBe(true);
  });

  it('20 requests fired at once all complete, in order', async () => {
    const order = await run(async () => {
      const done: number[] = [];
      const image = window.irisApi.testImage(32, 32);
      await Promise.all(Array.from({ length: 20 }, (_, i) =>
        window.irisApi.iris.classify(image, [`label ${i}`, 'other'], { model: 'iris/tiny-clip' }).then(() => done.push(i))));
      return done;
    }, '20 requests');
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('bad input gives typed errors: an undecodable image, an unknown model', async () => {
    const r = await run(async () => ({
      image: await window.irisApi.attempt(() => window.irisApi.iris.classify(new Blob([new Uint8Array([1, 2, 3])]), ['a'], { model: 'iris/tiny-clip' })),
      model: await window.irisApi.attempt(() => window.irisApi.iris.caption(window.irisApi.testImage(), { model: 'not a model' })),
      labels: await window.irisApi.attempt(() => window.irisApi.iris.classify(window.irisApi.testImage(), [], { model: 'iris/tiny-clip' })),
    }), 'errors');
    expect(r.image).toMatchObject({ ok: false, code: 'bad-image' });
    expect(r.model).toMatchObject({ ok: false, code: 'bad-input' });
    expect(r.labels).toMatchObject({ ok: false, code: 'bad-input' });
  });

  it('after the GPU device is destroyed, the next request re-creates it and succeeds', async () => {
    const r = await run(async () => {
      const before = await window.irisApi.iris.debug.stats();
      const first = await window.irisApi.iris.classify(window.irisApi.testImage(), ['x', 'y'], { model: 'iris/tiny-clip' });
      await window.irisApi.iris.debug.loseDevice();
      const second = await window.irisApi.iris.classify(window.irisApi.testImage(), ['x', 'y'], { model: 'iris/tiny-clip' });
      const after = await window.irisApi.iris.debug.stats();
      return { before, after, first: first.labels, second: second.labels };
    }, 'device loss');
    expect(r.after.deviceGeneration).toBe(r.before.deviceGeneration + 1);
    expect(r.second.map((l) => l.label)).toEqual(r.first.map((l) => l.label));
    r.second.forEach((l, i) => expect(l.score).toBeCloseTo(r.first[i]!.score, 5));
  });

  it('each model was loaded once per device', async () => {
    const stats = await run(() => window.irisApi.iris.debug.stats(), 'stats');
    expect(stats.loads['iris/tiny-git']).toBe(1);
    expect(stats.loads['iris/tiny-vit-gpt2']).toBe(1);
    expect(stats.loads['iris/tiny-clip']).toBe(2); // once, then again on the re-created device
    expect(browser.pageErrors).toEqual([]);
  });
});

describe('ask (tiny GIT VQA)', () => {
  const model = 'iris/tiny-git-vqa';

  it('streams the answer as it grows, ending with the final answer; its tokens read as the answer', async () => {
    const result = await evaluateWithin(browser.page, async (name: string) => {
      const seen: string[] = [];
      const r = await window.irisApi.iris.ask(window.irisApi.testImage(), 'what is in the picture?', { model: name, maxNewTokens: 5, onToken: (t) => seen.push(t) });
      return { ...r, seen };
    }, model, 240_000, 'ask');
    expect(result.question).toBe('what is in the picture?');
    expect(result.tokens.length).toBeGreaterThan(0);
    expect(result.seen.length).toBe(result.tokens.length);
    expect(result.seen[result.seen.length - 1]).toBe(result.answer);
    expect(result.tokens.map((t) => t.text).join('').trim()).toBe(result.answer);
    expect(result.timings.firstTokenMs).toBeGreaterThan(0);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.firstTokenMs);
  });

  it('beam search answers too, and attention maps give one row over the patches per answer token', async () => {
    const result = await run(async () => {
      const beam = await window.irisApi.iris.ask(window.irisApi.testImage(), 'what color is it?', { model: 'iris/tiny-git-vqa', numBeams: 3, maxNewTokens: 4 });
      const maps = await window.irisApi.iris.ask(window.irisApi.testImage(), 'what color is it?', { model: 'iris/tiny-git-vqa', maxNewTokens: 4, attentionMaps: true });
      return { beamTokens: beam.tokens.length, maps };
    }, 'ask beams + maps');
    expect(result.beamTokens).toBeGreaterThan(0);
    expect(result.maps.tokenAttentions!.length).toBe(result.maps.tokens.length);
    const patches = result.maps.imageRollout!.length;
    for (const row of result.maps.tokenAttentions!) expect(row.length).toBe(patches);
    expect(result.maps.attentionRegion).toBeDefined();
  });

  it('refuses bad input with typed errors: empty question (before any download), a captioning model, cancellation', async () => {
    const result = await run(async () => {
      const { iris, attempt, testImage } = window.irisApi;
      const phases: string[] = [];
      const empty = await attempt(() => iris.ask(testImage(), '   ', { model: 'microsoft/git-base-vqav2', onProgress: (e) => phases.push(e.phase) }));
      const captioner = await attempt(() => iris.ask(testImage(), 'what is this?', { model: 'iris/tiny-git' }));
      const controller = new AbortController();
      const aborted = await attempt(() => iris.ask(testImage(), 'what is this?', { model: 'iris/tiny-git-vqa', maxNewTokens: 40, onToken: () => controller.abort(), signal: controller.signal }));
      const vqaCaption = await attempt(() => iris.caption(testImage(), { model: 'iris/tiny-git-vqa' }));
      return { empty, captioner, aborted, vqaCaption, phases };
    }, 'ask errors');
    expect(result.empty).toMatchObject({ ok: false, code: 'bad-input' });
    expect(result.phases).toEqual([]);
    expect(result.captioner).toMatchObject({ ok: false, code: 'bad-input' });
    expect(result.aborted).toMatchObject({ ok: false, code: 'aborted' });
    expect(result.vqaCaption).toMatchObject({ ok: false, code: 'bad-input' });
  });
});
