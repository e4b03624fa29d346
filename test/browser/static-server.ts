// A minimal static file server for the browser tests that need one outside Vite: a "CDN" for the built
// library (another origin, CORS headers) and a plain third-party page. No Range support: the Hub loader
// also works with servers that answer every request with the whole file.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.map': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8', '.safetensors': 'application/octet-stream',
};

export interface StaticServer {
  origin: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `pages` (path → HTML text) and the files under each `dirs` prefix (URL prefix → folder), on
 * `host` (127.0.0.1 or localhost: two origins on one machine), with `headers` on every response.
 */
export async function serveStatic(options: {
  host: string;
  dirs?: Record<string, string>;
  pages?: Record<string, string>;
  headers?: Record<string, string>;
}): Promise<StaticServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requests.push(path);
    for (const [name, value] of Object.entries(options.headers ?? {})) response.setHeader(name, value);
    const page = options.pages?.[path];
    if (page !== undefined) {
      response.writeHead(200, { 'Content-Type': TYPES['.html']!, 'Content-Length': Buffer.byteLength(page) }).end(page);
      return;
    }
    for (const [prefix, dir] of Object.entries(options.dirs ?? {})) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(normalize(dir)) || !existsSync(file) || !statSync(file).isFile()) break;
      response.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': statSync(file).size,
      });
      createReadStream(file).pipe(response);
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  // Chromium resolves "localhost" itself (to 127.0.0.1 or ::1), so listen on the IPv4 loopback either way.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${options.host}:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
