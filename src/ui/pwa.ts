/**
 * Offline support: the service worker (built from service-worker.ts into /sw.js by vite.config.ts) keeps the
 * app shell; the model weights are in IndexedDB. Only the production build registers it: the dev server's
 * modules change on every edit.
 */
import { byId } from './dom';

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  if (import.meta.env.PROD) {
    navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('Iris: no offline support, the service worker failed to register:', error));
  } else {
    // The dev server may run on the port where `npm start` served a build: drop that build's service worker.
    void navigator.serviceWorker.getRegistrations().then((all) => all.forEach((r) => void r.unregister()));
  }
}

/** The "Offline" badge in the header. */
export function showNetworkState(): void {
  const badge = byId('network');
  const update = () => (badge.hidden = navigator.onLine);
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
}
