// A full-size random-weight openai/clip-vit-base-patch32 (the real tensor names, shapes, configs and CLIP
// tokenizer files, made by scripts/make-models.mjs into weights/generated/, never committed) in headless
// Chromium: downloaded through the Hub from a local hub server, loaded, and run by the tasks-level
// ZeroShotClassifier on one synthetic image against 10 labels. Random weights: only the shape of the answer
// (finite, normalised, sorted probabilities) is checked; correctness is models.test.ts's job.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubServer } from '../helpers/hub-server';
import type { Browser } from './chromium';
import { openModelsPage, runModel } from './models-page';

const REPO = 'openai/clip-vit-base-patch32';
const ROOT = resolve('weights/generated');
const FOLDER = `${REPO}/f16`;
const WEIGHTS = join(ROOT, FOLDER, 'model.safetensors');

let browser: Browser;
let server: HubServer;
beforeAll(async () => {
  if (!existsSync(WEIGHTS)) {
    const made = spawnSync(process.execPath, ['scripts/make-models.mjs', '--model', 'clip-vit-base-patch32', '--dtype', 'f16'], { stdio: 'inherit' });
    if (made.status !== 0) throw new Error(`scripts/make-models.mjs failed (${made.error ?? `exit ${made.status}`})`);
  }
  server = await HubServer.start({ repos: { [REPO]: FOLDER }, root: ROOT });
  browser = await openModelsPage();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Float values in the checkpoint (all but the integer position_ids buffers). */
function floatValues(): number {
  const file = readFileSync(WEIGHTS);
  const header = JSON.parse(file.toString('utf8', 8, 8 + Number(file.readBigUInt64LE(0)))) as Record<string, { dtype: string; shape: number[] }>;
  return Object.entries(header)
    .filter(([name, t]) => name !== '__metadata__' && /^B?F\d+$/.test(t.dtype))
    .reduce((n, [, t]) => n + t.shape.reduce((a, b) => a * b, 1), 0);
}

describe('full-size random-weight openai/clip-vit-base-patch32 in Chromium', () => {
  it('loads through the Hub; ZeroShotClassifier (real CLIP tokenizer) ranks 10 labels for one image', async () => {
    const labels = ['cat', 'dog', 'car', 'tree', 'house', 'boat', 'bird', 'flower', 'mountain', 'pizza'];
    const out = await runModel(browser, 'page', 'zeroShot', { baseUrl: server.url, repo: REPO, db: 'iris-full-size', labels, width: 320, height: 240 }, 280_000);
    const ms = Object.entries(out.ms).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
    console.log(`ViT-B/32 f16 checkpoint (${(out.fileBytes / 2 ** 20).toFixed(0)} MiB), GPU weights ${(out.weightBytes / 2 ** 20).toFixed(0)} MiB, shader-f16 ${out.f16}: ${ms}`);
    console.log(out.ranked.map((r) => `${r.label} ${r.score.toFixed(4)}`).join(', '));

    expect(server.bytesServed('model.safetensors', REPO)).toBe(readFileSync(WEIGHTS).length);
    // Without shader-f16 (SwiftShader) every f16 weight is widened to f32 on the GPU (logit_scale stays on the host).
    if (out.f16) expect(out.weightBytes).toBeLessThan(4 * floatValues());
    else expect(out.weightBytes).toBe(4 * (floatValues() - 1));

    expect(out.ranked).toHaveLength(10);
    expect(out.ranked.map((r) => r.label).sort()).toEqual([...labels].sort());
    for (const r of out.ranked) {
      expect(Number.isFinite(r.score) && Number.isFinite(r.logit), `${r.label}: score ${r.score}, logit ${r.logit}`).toBe(true);
      expect(r.score).toBeGreaterThan(0);
    }
    expect(Math.abs(out.ranked.reduce((s, r) => s + r.score, 0) - 1)).toBeLessThanOrEqual(1e-5);
    for (let i = 1; i < out.ranked.length; i++) expect(out.ranked[i]!.score).toBeLessThanOrEqual(out.ranked[i - 1]!.score);
    expect(browser.pageErrors).toEqual([]);
  });
});
