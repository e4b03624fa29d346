// The library build: `npm run build:lib` → dist/lib/iris.js (the API), dist/lib/iris-components.js (the API
// plus <iris-classify> and <iris-caption>), their shared chunks, the worker as its own bundled file
// (dist/lib/assets/worker-*.js), and type declarations (dist/lib/types/, emitted by tsc -p tsconfig.lib.json).
import { defineConfig, type Plugin } from 'vite';

/**
 * `iris.d.ts` next to `iris.js`, so TypeScript finds the declarations of a relative or CDN-mirrored import.
 * They name WebGPU types (GPUDevice...), so they ask for @webgpu/types, which TypeScript users then install.
 */
function declarationEntries(): Plugin {
  return {
    name: 'iris-declaration-entries',
    generateBundle() {
      for (const [name, target] of [['iris', 'index'], ['iris-components', 'components/index']]) {
        const source = `/// <reference types="@webgpu/types" />\nexport * from './types/${target}';\n`;
        this.emitFile({ type: 'asset', fileName: `${name}.d.ts`, source });
      }
    },
  };
}

export default defineConfig({
  base: './', // the worker's URL relative to the module that imports it, wherever that is hosted
  publicDir: false, // the demo's samples, icons and tiny models are not part of the library
  worker: { format: 'es' },
  plugins: [declarationEntries()],
  build: {
    target: 'es2022',
    outDir: 'dist/lib',
    sourcemap: true,
    lib: {
      entry: { iris: 'src/index.ts', 'iris-components': 'src/components/index.ts' },
      formats: ['es'],
    },
    // The code both entries share (the API, comlink) in one chunk with a name that says what it is.
    rolldownOptions: { output: { chunkFileNames: 'iris-shared-[hash].js' } },
  },
});
