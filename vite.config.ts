import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig, transformWithOxc, type Plugin } from 'vite';

// COOP/COEP make the page cross-origin isolated (SharedArrayBuffer, precise timers for benchmarks).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Writes dist/sw.js: src/ui/service-worker.ts with its types stripped, after a PRECACHE constant that lists
 * every built file (hashed assets, the worker, index.html, public files) except the models under hub/,
 * which live in IndexedDB. Its version is a hash of those files' contents, so any change makes browsers
 * install the new service worker, which replaces the old cache.
 */
function serviceWorker(): Plugin {
  let outDir = 'dist';
  return {
    name: 'iris-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async writeBundle() {
      const files = listFiles(outDir).filter((f) => !f.startsWith('hub/') && f !== 'sw.js' && !f.endsWith('.map'));
      const hash = createHash('sha256');
      for (const file of files) hash.update(file).update(readFileSync(join(outDir, file)));
      const source = readFileSync('src/ui/service-worker.ts', 'utf8');
      const { code } = await transformWithOxc(source, 'service-worker.ts', { lang: 'ts' });
      const precache = { version: hash.digest('hex').slice(0, 12), urls: files };
      // A classic script (module service workers are not everywhere yet): drop the file's `export {}`.
      const script = `const PRECACHE = ${JSON.stringify(precache)};\n${code.replace(/^export \{\s*\};?\s*$/m, '')}`;
      writeFileSync(join(outDir, 'sw.js'), script);
    },
  };
}

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path, root) : [relative(root, path).split('\\').join('/')];
  });
}

export default defineConfig({
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022' },
  plugins: [serviceWorker()],
});
