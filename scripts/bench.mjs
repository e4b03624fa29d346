#!/usr/bin/env node
// `npm run bench`: kernel benchmarks at the models' shapes (test/bench/kernel-bench.ts).
//
//   node scripts/bench.mjs                 headless Chromium (WebGPU, SwiftShader on a CPU-only machine)
//   node scripts/bench.mjs --node          Node + Dawn's bindings on the Vulkan driver (a GPU machine needs
//                                          only Node, node_modules and the NVIDIA Vulkan driver)
//   options: --reps N (≥ 5; default 10, 5 on a CPU adapter)   --out FILE (default bench-results/kernels.json)
//
// Both modes load the TypeScript sources through a Vite dev server (the page over HTTP, Node through
// ssrLoadModule), print a table and write JSON to bench-results/kernels.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const { values: args } = parseArgs({
  options: {
    node: { type: 'boolean', default: false },
    reps: { type: 'string' },
    out: { type: 'string', default: 'bench-results/kernels.json' },
  },
});
const options = {
  runtime: args.node ? 'node + Dawn' : 'headless Chromium',
  reps: args.reps === undefined ? undefined : Number(args.reps),
};

const server = await createServer({
  configFile: 'vite.config.ts',
  logLevel: 'error',
  server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  optimizeDeps: { noDiscovery: true, include: [] },
});

let report, formatReport;
try {
  ({ formatReport } = await server.ssrLoadModule('/test/bench/kernel-bench.ts'));
  report = args.node ? await benchInNode() : await benchInChromium();
} finally {
  await server.close();
}

console.log(`\n${formatReport(report)}`);
mkdirSync(dirname(resolve(args.out)), { recursive: true });
writeFileSync(args.out, JSON.stringify(report, null, 2) + '\n');
console.log(`\nwrote ${args.out}`);

async function benchInNode() {
  // Like the gpu test project: an explicit VK_ICD_FILENAMES wins; else the lavapipe that
  // scripts/get-lavapipe.sh unpacks, when present (CPU-only machines); else the system's Vulkan drivers.
  const lavapipe = resolve('.lavapipe/lvp_icd.json');
  if (!process.env.VK_ICD_FILENAMES && existsSync(lavapipe)) process.env.VK_ICD_FILENAMES = lavapipe;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const dawn = create([]); // must stay reachable while its devices live
  const { Gpu } = await server.ssrLoadModule('/src/gpu/gpu.ts');
  const { runKernelBench } = await server.ssrLoadModule('/test/bench/kernel-bench.ts');
  const gpu = await Gpu.create(dawn);
  try {
    return await runKernelBench(gpu, { ...options, log: (line) => console.log(`[bench] ${line}`) });
  } finally {
    gpu.destroy();
  }
}

async function benchInChromium() {
  await server.listen();
  const address = server.httpServer.address();
  const { launchChromium, evaluateWithin } = await server.ssrLoadModule('/test/browser/chromium.ts');
  const browser = await launchChromium();
  try {
    browser.page.on('console', (m) => { if (m.text().startsWith('[bench]')) console.log(m.text()); });
    await browser.page.goto(`http://127.0.0.1:${address.port}/test/browser/pages/bench.html`);
    await browser.page.waitForFunction(() => 'irisBench' in window, null, { timeout: 60_000 });
    return await evaluateWithin(browser.page, (opts) => window.irisBench.run(opts), options, 600_000, 'the benchmark');
  } finally {
    await browser.close();
  }
}
