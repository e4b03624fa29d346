// Debian's Chromium driven by playwright-core (never a downloaded browser), with WebGPU on SwiftShader.
// Recipe measured in ../shared/webgpu/README.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BASE_ARGS = [
  '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged to the console, and uncaught page errors. */
  console: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

/** `locale` (e.g. 'zh-CN') sets the browser's language: navigator.language(s), Accept-Language and --lang. */
export async function launchChromium(options: { webgpu?: boolean; args?: string[]; locale?: string } = {}): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'iris-chromium-'));
  const args = [...BASE_ARGS, ...(options.args ?? [])];
  if (options.webgpu ?? true) args.push('--enable-unsafe-webgpu');
  if (options.locale) args.push(`--lang=${options.locale}`);
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args, ...(options.locale ? { locale: options.locale } : {}) });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return {
    context,
    page,
    console: consoleLines,
    pageErrors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** page.evaluate has no timeout of its own: a hung GPU call would hang the suite. */
export async function evaluateWithin<T, A>(page: Page, fn: (arg: A) => Promise<T> | T, arg: A, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([page.evaluate(fn as never, arg as never) as Promise<T>, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
