/**
 * Iris's service worker: the app shell offline. On install it caches every file of the build (the list and a
 * version are written in by vite.config.ts as PRECACHE) and answers those URLs from that cache. Pages are
 * asked from the network first (a new deployment shows at once, and a dev server on the same port is not
 * hidden behind an old build) and come from the cache when the network fails or takes over 3 s. Every other
 * request is left alone. Model weights are NOT cached here: the worker keeps
 * them in IndexedDB, and a second copy in Cache Storage would double the disk use, so /hub/** (the bundled
 * models) and huggingface.co always go to the network (or, once stored, are never asked for).
 */
declare const self: ServiceWorkerGlobalScope;
declare const PRECACHE: { version: string; urls: string[] };

const CACHE = `iris-shell-${PRECACHE.version}`;
const scope = new URL(self.registration.scope);
const precached = new Set(PRECACHE.urls.map((url) => new URL(url, scope).href));
const shell = new URL('index.html', scope).href;

self.addEventListener('install', (event) => {
  // A fresh copy of every file: the HTTP cache may hold an older index.html.
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll([...precached].map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  // Drop the shells of older builds, and control the open page at once (so it works offline right away).
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('iris-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || url.pathname.startsWith(`${scope.pathname}hub/`)) return; // weights: never here
  url.search = '';
  url.hash = '';
  if (precached.has(url.href)) {
    event.respondWith(fromCache(url.href, request));
  } else if (request.mode === 'navigate' && url.href.startsWith(scope.href)) {
    event.respondWith(page(request));
  }
});

/** A page from the network, or the cached shell (the app is one page) when offline or the network stalls. */
async function page(request: Request): Promise<Response> {
  const network = fetch(request);
  const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, 3000));
  const response = await Promise.race([network.catch(() => undefined), timeout]);
  if (response) return response;
  return (await caches.match(shell, { cacheName: CACHE })) ?? network;
}

/** The cached response, or the network's if the cache lost it (storage pressure can evict caches). */
async function fromCache(url: string, request: Request): Promise<Response> {
  const cached = await caches.match(url, { cacheName: CACHE });
  return cached ?? fetch(request);
}

export {};
