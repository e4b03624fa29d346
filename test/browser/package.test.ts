// The npm package as a web developer gets it. `npm pack` (its prepack script builds the library) → a scratch
// Vite app outside the repository installs the tarball (`npm install`, from the npm cache where it can) →
// the app imports the API and the components, is type-checked against the published declarations and built
// → served, it runs a zero-shot classification and a caption in headless Chromium with the tiny models from
// a local Hub (cross-origin, set by URL config). Then a plain page with one <script type="module"> tag uses
// the elements straight from the installed files, once from its own origin and once from a "CDN".
// The results must equal what the repository's own sources compute (the Vite dev server's api.html page).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CaptionResult, ClassifyResult } from '../../src/index';
import { HubServer } from '../helpers/hub-server';
import { TINY_ROOT, tinyModelDir } from '../helpers/tiny-models';
import { evaluateWithin, launchChromium, type Browser } from './chromium';
import { serveStatic, type StaticServer } from './static-server';

const REPO = process.cwd();
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  name: string; exports: Record<string, string | { types: string; default: string }>; dependencies: Record<string, string>;
};
const CLIP = 'iris/tiny-clip';
const GIT = 'iris/tiny-git';
const IMAGE = '/samples/cat.png';
const LABELS = ['cat', 'dog', 'car'];
/** The bundlers checked besides Vite (installed into the scratch directory only, never into the repository). */
const BUNDLERS = { webpack: '5.113.0', esbuild: '0.28.2' };
/** A few tokens: enough to compare ids, few enough for SwiftShader. */
const MAX_TOKENS = 4;

interface Outcome {
  classify: Pick<ClassifyResult, 'labels'>;
  caption: Pick<CaptionResult, 'text' | 'ids'>;
}

declare global {
  interface Window {
    /** The scratch app's src/main.ts (consumerMain below). */
    consumer: { run(hubUrl: string, image: string, labels: string[], maxNewTokens: number): Promise<Outcome & { element: Outcome['caption'] }> };
  }
}

let scratch: string;
let app: string;
let tarball: string;
let installed: string;
let reference: Outcome;
let browser: Browser;
const servers: { close(): Promise<void> }[] = [];

/** Runs a command; its output goes into the error when it fails. */
function sh(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const run = spawnSync(command, args, { encoding: 'utf8', stdio: 'pipe', ...options });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return String(run.stdout);
}

const tsc = (project: string) =>
  spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: app, encoding: 'utf8' });

const consumerMain = `// A consumer's code: the API and the components, as the README shows them.
import { createIris, isIrisError, type CaptionResult, type ClassifyResult } from '${manifest.name}';
import { configureIris, IrisCaptionElement } from '${manifest.name}/components';

export interface Outcome {
  classify: ClassifyResult;
  caption: CaptionResult;
  element: CaptionResult;
}

async function run(hubUrl: string, image: string, labels: string[], maxNewTokens: number): Promise<Outcome> {
  const iris = await createIris({ localBaseUrl: hubUrl });
  const classify = await iris.classify(image, labels, { model: '${CLIP}' });
  const caption = await iris.caption(image, { model: '${GIT}', numBeams: 1, maxNewTokens });
  iris.dispose();

  configureIris({ localBaseUrl: hubUrl });
  const element = document.createElement('iris-caption');
  if (!(element instanceof IrisCaptionElement)) throw new Error('<iris-caption> is not registered');
  const done = new Promise<CaptionResult>((resolve, reject) => {
    element.addEventListener('result', (event) => resolve((event as CustomEvent<CaptionResult>).detail));
    element.addEventListener('error', (event) => reject(new Error((event as unknown as CustomEvent<{ message: string }>).detail.message)));
  });
  Object.assign(element, { model: '${GIT}', maxTokens: maxNewTokens, src: image });
  document.body.append(element);
  return { classify, caption, element: await done };
}

declare global {
  interface Window {
    consumer: { run: typeof run; isIrisError: typeof isIrisError };
  }
}
window.consumer = { run, isIrisError };
`;

/** Wrong on purpose: the published declarations must reject it (they are not \`any\`). */
const consumerMisuse = `import { createIris } from '${manifest.name}';
const iris = await createIris();
const text: number = (await iris.caption('cat.png')).text;
await iris.classify('cat.png', 'cat');
export { text };
`;

const compilerOptions = {
  target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'],
  types: ['@webgpu/types'], strict: true, skipLibCheck: false, noEmit: true,
};

