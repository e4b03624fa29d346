// The demo as `npm start` serves it: a production `vite build` into a temporary folder, served by
// `vite preview` on a free localhost port. Shared by the demo and search tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';

export interface PreviewBuild {
  origin: string;
  outDir: string;
  server: PreviewServer;
  /** Stops the server (if still running) and deletes the build. */
  close(): Promise<void>;
}

export async function servePreviewBuild(prefix: string): Promise<PreviewBuild> {
  const outDir = mkdtempSync(join(tmpdir(), prefix));
  // vitest sets NODE_ENV=test, which would make a development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const server = await preview({ configFile: 'vite.config.ts', logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no TCP address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    outDir,
    server,
    async close() {
      await server.close().catch(() => undefined); // a test may already have stopped it (offline checks)
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
