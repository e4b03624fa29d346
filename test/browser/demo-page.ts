// What the tests of the built demo (served by vite preview, see preview-build.ts) share: the build and one
// Chromium for the file, opening the demo (on a tab), picking a sample image, and synthetic PNG files to pick.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './chromium';
import { drawPhoto } from './pages/synthetic-photo';
import { forTheFile } from './per-file';
import { servePreviewBuild, type PreviewBuild } from './preview-build';

/** Where the demo tests' screenshots go, for a person to look at. */
export const SCREENSHOTS = 'test-results/screenshots';
export const DESKTOP = { width: 1280, height: 900 };

export interface DemoBuild {
  readonly preview: PreviewBuild;
  readonly browser: Browser;
}

/**
 * For one test file: the demo built into a temporary folder (`prefix`) and served, and a Chromium (`chromium`
 * options, at `viewport` if given), started before its tests (with the screenshots folder) and closed after them.
 */
export function useDemoBuild(prefix: string, options: { viewport?: { width: number; height: number }; chromium?: Parameters<typeof launchChromium>[0] } = {}): DemoBuild {
  const preview = forTheFile('preview build', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    return servePreviewBuild(prefix);
  }, (build) => build.close());
  const browser = forTheFile('browser', async () => {
    const launched = await launchChromium(options.chromium);
    if (options.viewport) await launched.page.setViewportSize(options.viewport);
    return launched;
  }, (launched) => launched.close());
  return {
    get preview() { return preview(); },
    get browser() { return browser(); },
  };
}

/** Opens the demo at `origin`, waits until it says it is ready, then opens the tab named `tab`, if given. */
export async function openDemo(page: Page, origin: string, tab?: string): Promise<void> {
  await page.goto(origin);
  await page.waitForFunction(() => document.body?.dataset.ready === 'true', null, { timeout: 60_000 });
  if (tab) await page.getByRole('tab', { name: tab }).click();
}

/** Clicks the sample image button whose name matches `name`, and waits until the image is in the drop zone. */
export async function pickSample(page: Page, name: RegExp): Promise<void> {
  await page.getByRole('button', { name }).click();
  await page.waitForFunction(() => document.querySelector('#drop')!.getAttribute('data-empty') === 'false');
}

/** Synthetic PNGs (drawPhoto of seeds 1…count, drawn in the page) as file payloads for setInputFiles, named `${prefix}${seed}.png`. */
export async function syntheticPngs(page: Page, count: number, prefix: string): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
  // The demo does not load synthetic-photo.ts: the page gets drawPhoto as source (it is self-contained).
  const draw = await page.evaluateHandle<(seed: number) => OffscreenCanvas>(`(${drawPhoto.toString()})`);
  const encoded = await page.evaluate(async ([drawPhotoInPage, n]) => {
    const out: string[] = [];
    for (let seed = 1; seed <= n; seed++) {
      const bytes = new Uint8Array(await (await drawPhotoInPage(seed).convertToBlob({ type: 'image/png' })).arrayBuffer());
      let binary = '';
      for (const b of bytes) binary += String.fromCharCode(b);
      out.push(btoa(binary));
    }
    return out;
  }, [draw, count] as const);
  await draw.dispose();
  return encoded.map((b64, i) => ({ name: `${prefix}${i + 1}.png`, mimeType: 'image/png', buffer: Buffer.from(b64, 'base64') }));
}
