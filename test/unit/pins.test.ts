// Pinned downloads (size + sha256 against the catalogue), the incremental SHA-256 behind them, and the two
// checkpoint layouts without a model.safetensors: shards behind model.safetensors.index.json, and a repository
// with only pytorch_model.bin whose safetensors live on the Hub bot's conversion branch (refs/pr/N). All of it
// over real HTTP against the local Hub-layout server, with the cache in an in-memory store.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IrisError, type IrisErrorCode } from '../../src/errors';
import { Sha256 } from '../../src/weights/sha256';
import type { KeyValueStore } from '../../src/weights/cache-store';
import { Hub, type HubOptions, type LoadRequest } from '../../src/weights/hub';
import type { PinnedFile } from '../../src/weights/integrity';
import type { LoadProgress } from '../../src/weights/progress';
import { parseSafetensors } from '../../src/weights/safetensors';
import { planSafetensors, writeSafetensors, type TensorData, type TensorHeader } from '../../src/weights/safetensors-writer';
import { stateDictFor } from '../../scripts/models/index';
import { planShards } from '../../scripts/models/shards';
import { tensorFor } from '../../scripts/models/values';
import { GOLDEN_DIR } from '../helpers/golden';
import { tinyModelDir } from '../helpers/tiny-models';
import { HubServer, type HubDiscussion } from '../helpers/hub-server';
import { memoryStore } from '../helpers/stores';

const CLIP = 'iris-test/tiny-clip';
const golden = (model: string, file: string): Uint8Array => new Uint8Array(readFileSync(join(GOLDEN_DIR, model, file)));
const clipWeights = golden('clip', 'model.safetensors');
const clipConfig = golden('clip', 'config.json');
const manifestEntry = (model: string, file: string): { bytes: number; sha256: string } =>
  (JSON.parse(readFileSync(join(GOLDEN_DIR, model, 'manifest.json'), 'utf8')) as { files: { path: string; bytes: number; sha256: string }[] }).files.find((f) => f.path === file)!;
/** The pin of golden/clip's model.safetensors, as its manifest gives it. */
const clipPin = (): Required<PinnedFile> => {
  const { bytes, sha256 } = manifestEntry('clip', 'model.safetensors');
  return { bytes, sha256 };
};
const headerBytes = (file: Uint8Array): number => 8 + Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.compare(a, b) === 0;
/** Another sha256 of the same length (one hex digit changed). */
const otherSha = (sha: string): string => (sha[0] === '0' ? '1' : '0') + sha.slice(1);

let server: HubServer;
beforeAll(async () => {
  server = await HubServer.start({ repos: { [CLIP]: 'clip' } });
});
afterAll(() => server.close());
beforeEach(() => server.resetLog());

function hubWith(store: KeyValueStore = memoryStore(), options: HubOptions = {}): Hub {
  return new Hub({ baseUrl: server.url, store, chunkSize: 64 * 1024, storage: null, ...options });
}

function request(repo: string, extra: Partial<LoadRequest> = {}): LoadRequest {
  return { repo, files: ['config.json', 'model.safetensors'], ...extra };
}

async function failure(promise: Promise<unknown>): Promise<IrisError & { code: IrisErrorCode }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'expected the load to fail').toBeInstanceOf(IrisError);
  return error as IrisError;
}

const storedFiles = async (store: KeyValueStore, file: string): Promise<unknown[]> => (await store.keys()).filter((k) => k[3] === file);

/** A fetch whose responses lack ETag and X-Linked-Etag: a server (or proxy) that gives no sha256. */
const withoutEtags: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const headers = new Headers(response.headers);
  headers.delete('ETag');
  headers.delete('X-Linked-Etag');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
};

