// The Hub loader end to end in Node: real HTTP against the local hub server (Node's fetch), the cache in an
// in-memory KeyValueStore. The same behaviour is proven in Chromium with IndexedDB in test/browser/weights.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IrisError, type IrisErrorCode } from '../../src/errors';
import type { KeyValueStore } from '../../src/weights/cache-store';
import { Hub, type HubOptions, type LoadRequest } from '../../src/weights/hub';
import type { LoadProgress } from '../../src/weights/progress';
import { GOLDEN_DIR } from '../helpers/golden';
import { HubServer } from '../helpers/hub-server';
import { malformedCases } from '../helpers/safetensors-cases';
import { memoryStore, quotaLimited } from '../helpers/stores';

const CLIP = 'iris-test/tiny-clip';
const GIT = 'iris-test/tiny-git';
const golden = (model: string, file: string): Uint8Array => new Uint8Array(readFileSync(join(GOLDEN_DIR, model, file)));
const clipWeights = golden('clip', 'model.safetensors');
const clipConfigBytes = golden('clip', 'config.json').byteLength;
const gitWeights = golden('git', 'model.safetensors');
const CHUNK = 64 * 1024;
const headerBytes = (file: Uint8Array): number => 8 + Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));

let server: HubServer;
beforeAll(async () => {
  server = await HubServer.start({ repos: { [CLIP]: 'clip', [GIT]: 'git' } });
});
afterAll(() => server.close());
beforeEach(() => {
  server.resetLog();
  server.ranges = true;
});

function hubWith(store: KeyValueStore = memoryStore(), options: HubOptions = {}): Hub {
  return new Hub({ baseUrl: server.url, store, chunkSize: CHUNK, storage: null, ...options });
}

function request(repo: string, extra: Partial<LoadRequest> = {}): LoadRequest {
  return { repo, files: ['config.json', 'model.safetensors'], optionalFiles: ['generation_config.json'], ...extra };
}

/** Deep-equality on 700 KB arrays takes seconds; compare them as buffers. */
function expectBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual && Buffer.compare(actual, expected)).toBe(0);
}

async function failure(promise: Promise<unknown>): Promise<{ code: IrisErrorCode; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'expected the load to fail').toBeInstanceOf(IrisError);
  return error as IrisError;
}

