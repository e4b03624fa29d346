/**
 * The benchmark without a browser: kernels and end-to-end models in Node on Dawn's Vulkan backend (npm
 * `webgpu`'s dawn.node). Entry of `node scripts/bench.mjs --node` (through Vite's module loader) and of the
 * self-contained bundle that scripts/bench-bundle.mjs builds for a GPU machine without node_modules
 * (test/bench/bundle-main.ts). Also holds what both runtimes share: argument parsing, generating missing
 * checkpoints, the local Hub server, writing the reports.
 *
 *   [--quick | --full]        default: quick on a CPU adapter (SwiftShader, lavapipe), full otherwise
 *   --only kernels|models|retrieval   default: all three
 *   --models LIST             repo ids or their last part, comma-separated (default: by protocol)
 *   --dtype f32|f16|f32,f16   checkpoint dtypes (default quick: f16 where shader-f16 exists, else f32;
 *                             full: f32,f16 where shader-f16 exists, else f32)
 *   --reps N  --tokens N      timed runs per figure, new tokens per caption
 *   --weights DIR             generated checkpoints (default weights/generated; missing ones are generated)
 *   --out-dir DIR             JSON reports (default bench-results)
 *   --smoke                   every code path on the tiny demo models served under the Hub names, 1 run,
 *                             3 tokens: a check that the benchmark runs (seconds), not a measurement
 *   make-models ARGS...       (bundle) runs scripts/make-models.ts with ARGS
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// '.js' names the .ts file (TypeScript and Vite both map it): an extensionless path would pick the .mjs launcher.
import { main as makeModels } from '../../scripts/make-models.js';
import { Gpu } from '../../src/gpu/gpu';
import { familyFor } from '../../src/families';
import { MODELS } from '../../src/worker/registry';
import type { Json } from '../../src/nn/config';
import { HubServer } from '../helpers/hub-server';
import { memoryStore } from '../helpers/stores';
import { describeAdapter, formatReport, isCpuAdapter, runKernelBench, type BenchReport } from './kernel-bench';
import { BENCH_MODELS, formatModelReport, QUICK_MODELS, runModelBench, type ModelReport } from './model-bench';
import { formatRetrievalReport, runRetrievalBench } from './retrieval-bench';

export interface BenchArgs {
  quick?: boolean;
  smoke: boolean;
  only?: 'kernels' | 'models' | 'retrieval';
  models?: string[];
  dtypes?: Array<'f32' | 'f16'>;
  reps?: number;
  tokens?: number;
  weights: string;
  outDir: string;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      node: { type: 'boolean', default: false },
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      only: { type: 'string' },
      models: { type: 'string' },
      dtype: { type: 'string' },
      reps: { type: 'string' },
      tokens: { type: 'string' },
      weights: { type: 'string', default: 'weights/generated' },
      'out-dir': { type: 'string', default: 'bench-results' },
      smoke: { type: 'boolean', default: false },
    },
  });
  if (values.quick && values.full) throw new Error('--quick and --full exclude each other');
  if (values.only !== undefined && !['kernels', 'models', 'retrieval'].includes(values.only)) throw new Error('--only must be kernels, models or retrieval');
  const count = (name: string, value: string | undefined, min: number) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${value}"`);
    return n;
  };
  const models = values.models?.split(',').map((name) => {
    const repo = BENCH_MODELS.find((r) => r === name || r.split('/')[1] === name);
    if (!repo) throw new Error(`unknown model "${name}" (known: ${BENCH_MODELS.join(', ')})`);
    return repo;
  });
  const dtypes = values.dtype?.split(',').map((d) => {
    if (d !== 'f32' && d !== 'f16') throw new Error(`--dtype takes f32, f16 or f32,f16, got "${values.dtype}"`);
    return d;
  });
  const smoke = values.smoke!;
  return {
    quick: values.quick ? true : values.full ? false : undefined,
    smoke,
    only: values.only as BenchArgs['only'],
    models,
    dtypes,
    reps: count('reps', values.reps, 1) ?? (smoke ? 1 : undefined),
    tokens: count('tokens', values.tokens, 2) ?? (smoke ? 3 : undefined),
    weights: resolve(values.weights!),
    outDir: resolve(values['out-dir']!),
  };
}

/** The protocol once the adapter is known: quick on CPU adapters unless --full. */
/** Whether a section of the benchmark runs: all by default, or the one `--only` names. */
export function runs(args: BenchArgs, section: NonNullable<BenchArgs['only']>): boolean {
  return args.only === undefined || args.only === section;
}

export function resolveProtocol(args: BenchArgs, adapter: { cpu: boolean; f16: boolean }) {
  // --smoke is quick unless --full asks for the full protocol's code paths (batch 8, 1,000 labels, warm-ups).
  if (args.smoke) return { quick: args.quick ?? true, models: args.models ?? [...BENCH_MODELS], dtypes: ['f16' as const] };
  const quick = args.quick ?? adapter.cpu;
  const models = args.models ?? (quick ? QUICK_MODELS : [...BENCH_MODELS]);
  // Quick: one dtype, f16 where the adapter has shader-f16 (half the bytes; and ViT-GPT2's f32 vocabulary
  // table is over a CPU adapter's 128 MiB binding limit). Full: both, f32 (the Hub's) and f16.
  const dtypes = args.dtypes ?? (quick ? [adapter.f16 ? ('f16' as const) : ('f32' as const)] : adapter.f16 ? ['f32' as const, 'f16' as const] : ['f32' as const]);
  return { quick, models, dtypes };
}

