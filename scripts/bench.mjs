#!/usr/bin/env node
// `npm run bench`: kernel benchmarks at the models' shapes with the adapter's measured peak
// (test/bench/kernel-bench.ts, peak.ts), then the end-to-end benchmarks of the full-size models loaded
// through the normal loader (test/bench/model-bench.ts).
//
//   node scripts/bench.mjs                 headless Chromium (WebGPU; SwiftShader on a CPU-only machine),
//                                          weights cached in the page's real IndexedDB
//   node scripts/bench.mjs --node          Node + Dawn's bindings on the Vulkan driver (test/bench/node-bench.ts)
//
//   [--quick | --full]   default: quick on a CPU adapter (fewer runs and tokens, no batch 8 / 1,000 labels)
//   --only kernels|models|retrieval   --models LIST   --dtype f32|f16|f32,f16   --reps N   --tokens N
//   --weights DIR (default weights/generated; missing checkpoints are generated first)
//   --out-dir DIR (default bench-results: {chromium,node}-kernels.json, {chromium,node}-models-<dtype>.json,
//                 package-size.json)
//   --smoke   every code path on the tiny demo models (seconds; checks that the benchmark runs, measures nothing)
//
// Every run begins with the package's size budget (scripts/package-size.mjs).
// A GPU machine without node_modules runs the bundle that scripts/bench-bundle.mjs builds (README, Benchmarks).
// Both modes load the TypeScript sources through a Vite dev server (the page over HTTP, Node through
// ssrLoadModule).
import { createServer } from 'vite';
import { formatPackageSize, measurePackage } from './package-size.mjs';

const argv = process.argv.slice(2);
// The size budget first, on every run: install size, gzip of the API entry, the components entry, the worker.
const packageSize = measurePackage();
console.log(formatPackageSize(packageSize));
const server = await createServer({
  configFile: 'vite.config.ts',
  logLevel: 'error',
  server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
  optimizeDeps: { noDiscovery: true, include: [] },
});

try {
  const bench = await server.ssrLoadModule('/test/bench/node-bench.ts');
  console.log(`[bench] wrote ${bench.writeReport(bench.parseBenchArgs(argv).outDir, 'package-size.json', packageSize)}`);
  process.exitCode = argv.includes('--node') ? await bench.main(argv) : await benchInChromium(bench);
} finally {
  await server.close();
}

async function benchInChromium(bench) {
  const args = bench.parseBenchArgs(argv);
  const log = (line) => console.log(`[bench] ${line}`);
  const { formatReport } = await server.ssrLoadModule('/test/bench/kernel-bench.ts');
  const { formatModelReport } = await server.ssrLoadModule('/test/bench/model-bench.ts');
  const { formatRetrievalReport } = await server.ssrLoadModule('/test/bench/retrieval-bench.ts');
  await server.listen();
  const address = server.httpServer.address();
  const { launchChromium, evaluateWithin } = await server.ssrLoadModule('/test/browser/chromium.ts');
  const browser = await launchChromium();
  const printed = [];
  try {
    browser.page.on('console', (m) => { if (m.text().startsWith('[bench]')) console.log(m.text()); });
    await browser.page.goto(`http://127.0.0.1:${address.port}/test/browser/pages/bench.html`);
    await browser.page.waitForFunction(() => 'irisBench' in window, null, { timeout: 60_000 });
    const adapter = await evaluateWithin(browser.page, () => window.irisBench.adapter(), undefined, 60_000, 'the adapter query');
    const protocol = bench.resolveProtocol(args, adapter);
    log(`${protocol.quick ? 'quick' : 'full'} protocol${adapter.cpu ? ' (CPU adapter)' : ''}`);
    const runtime = 'headless Chromium';

    if (bench.runs(args, 'kernels')) {
      const report = await evaluateWithin(browser.page, (o) => window.irisBench.run(o), { runtime, reps: args.reps }, 1_800_000, 'the kernel benchmark');
      printed.push(formatReport(report), `wrote ${bench.writeReport(args.outDir, 'chromium-kernels.json', report)}`);
    }
    if (bench.runs(args, 'retrieval')) {
      const options = { runtime, ...(protocol.quick && { indexImages: 4 }) };
      const report = await evaluateWithin(browser.page, (o) => window.irisBench.runRetrieval(o), options, 1_800_000, 'the retrieval benchmark');
      printed.push(formatRetrievalReport(report), `wrote ${bench.writeReport(args.outDir, 'chromium-retrieval.json', report)}`);
    }
    if (bench.runs(args, 'models')) {
      await bench.ensureModels(args.weights, protocol.models, protocol.dtypes, log, args.smoke);
      for (const dtype of protocol.dtypes) {
        const hub = await bench.startHub(args.weights, dtype, args.smoke);
        try {
          const options = { runtime, hubUrl: hub.url, dtype, models: protocol.models, quick: protocol.quick, reps: args.reps, tokens: args.tokens };
          const report = await evaluateWithin(browser.page, (o) => window.irisBench.runModels(o), options, 3_600_000, 'the model benchmark');
          if (args.smoke) report.notes.push('SMOKE TEST: the tiny demo models stood in for the Hub checkpoints; the figures mean nothing');
          printed.push(formatModelReport(report), `wrote ${bench.writeReport(args.outDir, `chromium-models-${args.smoke ? 'smoke' : dtype}.json`, report)}`);
        } finally {
          await hub.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`\n${printed.join('\n\n')}`);
  return 0;
}
