// Any Hub repository of a supported model type works, under any name: the loader reads its config.json,
// picks the family from model_type, fetches that family's files and builds the runner of the task asked
// for. Each family's tiny demo model (real tokenizer, random weights) is served here as "someone/…", a repo
// the catalogue does not know, and runs one request of each task its family serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, tasksOf } from '../../src/families';
import { TINY_MODELS } from '../../scripts/models/index';
import type { Gpu } from '../../src/gpu/gpu';
import type { RgbaImage } from '../../src/image/rgba-image';
import type { Task, TaskRunners } from '../../src/tasks/task';
import { Hub } from '../../src/weights/hub';
import { loadCheckpoint, runnerFor } from '../../src/worker/load';
import { MODELS, resolveModel } from '../../src/worker/registry';
import { createDawnGpu } from '../helpers/dawn';
import { HubServer } from '../helpers/hub-server';
import { memoryStore } from '../helpers/stores';
import { readText, TINY_ROOT, tinyModelDir } from '../helpers/tiny-models';

const image: RgbaImage = { width: 37, height: 29, data: Uint8Array.from({ length: 37 * 29 * 4 }, (_, i) => (i * 53) % 256) };

/** One request of each task, with what must hold for any weights. */
const requests: { [T in Task]: (runner: TaskRunners[T]) => Promise<void> } = {
  'zero-shot': async (classifier) => {
    const [ranked] = await classifier.classify([image], ['a cat', 'a dog']);
    expect(ranked!.reduce((sum, r) => sum + r.score, 0)).toBeCloseTo(1, 5);
  },
  caption: async (captioner) => {
    const result = await captioner.caption(image, { maxNewTokens: 2, numBeams: 1 });
    expect(result.ids.slice(0, captioner.captionModel.prompt.length)).toEqual(captioner.captionModel.prompt);
    expect(result.tokens).toBeGreaterThan(0);
  },
  vqa: async (answerer) => {
    const result = await answerer.ask(image, 'what is this?', { maxNewTokens: 2, numBeams: 1 });
    expect(result.questionIds.length).toBeGreaterThan(0);
    expect(result.tokens).toBe(result.answerIds.length);
    expect(result.tokens).toBeGreaterThan(0);
  },
};

let gpu: Gpu;
let server: HubServer;
const repoOf = (family: string) => `someone/${family}-lookalike`;
/** The families with a tiny demo model (src/families/<name>/stand-in.ts says which; BLIP has none yet). */
const WITH_TINY = FAMILIES.filter((f) => TINY_MODELS.some((t) => t.name === f.name));
/** The tasks the tiny model's config.json serves (its architectures pick among its family's tasks). */
const tinyTasks = (family: (typeof FAMILIES)[number]) => tasksOf(family, JSON.parse(readText(tinyModelDir(family.name), 'config.json')) as Record<string, unknown>);
beforeAll(async () => {
  gpu = await createDawnGpu();
  for (const family of WITH_TINY) tinyModelDir(family.name); // generated on first use
  const repos = Object.fromEntries(WITH_TINY.map((f) => [repoOf(f.name), `tiny-${f.name}/resolve/main`]));
  server = await HubServer.start({ repos, root: TINY_ROOT, branches: ['main'] });
});
afterAll(async () => {
  await server?.close();
  gpu?.destroy();
});

describe('a repository the catalogue does not know', () => {
  it('covers at least one family', () => expect(WITH_TINY.length).toBeGreaterThan(0));
  for (const family of WITH_TINY) {
    for (const task of tinyTasks(family)) {
      it(`${family.name}: config.json picks the family, and the ${task} runner works`, async () => {
        const id = repoOf(family.name);
        expect(MODELS.some((m) => m.id === id)).toBe(false);
        const loaded = await loadCheckpoint(resolveModel(id, task), new Hub({ baseUrl: server.url, store: memoryStore(), storage: null }), gpu, { task });
        try {
          expect(loaded.family.name).toBe(family.name);
          await (requests[task] as (runner: TaskRunners[Task]) => Promise<void>)(runnerFor(loaded, task, id));
        } finally {
          loaded.release();
        }
      });
    }
  }
});
