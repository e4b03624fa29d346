// The library build (`npm run build:lib`, and `npm pack` through `prepack`): what the npm package ships.
// dist/lib/iris.js (the API), dist/lib/iris-components.js (the API plus <iris-classify> and <iris-caption>),
// their shared chunk, the worker as one self-contained module (dist/lib/iris-worker.js, the WGSL inside it),
// and type declarations (dist/lib/types/, by scripts/lib-declarations.mjs: tsc -p tsconfig.lib.json, then Node16-style extensions).
import { defineConfig, type Plugin } from 'vite';
import { PUBLISHED_WORKER_FILE } from './src/worker/start.js';

/**
 * `iris.d.ts` next to `iris.js`, so TypeScript finds the declarations of a relative or CDN-mirrored import.
 * They name WebGPU types (GPUDevice...), so they ask for @webgpu/types, which TypeScript users then install.
 */
function declarationEntries(): Plugin {
  return {
    name: 'iris-declaration-entries',
    generateBundle() {
      for (const [name, target] of [['iris', 'index'], ['iris-components', 'components/index']]) {
        const source = `/// <reference types="@webgpu/types" />\nexport * from './types/${target}.js';\n`;
        this.emitFile({ type: 'asset', fileName: `${name}.d.ts`, source });
      }
    },
  };
}

/**
 * Vite bundles the worker of `new Worker(new URL('./worker.ts', import.meta.url), ...)` (src/worker/start.ts)
 * and writes its URL as `new URL(new URL("iris-worker.js", import.meta.url).href, "" + import.meta.url)`,
 * which no bundler recognises. This puts back the plain form, `new URL("./iris-worker.js", import.meta.url)`,
 * so that a host app's Vite, webpack 5 or Parcel finds the worker in the published file and bundles it.
 * Fails the build when the expression is not found exactly once (a Vite upgrade changed it).
 */
function bundlerVisibleWorkerUrl(): Plugin {
  const file = PUBLISHED_WORKER_FILE.replace(/\./g, '\\.');
  const emitted = new RegExp(
    String.raw`new URL\(\s*(?:/\*\s*@vite-ignore\s*\*/\s*)?new URL\(\s*(["'\x60])(?:\./)?${file}\1\s*,\s*import\.meta\.url\s*\)\.href\s*,\s*(?:""|''|\x60\x60)\s*\+\s*import\.meta\.url\s*\)`,
    'g',
  );
  let rewritten = 0;
  return {
    name: 'iris-bundler-visible-worker-url',
    enforce: 'post',
    renderChunk(code) {
      if (!emitted.test(code)) return null;
      emitted.lastIndex = 0;
      const replaced = code.replace(emitted, () => {
        rewritten++;
        return `new URL(${JSON.stringify(`./${PUBLISHED_WORKER_FILE}`)}, import.meta.url)`;
      });
      return { code: replaced, map: null };
    },
    generateBundle() {
      if (rewritten !== 1) this.error(`expected the worker URL expression once in the library build, found it ${rewritten} times`);
    },
  };
}

export default defineConfig({
  base: './', // the worker's URL relative to the module that imports it, wherever that is hosted
  publicDir: false, // the demo's samples, icons and tiny models are not part of the library
  worker: {
    format: 'es',
    // One stable name: the blob: shim (a CDN import) and users of bundlers that copy it by hand find it.
    rolldownOptions: { output: { entryFileNames: PUBLISHED_WORKER_FILE } },
  },
  plugins: [declarationEntries(), bundlerVisibleWorkerUrl()],
  build: {
    target: 'es2022',
    outDir: 'dist/lib',
    // No source maps in the package: they would be four times the size of the code they map.
    sourcemap: false,
    lib: {
      entry: { iris: 'src/index.ts', 'iris-components': 'src/components/index.ts' },
      formats: ['es'],
    },
    // The code both entries share (the API, comlink) in one chunk with a name that says what it is.
    rolldownOptions: { output: { chunkFileNames: 'iris-shared-[hash].js' } },
  },
});
