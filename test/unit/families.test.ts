// The family of a checkpoint comes from its config.json (src/families): each golden folder's config picks the
// family of that name; an unknown model_type is a typed error naming the supported ones, raised by loadCheckpoint
// after config.json and before any other file is downloaded; a model of another task is refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import { FAMILIES, familyFor, SUPPORTED_MODEL_TYPES, tasksOf } from '../../src/families';
import type { Gpu } from '../../src/gpu/gpu';
import type { Json } from '../../src/nn/config';
import type { Task } from '../../src/tasks/task';
import { Hub } from '../../src/weights/hub';
import { loadCheckpoint } from '../../src/worker/load';
import { resolveModel } from '../../src/worker/registry';
import { thrown } from '../helpers/errors';
import { GOLDEN_DIR } from '../helpers/golden';
import { HubServer } from '../helpers/hub-server';
import { memoryStore } from '../helpers/stores';

const goldenConfig = (family: string): Json => JSON.parse(readFileSync(join(GOLDEN_DIR, family, 'config.json'), 'utf8')) as Json;

describe('families', () => {
  for (const family of FAMILIES) {
    it(`${family.name}: its golden config.json picks it, for each of its tasks its architectures serve`, () => {
      const config = goldenConfig(family.name);
      expect(familyFor(config).name).toBe(family.name);
      const architectures = config.architectures as string[];
      const served = family.tasks.filter((t) => !t.architectures || t.architectures.some((a) => architectures.includes(a))).map((t) => t.task);
      expect(served.length).toBeGreaterThan(0);
      for (const task of served) expect(familyFor(config, task).name).toBe(family.name);
      expect(tasksOf(family, config)).toEqual(served);
    });
  }

  it('blip: one model_type, two heads: golden/blip captions, golden/blip-vqa answers, neither serves the other', () => {
    const caption = goldenConfig('blip');
    const vqa = goldenConfig('blip-vqa');
    expect(familyFor(caption, 'caption').name).toBe('blip');
    expect(familyFor(vqa, 'vqa').name).toBe('blip');
    expect(tasksOf(familyFor(caption), caption)).toEqual(['caption']);
    expect(tasksOf(familyFor(vqa), vqa)).toEqual(['vqa']);
    expect(isIrisError(thrown(() => familyFor(vqa, 'caption')), 'bad-input')).toBe(true);
  });

  it('every model type belongs to one family only', () => {
    expect(new Set(SUPPORTED_MODEL_TYPES).size).toBe(SUPPORTED_MODEL_TYPES.length);
  });

  it('an unknown model_type is unsupported-model, naming every supported type', () => {
    const config = { ...goldenConfig(FAMILIES[0]!.name), model_type: 'no-such-model' };
    const error = thrown(() => familyFor(config, undefined, 'someone/model'));
    expect(isIrisError(error, 'unsupported-model'), String(error)).toBe(true);
    expect((error as Error).message).toContain('someone/model');
    expect((error as Error).message).toContain('no-such-model');
    for (const type of SUPPORTED_MODEL_TYPES) expect((error as Error).message).toContain(type);
    const untyped = thrown(() => familyFor({}));
    expect(isIrisError(untyped, 'unsupported-model'), String(untyped)).toBe(true);
  });

  it("a checkpoint asked for a task its family does not serve is bad-input, naming its architecture", () => {
    const tasks = [...new Set(FAMILIES.flatMap((f) => f.tasks.map((t) => t.task)))];
    let checked = 0;
    for (const family of FAMILIES) {
      const config = goldenConfig(family.name);
      for (const task of tasks.filter((t) => !tasksOf(family, config).includes(t))) {
        const error = thrown(() => familyFor(config, task));
        expect(isIrisError(error, 'bad-input'), String(error)).toBe(true);
        for (const architecture of config.architectures as string[]) expect((error as Error).message).toContain(architecture);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('architectures choose among the tasks of a family (one model_type, several heads)', () => {
    const family = FAMILIES[0]!;
    const config = { ...goldenConfig(family.name), architectures: ['SomeOtherHead'] };
    const restricted = family.tasks.filter((t) => t.architectures);
    expect(tasksOf(family, config)).toEqual(family.tasks.filter((t) => !t.architectures).map((t) => t.task));
    for (const { task } of restricted) expect(isIrisError(thrown(() => familyFor(config, task)), 'bad-input')).toBe(true);
  });
});

describe('loadCheckpoint picks the family from config.json', () => {
  const repo = 'iris-test/unknown-type';
  let server: HubServer;
  beforeAll(async () => {
    server = await HubServer.start({ repos: {}, branches: ['main'] });
    server.addFile(repo, 'config.json', new TextEncoder().encode(JSON.stringify({ ...goldenConfig(FAMILIES[0]!.name), model_type: 'no-such-model' })));
  });
  afterAll(() => server?.close());

  it('an unsupported model_type fails after config.json, before any other download', async () => {
    const task: Task = FAMILIES[0]!.tasks[0]!.task;
    const entry = resolveModel(repo, task);
    const hub = new Hub({ baseUrl: server.url, store: memoryStore(), storage: null });
    // No GPU is touched before the family is known.
    const error = await loadCheckpoint(entry, hub, {} as Gpu, { task }).then(() => null, (e: unknown) => e);
    expect(isIrisError(error, 'unsupported-model'), String(error)).toBe(true);
    for (const type of SUPPORTED_MODEL_TYPES) expect((error as Error).message).toContain(type);
    expect(new Set(server.requests().map((r) => r.file))).toEqual(new Set(['config.json']));
  });
});
