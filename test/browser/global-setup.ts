// Starts one Vite dev server over the repository for every browser test file; tests read its URL with
// inject('baseUrl') and open pages under test/browser/pages/ (TypeScript is compiled on the fly).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { createServer, type ViteDevServer } from 'vite';

let server: ViteDevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  // The tiny demo models (public/hub, ignored by git) are generated deterministically in under a second.
  if (!['tiny-vit-gpt2', 'tiny-git-vqa', 'tiny-chinese-clip', 'tiny-blip-vqa'].every((m) => existsSync(`public/hub/iris/${m}/resolve/main/model.safetensors`))) {
    const run = spawnSync(process.execPath, ['scripts/make-models.mjs', '--tiny'], { stdio: 'inherit' });
    if (run.status !== 0) throw new Error('scripts/make-models.mjs --tiny failed');
  }
  server = await createServer({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite server has no TCP address');
  project.provide('baseUrl', `http://127.0.0.1:${address.port}`);
}

export async function teardown(): Promise<void> {
  await server?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
