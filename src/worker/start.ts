/**
 * Starts the worker that owns the GPU.
 *
 * `new Worker(new URL('<relative path>', import.meta.url), { type: 'module' })` is the one form that Vite,
 * webpack 5 and Parcel find and bundle, so it is written out literally. The library build
 * (vite.lib.config.ts) ships it as `new URL('./iris-worker.js', import.meta.url)`: the worker as one
 * self-contained module next to the code that starts it, which a host app's bundler bundles again.
 *
 * Browsers refuse `new Worker()` for a script on another origin, so when the published file itself was
 * imported from a CDN, the worker starts from a same-origin blob: module that imports the real script (a
 * CORS module fetch, like the import of Iris itself).
 */

/** The worker's file name in the published build, next to the module that holds this code. */
export const PUBLISHED_WORKER_FILE = 'iris-worker.js';

export function startWorker(): Worker {
  const here = new URL(import.meta.url);
  // A bundler that inlines import.meta.url at build time (webpack: file:) has bundled the worker too.
  const fromAnotherOrigin = (here.protocol === 'https:' || here.protocol === 'http:') && here.origin !== location.origin;
  if (fromAnotherOrigin) {
    // Resolved against `here`, not written as `new URL('...', import.meta.url)`: bundlers would copy the
    // worker a second time for that.
    const workerHref = new URL(PUBLISHED_WORKER_FILE, here).href;
    const shim = `import ${JSON.stringify(workerHref)};\nURL.revokeObjectURL(import.meta.url);\n`;
    return new Worker(URL.createObjectURL(new Blob([shim], { type: 'text/javascript' })), { type: 'module', name: 'iris-worker' });
  }
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'iris-worker' });
}
