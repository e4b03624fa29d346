// The WGSL kernels in real headless Chromium (SwiftShader WebGPU), on the page and in a Worker.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import type { KernelReport } from './pages/kernel-checks';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  await browser.page.goto(`${inject('baseUrl')}/test/browser/pages/kernels.html`);
  await browser.page.waitForFunction(() => 'irisKernels' in window, null, { timeout: 60_000 });
});
afterAll(async () => browser?.close());

type KernelWindow = { irisKernels: { inPage(): Promise<KernelReport>; inWorker(): Promise<KernelReport> } };

function expectAllPass(report: KernelReport): void {
  expect(report.adapter).toMatch(/\w/);
  expect(report.checks.length).toBeGreaterThan(0);
  for (const check of report.checks) {
    expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    expect(check.maxRef, `${check.name}: reference is all zeros`).toBeGreaterThan(0.05);
  }
}

describe('kernels in Chromium', () => {
  it('run on the page thread', async () => {
    const report = await evaluateWithin(browser.page, () => (window as unknown as KernelWindow).irisKernels.inPage(), null, 240_000, 'kernel checks (page)');
    console.log(`page adapter: ${report.adapter}, f16: ${report.f16}; checks: ${report.checks.map((c) => c.name).join(' | ')}`);
    expectAllPass(report);
  });

  it('run inside a dedicated Worker', async () => {
    const report = await evaluateWithin(browser.page, () => (window as unknown as KernelWindow).irisKernels.inWorker(), null, 240_000, 'kernel checks (worker)');
    expectAllPass(report);
    expect(browser.pageErrors).toEqual([]);
  });
});
