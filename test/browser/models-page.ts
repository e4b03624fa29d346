// Node-side driver of test/browser/pages/models.html: opens it in Chromium and calls its model runs, on the
// page thread or in its dedicated Worker, with a deadline.
import { inject } from 'vitest';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import type { ModelsApi } from './pages/models';
import type { RunName, Runs } from './pages/model-runs';

export type RunArgs<K extends RunName> = Parameters<Runs[K]>[0];
export type RunResult<K extends RunName> = Awaited<ReturnType<Runs[K]>>;

export async function openModelsPage(): Promise<Browser> {
  const browser = await launchChromium();
  await browser.page.goto(`${inject('baseUrl')}/test/browser/pages/models.html`);
  await browser.page.waitForFunction(() => 'irisModels' in window, null, { timeout: 60_000 });
  return browser;
}

/** window.irisModels.inPage / inWorker(name, args). */
export function runModel<K extends RunName>(browser: Browser, where: 'page' | 'worker', name: K, args: RunArgs<K>, ms = 90_000): Promise<RunResult<K>> {
  const call = ([w, n, a]: [string, string, unknown]) => {
    const api = (window as unknown as { irisModels: Record<keyof ModelsApi, (name: string, args: unknown) => Promise<unknown>> }).irisModels;
    return api[w === 'page' ? 'inPage' : 'inWorker'](n, a);
  };
  return evaluateWithin(browser.page, call, [where, name, args], ms, `${name} (${where})`) as Promise<RunResult<K>>;
}