describe('Sha256 (incremental)', () => {
  it('gives the FIPS 180-4 example digests', () => {
    const hex = (text: string): string => new Sha256().update(new TextEncoder().encode(text)).hex();
    expect(hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    const million = new Sha256();
    const chunk = new TextEncoder().encode('a'.repeat(1000));
    for (let i = 0; i < 1000; i++) million.update(chunk);
    expect(million.hex()).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('equals node:crypto on random data of odd lengths, fed in random pieces', () => {
    for (let trial = 0; trial < 40; trial++) {
      const length = 2 * Math.floor(Math.random() * 5000) + 1; // odd, across many 64-byte block boundaries
      const data = new Uint8Array(randomBytes(length));
      const hash = new Sha256();
      for (let offset = 0; offset < length; ) {
        const piece = Math.min(length - offset, 1 + Math.floor(Math.random() * 200));
        hash.update(data.subarray(offset, offset + piece));
        offset += piece;
      }
      expect(hash.hex(), `length ${length}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});

describe('pinned downloads', () => {
  it('a file matching its pin loads, and its cache manifest keeps the pinned sha256', async () => {
    const store = memoryStore();
    const files = await hubWith(store, { fetch: withoutEtags }).load(request(CLIP, { pinned: { 'model.safetensors': clipPin() } }));
    expect(sameBytes(files.bytes('model.safetensors'), clipWeights)).toBe(true);
    const manifest = (await store.get(['file', CLIP, server.commitOf(CLIP), 'model.safetensors'])) as { sha256?: string };
    expect(manifest.sha256).toBe(clipPin().sha256);
  });

  it('a server announcing another size is refused before any data is stored', async () => {
    const store = memoryStore();
    const pin = { ...clipPin(), bytes: clipPin().bytes + 8 };
    const error = await failure(hubWith(store).load(request(CLIP, { pinned: { 'model.safetensors': pin } })));
    expect(error.code).toBe('integrity-mismatch');
    expect(error.message).toMatch(/model\.safetensors .* not the pinned file: the server announces .* bytes, not the pinned/);
    expect(server.bytesServed('model.safetensors')).toBe(headerBytes(clipWeights)); // the header only
    expect(await storedFiles(store, 'model.safetensors')).toEqual([]);
  });

  it('a server announcing another sha256 (its LFS ETag) is refused before any data is stored', async () => {
    const store = memoryStore();
    const pin = { ...clipPin(), sha256: otherSha(clipPin().sha256) };
    const error = await failure(hubWith(store).load(request(CLIP, { pinned: { 'model.safetensors': pin } })));
    expect(error).toMatchObject({ code: 'integrity-mismatch', message: expect.stringMatching(/announces sha256/) });
    expect(await storedFiles(store, 'model.safetensors')).toEqual([]);
  });

  it('without an ETag, the completed file is hashed: a mismatch caches nothing, and the next load starts afresh', async () => {
    const store = memoryStore();
    const pin = { ...clipPin(), sha256: otherSha(clipPin().sha256) };
    const error = await failure(hubWith(store, { fetch: withoutEtags }).load(request(CLIP, { pinned: { 'model.safetensors': pin } })));
    expect(error).toMatchObject({ code: 'integrity-mismatch', message: expect.stringMatching(/its sha256 is [0-9a-f]{64}, not the pinned/) });
    // The 8-byte Range probe, then, with no validator to tie Range answers together, the whole file in one answer.
    const probeAndWhole = 8 + clipWeights.byteLength;
    expect(server.bytesServed('model.safetensors')).toBe(probeAndWhole);
    expect(await storedFiles(store, 'model.safetensors')).toEqual([]);
    server.resetLog();
    const files = await hubWith(store, { fetch: withoutEtags }).load(request(CLIP, { pinned: { 'model.safetensors': clipPin() } }));
    expect(sameBytes(files.bytes('model.safetensors'), clipWeights)).toBe(true);
    expect(server.bytesServed('model.safetensors')).toBe(probeAndWhole);
  });

  it('a pin with a sha256 and no size (none published) checks the sha256: the file loads; another one is refused before any data is stored', async () => {
    const { sha256 } = clipPin();
    const loaded = await hubWith(memoryStore(), { fetch: withoutEtags }).load(request(CLIP, { pinned: { 'model.safetensors': { sha256 } } }));
    expect(sameBytes(loaded.bytes('model.safetensors'), clipWeights)).toBe(true);
    const store = memoryStore();
    server.resetLog();
    const error = await failure(hubWith(store).load(request(CLIP, { pinned: { 'model.safetensors': { sha256: otherSha(sha256) } } })));
    expect(error).toMatchObject({ code: 'integrity-mismatch', message: expect.stringMatching(/announces sha256/) });
    expect(server.bytesServed('model.safetensors')).toBe(headerBytes(clipWeights)); // the header only
    expect(await storedFiles(store, 'model.safetensors')).toEqual([]);
  });

  it('a cached file that is not the pinned one is reported, removed and downloaded again', async () => {
    const store = memoryStore();
    await hubWith(store).load(request(CLIP));
    const warnings: IrisError[] = [];
    const pin = { ...clipPin(), bytes: clipPin().bytes + 8 };
    const error = await failure(hubWith(store).load(request(CLIP, { pinned: { 'model.safetensors': pin }, onWarning: (w) => warnings.push(w) })));
    expect(warnings.map((w) => w.code)).toEqual(['cache-corrupt']);
    expect(error.code).toBe('integrity-mismatch');
    expect(await storedFiles(store, 'model.safetensors')).toEqual([]);
  });
});

describe('repositories without model.safetensors', () => {
  const conversion = (num: number): HubDiscussion => ({ num, title: 'Adding `safetensors` variant of this model', status: 'open', isPullRequest: true, author: { name: 'SFconvertbot' } });

  it('only pytorch_model.bin and no API answer: a typed error that names repo@refs/pr/N', async () => {
    const repo = 'iris-test/pickle-only';
    server.addFile(repo, 'config.json', clipConfig);
    server.addFile(repo, 'pytorch_model.bin', randomBytes(1000));
    const error = await failure(hubWith().load(request(repo)));
    expect(error.code).toBe('unsupported-model');
    expect(error.message).toMatch(/has only pytorch_model\.bin at main, no model\.safetensors/);
    expect(error.message).toContain(`"${repo}@refs/pr/N"`);
    expect(server.requests().some((r) => r.path.startsWith(`/api/models/${repo}/discussions`))).toBe(true);
  });

  it('finds the conversion branch through the Hub API, loads its model.safetensors and says so', async () => {
    const repo = 'iris-test/converted';
    server.addFile(repo, 'config.json', clipConfig);
    server.addFile(repo, 'pytorch_model.bin', randomBytes(1000));
    server.addBranch(repo, 'refs/pr/3', { 'config.json': clipConfig, 'model.safetensors': clipWeights });
    server.setDiscussions(repo, [
      { num: 1, title: 'Update README.md', status: 'open', isPullRequest: true, author: { name: 'someone' } },
      conversion(3),
      { num: 4, title: 'Does this work with safetensors?', status: 'open', isPullRequest: false, author: { name: 'someone' } },
    ]);
    const store = memoryStore();
    const warnings: IrisError[] = [];
    const files = await hubWith(store).load(request(repo, { onWarning: (w) => warnings.push(w) }));
    expect(files.weightsBranch).toBe('refs/pr/3');
    expect(sameBytes(files.bytes('model.safetensors'), clipWeights)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/only pytorch_model\.bin at main; its weights were loaded from refs\/pr\/3/);
    // Downloaded at the branch's commit (resolved once, from its config.json), so the cache keys it immutably.
    const gets = server.requests('model.safetensors', repo).filter((r) => r.method === 'GET' && r.path.includes('/resolve/') && r.status !== 404);
    expect(gets.length).toBeGreaterThan(0);
    for (const r of gets) expect(r.path).toContain(`/resolve/${server.commitOf(repo, 'refs/pr/3')}/`);
    expect((await hubWith(store).listCached()).find((m) => m.revision === server.commitOf(repo, 'refs/pr/3'))).toMatchObject({ requestedAs: ['refs/pr/3'] });

    // Offline (here: the API no longer lists it, and the log must stay empty), the cache remembers the branch.
    server.setDiscussions(repo, []);
    server.resetLog();
    const again = await hubWith(store).load(request(repo));
    expect([again.weightsBranch, sameBytes(again.bytes('model.safetensors'), clipWeights)]).toEqual(['refs/pr/3', true]);
    expect(server.log).toEqual([]);
    expect(server.bytesServed('pytorch_model.bin', repo)).toBe(0); // asked about (HEAD), never downloaded
  });

  it('no model.safetensors, no index and no pytorch_model.bin: download-failed', async () => {
    const repo = 'iris-test/no-weights';
    server.addFile(repo, 'config.json', clipConfig);
    expect(await failure(hubWith().load(request(repo)))).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/has no model\.safetensors \(nor a model\.safetensors\.index\.json\)/) });
  });

  /** golden/clip's tensors in two shards (the first `split` names in the first), with their index. */
  function shardedClip(split: number, misplace = false): { index: Uint8Array; shards: Record<string, Uint8Array> } {
    const { tensors } = parseSafetensors(clipWeights, 'golden/clip');
    const names = [...tensors.keys()];
    const groups = [names.slice(0, split), names.slice(split)];
    const shards: Record<string, Uint8Array> = {};
    const weightMap: Record<string, string> = {};
    groups.forEach((group, i) => {
      const file = `model-0000${i + 1}-of-0000${groups.length}.safetensors`;
      const plan = planSafetensors(group.map((name) => tensors.get(name)! as TensorHeader)); // golden/clip holds only F32
      shards[file] = Buffer.concat([plan.header, ...plan.tensors.map((t) => tensors.get(t.name)!.bytes)]);
      for (const name of group) weightMap[name] = file;
    });
    if (misplace) weightMap[names[0]!] = Object.keys(shards)[1]!;
    const index = { metadata: { total_size: clipWeights.byteLength - headerBytes(clipWeights) }, weight_map: weightMap };
    return { index: new TextEncoder().encode(JSON.stringify(index)), shards };
  }

  it('reads a sharded checkpoint: the index, every shard with progress, one weight set', async () => {
    const repo = 'iris-test/sharded';
    const { tensors } = parseSafetensors(clipWeights, 'golden/clip');
    const { index, shards } = shardedClip(Math.floor(tensors.size / 3));
    server.addFile(repo, 'config.json', clipConfig);
    server.addFile(repo, 'model.safetensors.index.json', index);
    for (const [file, bytes] of Object.entries(shards)) server.addFile(repo, file, bytes);
    const events: LoadProgress[] = [];
    const files = await hubWith().load(request(repo, { onProgress: (p) => events.push(p) }));
    expect(files.has('model.safetensors')).toBe(false);
    const weights = files.weights();
    expect(weights.names().sort()).toEqual([...tensors.keys()].sort());
    for (const [name, tensor] of tensors) {
      const loaded = weights.get(name, tensor.shape);
      expect(loaded.dtype).toBe(tensor.dtype);
      expect(sameBytes(loaded.bytes, tensor.bytes), name).toBe(true);
    }
    for (const [file, bytes] of Object.entries(shards)) {
      expect(events.filter((e) => e.file === file).at(-1)).toMatchObject({ fileBytesDone: bytes.byteLength, fileBytesTotal: bytes.byteLength });
    }
    const shardBytes = Object.values(shards).reduce((n, b) => n + b.byteLength, 0);
    expect(events.at(-1)).toMatchObject({ bytesDone: clipConfig.byteLength + index.byteLength + shardBytes, bytesTotal: clipConfig.byteLength + index.byteLength + shardBytes });
  });

  it('an index that puts a tensor in a shard without it is tensor-missing', async () => {
    const repo = 'iris-test/sharded-wrong';
    const { tensors } = parseSafetensors(clipWeights, 'golden/clip');
    const { index, shards } = shardedClip(Math.floor(tensors.size / 2), true);
    server.addFile(repo, 'config.json', clipConfig);
    server.addFile(repo, 'model.safetensors.index.json', index);
    for (const [file, bytes] of Object.entries(shards)) server.addFile(repo, file, bytes);
    expect(await failure(hubWith().load(request(repo)))).toMatchObject({ code: 'tensor-missing', message: expect.stringMatching(/index\.json puts tensor ".*" in model-00002-of-00002\.safetensors, which does not have it/) });
  });

  it("reads the generator's sharded stand-in (save_pretrained's layout) as the same tensors as its single file", async () => {
    const repo = 'iris-test/generated-shards';
    const dir = tinyModelDir('clip');
    const config = readFileSync(join(dir, 'config.json'));
    const specs = stateDictFor(JSON.parse(config.toString('utf8')));
    const write = async (tensors: ReadonlyArray<TensorHeader & { data: TensorData }>): Promise<Uint8Array> => {
      const parts: Uint8Array[] = [];
      await writeSafetensors({ write: (bytes) => void parts.push(bytes.slice()) }, tensors);
      return Buffer.concat(parts);
    };
    const single = parseSafetensors(await write(specs.map((spec) => tensorFor(spec, 'f16', 0))), 'single').tensors;
    const total = [...single.values()].reduce((n, t) => n + t.bytes.byteLength, 0);
    const plan = planShards(specs.map((spec) => tensorFor(spec, 'f16', 0)), total / 3);
    expect(plan.shards.length).toBeGreaterThan(1);
    server.addFile(repo, 'config.json', config);
    server.addFile(repo, 'model.safetensors.index.json', new TextEncoder().encode(plan.index));
    for (const shard of plan.shards) server.addFile(repo, shard.file, await write(shard.tensors));
    const events: LoadProgress[] = [];
    const weights = (await hubWith().load(request(repo, { onProgress: (p) => events.push(p) }))).weights();
    expect(weights.names().sort()).toEqual(specs.map((spec) => spec.name).sort());
    for (const [name, tensor] of single) expect(sameBytes(weights.get(name, tensor.shape).bytes, tensor.bytes), name).toBe(true);
    expect(new Set(events.map((e) => e.file))).toEqual(new Set(['config.json', 'model.safetensors.index.json', ...plan.shards.map((s) => s.file)]));
  });
});