describe('Hub.load in Node', () => {
  it('downloads header first then data, with monotonic progress; a second load makes no request', async () => {
    const store = memoryStore();
    const events: LoadProgress[] = [];
    const files = await hubWith(store).load(request(CLIP, { onProgress: (p) => events.push(p) }));

    expectBytes(files.bytes('model.safetensors'), clipWeights);
    expect(files.json('config.json')).toEqual(JSON.parse(readFileSync(join(GOLDEN_DIR, 'clip', 'config.json'), 'utf8')));
    expect(files.has('generation_config.json')).toBe(false);
    expect(files.resolvedRevision).toBe(server.commitOf(CLIP));
    expect(files.weights().get('logit_scale', []).dtype).toBe('F32');

    const ranges = server.requests('model.safetensors').filter((r) => r.status === 206).map((r) => r.range);
    expect(ranges).toEqual(['bytes=0-7', `bytes=8-${headerBytes(clipWeights) - 1}`, `bytes=${headerBytes(clipWeights)}-`]);
    expect(server.bytesServed('model.safetensors')).toBe(clipWeights.byteLength);

    const total = clipConfigBytes + clipWeights.byteLength;
    expect(events.length).toBeGreaterThan(5);
    for (let i = 1; i < events.length; i++) expect(events[i]!.bytesDone).toBeGreaterThanOrEqual(events[i - 1]!.bytesDone);
    expect(events.at(-1)).toMatchObject({ bytesDone: total, bytesTotal: total, fileBytesDone: clipWeights.byteLength });

    server.resetLog();
    const again = await hubWith(store).load(request(CLIP));
    expect(server.log).toEqual([]);
    expectBytes(again.bytes('model.safetensors'), clipWeights);
    expect(await hubWith(store).listCached()).toEqual([
      { repo: CLIP, revision: server.commitOf(CLIP), requestedAs: ['main'], files: expect.arrayContaining([{ file: 'config.json', bytes: clipConfigBytes }, { file: 'model.safetensors', bytes: clipWeights.byteLength }]), bytes: total, partialBytes: 0, complete: true },
    ]);
  });

  it('resumes after a dropped connection from the first missing byte', async () => {
    const store = memoryStore();
    const dropAt = Math.floor((clipWeights.byteLength - headerBytes(clipWeights)) * 0.4); // into the tensor data
    server.fault({ kind: 'drop', file: 'model.safetensors', afterBytes: dropAt });
    expect(await failure(hubWith(store).load(request(CLIP)))).toMatchObject({ code: 'download-failed' });
    const stopped = headerBytes(clipWeights) + dropAt;
    expect((await hubWith(store).listCached())[0]).toMatchObject({ partialBytes: stopped });

    const files = await hubWith(store).load(request(CLIP));
    expectBytes(files.bytes('model.safetensors'), clipWeights);
    expect(server.requests('model.safetensors').at(-1)!.range).toBe(`bytes=${stopped}-`);
    expect(server.bytesServed('model.safetensors')).toBe(clipWeights.byteLength);
  });

  it('works with a server that ignores Range, resuming by skipping what it already has', async () => {
    server.ranges = false;
    const store = memoryStore();
    const events: LoadProgress[] = [];
    const dropAt = Math.floor(clipWeights.byteLength * 0.6);
    server.fault({ kind: 'drop', file: 'model.safetensors', afterBytes: dropAt });
    expect(await failure(hubWith(store).load(request(CLIP)))).toMatchObject({ code: 'download-failed' });
    const files = await hubWith(store).load(request(CLIP, { onProgress: (p) => events.push(p) }));
    expectBytes(files.bytes('model.safetensors'), clipWeights);
    expect(server.requests('model.safetensors').filter((r) => r.status === 200)).toHaveLength(2);
    expect(events.filter((e) => e.file === 'model.safetensors').map((e) => e.fileBytesDone)[0]).toBe(dropAt);
  });

  it('HTTP errors, wrong Content-Length and missing files are typed errors; a retry then works', async () => {
    const store = memoryStore();
    server.fault({ kind: 'status', file: 'config.json', status: 500 });
    expect(await failure(hubWith(store).load(request(GIT)))).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/config.json .*answered 500/) });
    server.fault({ kind: 'wrong-length', file: 'model.safetensors', extraBytes: 1000 });
    expect(await failure(hubWith(store).load(request(GIT)))).toMatchObject({ code: 'download-failed' });
    const files = await hubWith(store).load(request(GIT));
    expectBytes(files.bytes('model.safetensors'), gitWeights);
    expect(files.json('generation_config.json')).toMatchObject({});
    expect(await failure(hubWith(store).load(request(GIT, { files: ['tokenizer.json'] })))).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/404/) });
  });

  it.each(malformedCases().map((c, i) => [c.name, c, i] as const))('malformed (%s): safetensors-invalid, nothing cached', async (_, c, i) => {
    const repo = `iris-test/bad-${i}`;
    server.addFile(repo, 'model.safetensors', c.bytes);
    const store = memoryStore();
    const error = await failure(hubWith(store).load({ repo, files: ['model.safetensors'] }));
    expect(error.code).toBe('safetensors-invalid');
    expect(error.message).toMatch(c.reason);
    expect(await store.keys()).toEqual([]);
  });

  it('a full disk mid-download is quota-exceeded, never marks the file complete, and spares other models', async () => {
    const store = memoryStore();
    await hubWith(store).load(request(CLIP));
    const error = await failure(hubWith(quotaLimited(store, Math.floor(gitWeights.byteLength / 3))).load(request(GIT)));
    expect(error.code).toBe('quota-exceeded');
    const cached = await hubWith(store).listCached();
    expect(cached.find((m) => m.repo === CLIP)).toMatchObject({ bytes: clipConfigBytes + clipWeights.byteLength });
    expect(cached.find((m) => m.repo === GIT)?.files.map((f) => f.file)).not.toContain('model.safetensors');
    server.resetLog();
    expectBytes((await hubWith(store).load(request(CLIP))).bytes('model.safetensors'), clipWeights);
    expect(server.log).toEqual([]);
  });

  it('a download that does not match the sha256 in its ETag is not cached', async () => {
    const store = memoryStore();
    server.fault({ kind: 'flip', file: 'model.safetensors', minBytes: Math.floor(clipWeights.byteLength / 7) });
    expect(await failure(hubWith(store).load(request(CLIP)))).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/do not match the sha256/) });
    expect((await store.keys()).filter((k) => k[3] === 'model.safetensors')).toEqual([]);
    expectBytes((await hubWith(store).load(request(CLIP))).bytes('model.safetensors'), clipWeights);
  });

  it('lists cached models, deletes one (by branch name or commit) and clears all', async () => {
    const store = memoryStore();
    const hub = hubWith(store);
    await hub.load(request(CLIP));
    await hub.load(request(GIT));
    expect((await hub.listCached()).map((m) => m.repo).sort()).toEqual([CLIP, GIT]);
    await hub.deleteCached(GIT, 'main');
    expect((await hub.listCached()).map((m) => m.repo)).toEqual([CLIP]);
    expect((await store.keys()).filter((k) => k[1] === GIT)).toEqual([]);
    await hub.deleteCached(CLIP, server.commitOf(CLIP));
    expect(await store.keys()).toEqual([]);
    await hub.load(request(GIT));
    await hub.clearCache();
    expect(await store.keys()).toEqual([]);
  });

  it('checks navigator.storage.estimate() before the weights stream', async () => {
    const free = Math.floor(clipWeights.byteLength / 2); // room for the small files, not for the weights
    const storage = { estimate: async () => ({ quota: 2 * clipWeights.byteLength, usage: 2 * clipWeights.byteLength - free }) };
    const store = memoryStore();
    const error = await failure(hubWith(store, { storage }).load(request(CLIP)));
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    expect(error).toMatchObject({ code: 'not-enough-storage', message: expect.stringContaining(`model.safetensors of ${CLIP} needs `) });
    expect(error.message).toContain(`only ${mib(free)} is free`);
    expect(server.bytesServed('model.safetensors')).toBe(headerBytes(clipWeights)); // the header only
    expect((await hubWith(store).listCached())[0]!.files.map((f) => f.file)).toEqual(['config.json']);
  });

  it('a corrupted chunk (same length, or truncated) is detected, removed and fetched again', async () => {
    const store = memoryStore();
    await hubWith(store).load(request(CLIP));
    const chunk = (i: number): [string, [(string | number)[], unknown]] => [...store.entries].find(([, [k]]) => k[0] === 'chunk' && k[3] === 'model.safetensors' && k[4] === i)!;
    // Two full chunks of the weights (a third and two thirds in): one bit-flipped, one cut short.
    const chunks = Math.floor(clipWeights.byteLength / CHUNK);
    const corruptions: [RegExp, () => void][] = [
      [/sha256 does not match/, () => {
        const [id, [key, value]] = chunk(Math.floor(chunks / 3));
        const flipped = new Uint8Array((value as ArrayBuffer).slice(0));
        flipped[flipped.length >> 1]! ^= 0xff;
        store.entries.set(id, [key, flipped.buffer]);
      }],
      [/wrong length/, () => {
        const [id, [key, value]] = chunk(Math.floor((2 * chunks) / 3));
        store.entries.set(id, [key, (value as ArrayBuffer).slice(1)]);
      }],
    ];
    for (const [reason, corrupt] of corruptions) {
      corrupt();
      server.resetLog();
      const warnings: IrisError[] = [];
      const files = await hubWith(store).load(request(CLIP, { onWarning: (w) => warnings.push(w) }));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ code: 'cache-corrupt', message: expect.stringMatching(reason) });
      expectBytes(files.bytes('model.safetensors'), clipWeights);
      expect(server.bytesServed('model.safetensors')).toBe(clipWeights.byteLength);
    }
  });

  it('escapes refs/pr/1, resolves it to a commit once, and shares files with other names of that commit', async () => {
    const store = memoryStore();
    const files = await hubWith(store).load(request(CLIP, { revision: 'refs/pr/1' }));
    expect(files.resolvedRevision).toBe(server.commitOf(CLIP));
    expect(server.log[0]).toMatchObject({ method: 'HEAD', path: `/${CLIP}/resolve/refs%2Fpr%2F1/config.json` });
    expect(server.requests('model.safetensors')[0]!.path).toBe(`/${CLIP}/resolve/${server.commitOf(CLIP)}/model.safetensors`);
    server.resetLog();
    await hubWith(store).load(request(CLIP)); // 'main': one HEAD to learn it is the same commit, then the cache
    expect(server.requests().map((r) => r.method)).toEqual(['HEAD']);
    expect(await failure(hubWith(store).load(request(CLIP, { revision: 'no-such-branch' })))).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/404/) });
  });

  it('an abort mid-file is "aborted", and the next load resumes', async () => {
    const store = memoryStore();
    const controller = new AbortController();
    let seen = 0;
    server.fault({ kind: 'slow', file: 'model.safetensors', minBytes: Math.floor(clipWeights.byteLength / 6), bytesPerTick: 32 * 1024, tickMs: 5 });
    const onProgress = (p: LoadProgress): void => {
      if (p.file !== 'model.safetensors') return;
      seen = p.fileBytesDone;
      if (seen > clipWeights.byteLength / 3) controller.abort();
    };
    expect(await failure(hubWith(store).load(request(CLIP, { signal: controller.signal, onProgress })))).toMatchObject({ code: 'aborted' });
    const files = await hubWith(store).load(request(CLIP));
    expectBytes(files.bytes('model.safetensors'), clipWeights);
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(server.requests('model.safetensors').at(-1)!.range!)![1]);
    expect(resumedFrom).toBeGreaterThanOrEqual(seen);
  });
});