/** --smoke: the tiny demo models (scripts/make-models.ts --tiny) stand in for the Hub ones. */
const tinyFolder = (repo: string) => `tiny/iris/tiny-${familyFor(JSON.parse(readFileSync(`scripts/models/hub/${repo}/config.json`, 'utf8')) as Json).name}/resolve/main`;

/** Generates (scripts/make-models.ts) the checkpoints that are not in `weights` yet. */
export async function ensureModels(weights: string, models: string[], dtypes: string[], log: (line: string) => void, smoke = false): Promise<void> {
  if (smoke) {
    if (BENCH_MODELS.every((repo) => existsSync(join(weights, tinyFolder(repo), 'model.safetensors')))) return;
    log(`generating the tiny models into ${join(weights, 'tiny')}`);
    if ((await makeModels(['--tiny', '--out', join(weights, 'tiny')])) !== 0) throw new Error('make-models --tiny failed');
    return;
  }
  for (const repo of models) {
    const missing = dtypes.filter((d) => !existsSync(join(weights, repo, d, 'model.safetensors')));
    if (missing.length === 0) continue;
    log(`generating ${repo} (${missing.join(', ')}) into ${weights} (scripts/make-models.ts, about 10 s per file)`);
    const status = await makeModels(['--model', repo, '--dtype', missing.join(','), '--out', weights]);
    if (status !== 0) throw new Error(`make-models failed for ${repo}`);
  }
}

/** A local server in the Hub URL layout serving weights/<repo>/<dtype>/ as <repo> at every registry revision. */
export function startHub(weights: string, dtype: string, smoke = false): Promise<HubServer> {
  const repos = Object.fromEntries(BENCH_MODELS.map((repo) => [repo, smoke ? tinyFolder(repo) : join(repo, dtype)]));
  return HubServer.start({ repos, root: weights, branches: [...new Set(['main', ...MODELS.map((m) => m.revision)])] });
}

export function writeReport(outDir: string, name: string, report: unknown): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, name);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}

interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/**
 * Dawn's Node bindings: the bundle's own copy (dawn.node beside it; IRIS_DAWN_NODE overrides), else npm `webgpu`.
 */
async function loadDawn(): Promise<Dawn> {
  const beside = fileURLToPath(new URL('./dawn.node', import.meta.url));
  const path = process.env.IRIS_DAWN_NODE ?? (existsSync(beside) ? beside : undefined);
  if (path) return createRequire(import.meta.url)(path) as Dawn;
  return (await import('webgpu')) as unknown as Dawn;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'make-models') return makeModels(argv.slice(1));
  const args = parseBenchArgs(argv);
  const log = (line: string) => console.log(`[bench] ${line}`);

  // Like the gpu test project: an explicit VK_ICD_FILENAMES / VK_DRIVER_FILES wins; else the lavapipe that
  // scripts/get-lavapipe.sh unpacks, when present (CPU-only machines); else the system's Vulkan drivers.
  const lavapipe = resolve('.lavapipe/lvp_icd.json');
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(lavapipe)) process.env.VK_ICD_FILENAMES = lavapipe;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const { create, globals } = await loadDawn();
  Object.assign(globalThis, globals);
  const dawn = create([]); // must stay reachable while its devices live
  const createGpu = () => Gpu.create(dawn);

  const probe = await createGpu();
  const adapter = { cpu: isCpuAdapter(probe.adapter), f16: probe.features.f16 };
  log(`adapter: ${describeAdapter(probe.adapter)}; shader-f16: ${adapter.f16 ? 'yes' : 'no'}`);
  const protocol = resolveProtocol(args, adapter);
  log(`${args.smoke ? 'smoke test' : protocol.quick ? 'quick protocol' : 'full protocol'}${adapter.cpu ? ' (CPU adapter)' : ''}`);
  const runtime = 'node + Dawn (Vulkan)';
  const printed: string[] = [];

  try {
    if (runs(args, 'kernels')) {
      const report: BenchReport = await runKernelBench(probe, { runtime, reps: args.reps, log });
      printed.push(formatReport(report), `wrote ${writeReport(args.outDir, 'node-kernels.json', report)}`);
    }
    if (runs(args, 'retrieval')) {
      const report = await runRetrievalBench(probe, { runtime, log, ...(protocol.quick && { indexImages: 4 }) });
      printed.push(formatRetrievalReport(report), `wrote ${writeReport(args.outDir, 'node-retrieval.json', report)}`);
    }
  } finally {
    probe.destroy();
  }

  if (runs(args, 'models')) {
    await ensureModels(args.weights, protocol.models, protocol.dtypes, log, args.smoke);
    for (const dtype of protocol.dtypes) {
      const hub = await startHub(args.weights, dtype, args.smoke);
      let report: ModelReport;
      try {
        report = await runModelBench({
          runtime, hubUrl: hub.url, store: memoryStore(), storeName: 'an in-memory store (Node has no IndexedDB; values are structured-cloned as IndexedDB does)',
          createGpu, dtype, models: protocol.models, quick: protocol.quick, reps: args.reps, tokens: args.tokens, log,
        });
      } finally {
        await hub.close();
      }
      if (args.smoke) report.notes.push('SMOKE TEST: the tiny demo models stood in for the Hub checkpoints; the figures mean nothing');
      printed.push(formatModelReport(report), `wrote ${writeReport(args.outDir, `node-models-${args.smoke ? 'smoke' : dtype}.json`, report)}`);
    }
  }
  console.log(`\n${printed.join('\n\n')}`);
  return 0;
}
