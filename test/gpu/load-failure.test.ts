// loadModel's failure path, through the real download path (a Hub-layout server → Hub → store): a ViT-GPT2
// checkpoint whose config asks for one decoder layer more than it has fails with 'tensor-missing' after most
// weights (and their load-time transposes) are on the GPU, and leaves no weight memory behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Gpu } from '../../src/gpu/gpu';
import { Hub } from '../../src/weights/hub';
import { loadModel } from '../../src/worker/load';
import type { ModelEntry } from '../../src/worker/registry';
import { createDawnGpu } from '../helpers/dawn';
import { GOLDEN_DIR } from '../helpers/golden';
import { HubServer } from '../helpers/hub-server';
import { memoryStore } from '../helpers/stores';

const repo = 'iris-test/vit-gpt2-one-layer-short';
let gpu: Gpu;
let server: HubServer;
let layers = 0; // the checkpoint's decoder layers
const weightBytes = () => gpu.bytesAllocated - gpu.pool.bytesAllocated;

beforeAll(async () => {
  gpu = await createDawnGpu();
  server = await HubServer.start({ repos: { [repo]: 'vit-gpt2' }, root: GOLDEN_DIR, branches: ['main'] });
  const config = JSON.parse(readFileSync(join(GOLDEN_DIR, 'vit-gpt2', 'config.json'), 'utf8'));
  layers = config.decoder.n_layer;
  config.decoder.n_layer += 1;
  const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  server.addFile(repo, 'config.json', json(config));
  server.addFile(repo, 'preprocessor_config.json', readFileSync('scripts/models/hub/nlpconnect/vit-gpt2-image-captioning/preprocessor_config.json'));
  for (const file of ['vocab.json', 'merges.txt']) server.addFile(repo, file, readFileSync(join('weights/tokenizers/gpt2', file)));
});
afterAll(async () => {
  await server?.close();
  gpu?.destroy();
});

it('a checkpoint missing a layer fails with tensor-missing and frees every weight it had uploaded', async () => {
  const entry: ModelEntry = { id: repo, task: 'caption', repo, revision: 'main', label: 'short', megabytes: 1 };
  expect(weightBytes()).toBe(0);
  const error = await loadModel(entry, new Hub({ baseUrl: server.url, store: memoryStore() }), gpu).then(() => null, (e: unknown) => e);
  // It failed at the layer that does not exist, so every real layer had been uploaded (and transposed).
  expect(error).toMatchObject({ code: 'tensor-missing', message: expect.stringContaining(`decoder.transformer.h.${layers}.`) });
  expect(weightBytes()).toBe(0);
});