const plainPage = (lib: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Iris elements on a plain page</title>
  <script type="module" src="${lib}/iris-components.js"></script>
</head>
<body>
  <iris-classify id="classify" src="${IMAGE}" labels="${LABELS.join(', ')}" model="${CLIP}"></iris-classify>
  <iris-caption id="caption" src="${IMAGE}" model="${GIT}" max-tokens="${MAX_TOKENS}"></iris-caption>
</body>
</html>`;

beforeAll(async () => {
  tinyModelDir('clip');
  scratch = mkdtempSync(join(tmpdir(), 'iris-consumer-'));
  app = join(scratch, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });

  // 1. npm pack: prepack builds dist/lib, the tarball goes outside the repository.
  sh('npm', ['pack', '--pack-destination', scratch], { cwd: REPO, env: { ...process.env, NODE_ENV: 'production' } });
  tarball = join(scratch, readdirSync(scratch).find((f) => f.endsWith('.tgz'))!);

  // 2.–3. A new app that installs it (and @webgpu/types, as a TypeScript user does), from the npm cache if it can.
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'iris-consumer-app', private: true, type: 'module' }, null, 2));
  const webgpuTypes = JSON.parse(readFileSync('node_modules/@webgpu/types/package.json', 'utf8')).version as string;
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, `@webgpu/types@${webgpuTypes}`], { cwd: app });
  installed = join(app, 'node_modules', manifest.name);

  // 4. The consumer's code, its type-check configurations and its page.
  writeFileSync(join(app, 'src/main.ts'), consumerMain);
  // The same code as plain JavaScript, for webpack without loaders.
  writeFileSync(join(app, 'src/main.js'), ts.transpileModule(consumerMain, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText);
  writeFileSync(join(app, 'src/misuse.ts'), consumerMisuse);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['src/main.ts'] }));
  writeFileSync(join(app, 'tsconfig.nodenext.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'NodeNext', moduleResolution: 'NodeNext' }, files: ['src/main.ts'] }));
  writeFileSync(join(app, 'tsconfig.misuse.json'), JSON.stringify({ compilerOptions, files: ['src/misuse.ts'] }));
  writeFileSync(join(app, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<title>A Vite app with Iris</title>\n<script type="module" src="/src/main.ts"></script>\n');

  browser = await launchChromium();
  // What the repository's sources compute for the same requests: the truth the package must reproduce.
  await browser.page.goto(`${inject('baseUrl')}/test/browser/pages/api.html`);
  await browser.page.waitForFunction(() => 'irisApi' in window, null, { timeout: 60_000 });
  reference = await evaluateWithin(browser.page, async ({ image, labels, clip, git, maxNewTokens }) => {
    await window.irisApi.start();
    const classify = await window.irisApi.iris.classify(image, labels, { model: clip });
    const caption = await window.irisApi.iris.caption(image, { model: git, numBeams: 1, maxNewTokens });
    return { classify: { labels: classify.labels }, caption: { text: caption.text, ids: caption.ids } };
  }, { image: IMAGE, labels: LABELS, clip: CLIP, git: GIT, maxNewTokens: MAX_TOKENS }, 120_000, 'the reference run');
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function serve(options: Parameters<typeof serveStatic>[0]): Promise<StaticServer> {
  const server = await serveStatic(options);
  servers.push(server);
  return server;
}

/**
 * Serves a built app (its index.html, its files, the sample images), runs the consumer's code in Chromium
 * against a local Hub on another origin and checks the results against the sources'. The bundler must have
 * emitted exactly one file with the WGSL (the worker) and the page must have started it from there.
 */
async function runBuiltApp(bundler: string, outDir: string) {
  const built = readdirSync(outDir, { recursive: true }).map(String).filter((f) => f.endsWith('.js'));
  const workers = built.filter((f) => readFileSync(join(outDir, f), 'utf8').includes('@compute'));
  expect(workers, `${bundler}: files with the WGSL`).toHaveLength(1);

  const hub = await HubServer.start({ repos: { [CLIP]: 'tiny-clip/resolve/main', [GIT]: 'tiny-git/resolve/main' }, root: TINY_ROOT });
  servers.push(hub);
  const site = await serve({ host: 'localhost', dirs: { '/samples/': resolve('public/samples'), '/': outDir } });
  const { page } = browser;
  await page.goto(`${site.origin}/index.html`);
  await page.waitForFunction(() => 'consumer' in window, null, { timeout: 60_000 });
  const got = await evaluateWithin(page, (a) => window.consumer.run(a.hub, a.image, a.labels, a.maxNewTokens),
    { hub: hub.url, image: IMAGE, labels: LABELS, maxNewTokens: MAX_TOKENS }, 180_000, `the ${bundler} app`);
  expectSameResults(got);
  expectSameResults({ classify: got.classify, caption: got.element });
  // Weights came from the configured Hub, never from the app's origin; the worker from the app's own build.
  expect(hub.requests().some((r) => r.file === 'model.safetensors' && r.repo === GIT)).toBe(true);
  const builtPaths = built.map((f) => `/${f.split('\\').join('/')}`);
  expect(site.requests.filter((p) => !builtPaths.includes(p) && !p.startsWith('/samples/') && p !== '/index.html' && p !== '/favicon.ico')).toEqual([]);
  expect(site.requests).toContain(`/${workers[0]!.split('\\').join('/')}`);
  expect(browser.pageErrors).toEqual([]);
}

/** What the tests use of webpack's and esbuild's Node APIs (neither is a dependency of the repository). */
interface WebpackStats { hasErrors(): boolean; toString(options: object): string }
type Webpack = (options: object) => { run(callback: (error: Error | null, stats?: WebpackStats) => void): void };
interface Esbuild { build(options: object): Promise<{ errors: unknown[] }> }

/**
 * Loads a pinned bundler, installed (once, with the other one: one npm run) into its own folder of the
 * scratch directory, from the npm cache where it can.
 */
function bundler(name: keyof typeof BUNDLERS): unknown {
  const dir = join(scratch, 'bundlers');
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bundlers', private: true }));
    sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...Object.entries(BUNDLERS).map(([n, v]) => `${n}@${v}`)], { cwd: dir });
  }
  return createRequire(join(dir, 'package.json'))(name);
}

/** The file that shipped code starts as its worker: new Worker(new URL("./<file>", import.meta.url), ...). */
const workerFileOf = (code: string) => /new Worker\(new URL\(["']\.\/([^"']+)["'],\s*import\.meta\.url\)/.exec(code)?.[1];

function expectSameResults(got: Outcome) {
  expect(got.classify.labels).toHaveLength(LABELS.length);
  expect(got.caption.ids.length).toBeGreaterThan(0);
  expect(got.classify.labels.map((l) => l.label)).toEqual(reference.classify.labels.map((l) => l.label));
  got.classify.labels.forEach((l, i) => expect(l.score).toBeCloseTo(reference.classify.labels[i]!.score, 6));
  expect(got.caption.ids).toEqual(reference.caption.ids);
  expect(got.caption.text).toBe(reference.caption.text);
}

describe('the npm package', () => {
  it('packs only what runs: the built library, its declarations, README, LICENSE', () => {
    const dryRun = JSON.parse(sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO })) as { files: { path: string }[] }[];
    const files = dryRun[0]!.files.map((f) => f.path);
    const stray = files.filter((f) => !['package.json', 'README.md', 'LICENSE'].includes(f) && !/^dist\/lib\/[^/]+\.(js|d\.ts)$/.test(f) && !/^dist\/lib\/types\/.+\.d\.ts$/.test(f));
    expect(stray).toEqual([]);
    // Everything the manifest points at is there, and so is the worker that the shipped code starts.
    for (const target of Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [t] : [t.types, t.default]))) {
      expect(files).toContain(target.replace(/^\.\//, ''));
    }
    const shipped = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(installed, f), 'utf8')).join('\n');
    const workerFiles = [...shipped.matchAll(/new Worker\(new URL\("\.\/([^"]+)", import\.meta\.url\), \{/g)].map((m) => m[1]!);
    expect(workerFiles).toHaveLength(1);
    expect(files).toContain(`dist/lib/${workerFiles[0]}`);
    // The tarball installs with the runtime dependencies of the manifest and nothing else.
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    const installedPackages = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/')).map((p) => p.slice('node_modules/'.length)).sort();
    expect(installedPackages).toEqual([manifest.name, '@webgpu/types', ...Object.keys(manifest.dependencies)].sort());
  });

  it('type-checks a consumer against the published declarations (Bundler and NodeNext resolution) and rejects misuse', () => {
    for (const project of ['tsconfig.json', 'tsconfig.nodenext.json']) {
      const run = tsc(project);
      expect(`${run.stdout}${run.stderr}`, project).toBe('');
      expect(run.status, project).toBe(0);
    }
    const misuse = tsc('tsconfig.misuse.json');
    expect(misuse.status).not.toBe(0);
    const errors = misuse.stdout.split('\n').filter((line) => line.includes('error TS'));
    // The string caption assigned to a number, and a string where the labels array goes: both caught.
    expect(errors.map((line) => /^src\/misuse\.ts\((\d+),/.exec(line)?.[1])).toEqual(['3', '4']);
  });

  it('builds into a Vite app that classifies and captions (API and <iris-caption>) like the sources do', async () => {
    const outDir = join(app, 'dist-vite');
    // vitest sets NODE_ENV=test, which would make a development build.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await build({ root: app, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
    await runBuiltApp('Vite', outDir);
  });

  it('builds with webpack 5 (no configuration: it finds and bundles the worker itself) into an app that works the same', async () => {
    const webpack = bundler('webpack') as Webpack;
    const outDir = join(app, 'dist-webpack');
    const stats = await new Promise<WebpackStats>((done, fail) => {
      webpack({ mode: 'production', context: app, entry: './src/main.js', output: { path: outDir, clean: true }, devtool: false })
        .run((error, result) => (error || !result ? fail(error) : done(result)));
    });
    expect(stats.hasErrors(), stats.toString({ all: false, errors: true })).toBe(false);
    writeFileSync(join(outDir, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<script src="main.js" defer></script>\n');
    await runBuiltApp('webpack', outDir);
  });

  it('builds with esbuild (which leaves the worker URL as it is: the worker file is copied next to the bundle) into an app that works the same', async () => {
    const esbuild = bundler('esbuild') as Esbuild;
    const outDir = join(app, 'dist-esbuild');
    const result = await esbuild.build({ absWorkingDir: app, entryPoints: ['src/main.ts'], bundle: true, format: 'esm', minify: true, outdir: outDir, logLevel: 'silent' });
    expect(result.errors).toEqual([]);
    // The one step esbuild needs (README, bundler notes): the worker beside the bundle.
    const shippedWorker = workerFileOf(readFileSync(join(outDir, 'main.js'), 'utf8'));
    expect(shippedWorker).toBeDefined();
    copyFileSync(join(installed, 'dist/lib', shippedWorker!), join(outDir, shippedWorker!));
    writeFileSync(join(outDir, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<script type="module" src="main.js"></script>\n');
    await runBuiltApp('esbuild', outDir);
  });

  for (const where of ['its own origin', 'a CDN'] as const) {
    it(`runs <iris-classify> and <iris-caption> from one script tag on a plain page, served from ${where}`, async () => {
      const lib = join(installed, 'dist/lib');
      const cdn = where === 'a CDN'
        ? await serve({ host: '127.0.0.1', dirs: { '/iris/': lib }, headers: { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' } })
        : undefined;
      const site = await serve({
        host: 'localhost',
        pages: { '/': plainPage(cdn ? `${cdn.origin}/iris` : '/iris') },
        // The tiny models where Iris looks for them by default: /hub on the page's origin.
        dirs: { '/iris/': lib, '/hub/': resolve('public/hub'), '/samples/': resolve('public/samples') },
      });
      const { page } = browser;
      await page.goto(`${site.origin}/`);
      const got = await evaluateWithin(page, () => new Promise<Outcome>((done, fail) => {
        const results: Partial<Outcome> = {};
        const settle = () => results.classify && results.caption && done(results as Outcome);
        for (const [id, key] of [['classify', 'classify'], ['caption', 'caption']] as const) {
          const element = document.getElementById(id)!;
          element.addEventListener('error', (e) => fail(new Error((e as unknown as CustomEvent<{ message: string }>).detail.message)));
          element.addEventListener('result', (e) => {
            Object.assign(results, { [key]: (e as CustomEvent).detail });
            settle();
          });
          // Already finished before the listeners were attached?
          const finished = (element as HTMLElement & { result: unknown }).result;
          if (finished) Object.assign(results, { [key]: finished });
        }
        settle();
      }), null, 180_000, `the plain page (${where})`);
      expectSameResults(got);
      const workerFetched = (cdn ?? site).requests.filter((p) => p.startsWith('/iris/') && p.endsWith('.js'));
      expect(workerFetched).toContain('/iris/iris-components.js');
      expect(workerFetched.some((p) => readFileSync(join(lib, p.slice('/iris/'.length)), 'utf8').includes('@compute'))).toBe(true);
      expect(browser.pageErrors).toEqual([]);
    });
  }
});
