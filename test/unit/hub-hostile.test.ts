// The download cache against hostile servers and networks (issue 17): nothing half-written, spliced or
// wrong is ever marked complete, a bad cached file is fetched again, optional files are not forgotten
// for good, and sizes from the network are not trusted. Real HTTP against the Hub-layout fault server;
// every test also checks that another cached model is untouched.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IrisError, type IrisErrorCode } from '../../src/errors';
import type { CacheKey, KeyValueStore } from '../../src/weights/cache-store';
import { Hub, type HubOptions, type LoadRequest } from '../../src/weights/hub';
import { GOLDEN_DIR } from '../helpers/golden';
import { HubServer, type HubValidators } from '../helpers/hub-server';
import { memoryLocks, memoryStore, quotaLimited } from '../helpers/stores';

const OTHER = 'iris-test/tiny-clip'; // a model cached first, which nothing may touch
const SHARED = join(GOLDEN_DIR, '..', 'tokenizers', 'clip');
const read = (path: string): Uint8Array => new Uint8Array(readFileSync(path));
const FILES: Record<string, Uint8Array> = {
  'config.json': read(join(GOLDEN_DIR, 'clip', 'config.json')),
  'vocab.json': read(join(SHARED, 'vocab.json')),
  'merges.txt': read(join(SHARED, 'merges.txt')),
  'model.safetensors': read(join(GOLDEN_DIR, 'clip', 'model.safetensors')),
};
const weights = FILES['model.safetensors']!;
const headerBytes = 8 + Number(new DataView(weights.buffer, weights.byteOffset).getBigUint64(0, true));
/** The same file with every data byte changed: same size, same header, different content. */
const changedWeights = weights.map((b, i) => (i < headerBytes ? b : b ^ 0x5a));

let server: HubServer;
let repoCount = 0;
beforeAll(async () => {
  server = await HubServer.start({ repos: { [OTHER]: 'clip' } });
});
afterAll(() => server.close());
beforeEach(() => {
  server.resetLog();
  server.ranges = true;
  server.validators = 'strong';
  server.ifRange = true;
});

/** A fresh repository (so faults and versions never leak between tests) with the files above. */
function newRepo(): string {
  const repo = `iris-test/hostile-${repoCount++}`;
  for (const [file, bytes] of Object.entries(FILES)) server.addFile(repo, file, bytes);
  return repo;
}

function hubWith(store: KeyValueStore, options: HubOptions = {}): Hub {
  return new Hub({ baseUrl: server.url, store, chunkSize: 64 * 1024, storage: null, ...options });
}

const smallFiles = ['config.json', 'vocab.json', 'merges.txt'];
const request = (repo: string, extra: Partial<LoadRequest> = {}): LoadRequest => ({ repo, files: [...smallFiles, 'model.safetensors'], ...extra });

async function failure(promise: Promise<unknown>): Promise<{ code: IrisErrorCode; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'expected the load to fail with an IrisError').toBeInstanceOf(IrisError);
  return error as IrisError;
}

function expectBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual && Buffer.compare(actual, expected)).toBe(0);
}

/** A store holding the other model, and a check that its entries are exactly as they were. */
async function storeWithOtherModel(): Promise<{ store: ReturnType<typeof memoryStore>; otherIntact: () => Promise<void> }> {
  const store = memoryStore();
  await hubWith(store).load({ repo: OTHER, files: ['config.json', 'model.safetensors'] });
  const snapshot = (): [string, unknown][] => [...store.entries].filter(([, [key]]) => key[1] === OTHER).map(([id, [, value]]) => [id, value]);
  const before = snapshot();
  expect(before.length).toBeGreaterThan(2);
  return {
    store,
    otherIntact: async () => {
      expect(snapshot()).toEqual(before);
      server.resetLog();
      const again = await hubWith(store).load({ repo: OTHER, files: ['config.json', 'model.safetensors'] });
      expect(server.requests()).toEqual([]); // still served from the cache alone
      expectBytes(again.bytes('model.safetensors'), read(join(GOLDEN_DIR, 'clip', 'model.safetensors')));
    },
  };
}

const keysOf = (store: ReturnType<typeof memoryStore>, repo: string, file?: string): CacheKey[] =>
  [...store.entries.values()].map(([key]) => key).filter((k) => k[1] === repo && (file === undefined || k[3] === file));

describe('bad small files are never marked complete', () => {
  const cases: { name: string; file: string; validators?: HubValidators; reason: RegExp; setup: (repo: string) => void }[] = [
    ...smallFiles.map((file) => ({ name: `an HTML page answered with 200 for ${file}`, file, reason: /web page \(text\/html\)/, setup: (repo: string) => server.fault({ kind: 'html', repo, file }) })),
    ...smallFiles.map((file) => ({
      name: `${file} cut short, no Content-Length (the ETag's git blob id catches it)`, file, reason: /do not match the git blob id/,
      setup: (repo: string) => server.fault({ kind: 'truncate', repo, file, keepBytes: Math.floor(FILES[file]!.byteLength / 2) }),
    })),
    ...['config.json', 'vocab.json'].map((file) => ({
      name: `${file} cut short, no Content-Length and no ETag (it does not parse)`, file, validators: 'none' as const, reason: /not valid JSON/,
      setup: (repo: string) => server.fault({ kind: 'truncate', repo, file, keepBytes: Math.floor(FILES[file]!.byteLength / 2) }),
    })),
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const { store, otherIntact } = await storeWithOtherModel();
    const repo = newRepo();
    server.validators = c.validators ?? 'strong';
    c.setup(repo);
    const error = await failure(hubWith(store).load(request(repo)));
    expect(error).toMatchObject({ code: 'download-failed', message: expect.stringMatching(c.reason) });
    expect(error.message).toContain(c.file);
    expect(keysOf(store, repo, c.file)).toEqual([]); // not stored at all, so nothing to serve later
    await otherIntact();

    const files = await hubWith(store).load(request(repo)); // the next load fetches it again, intact
    expectBytes(files.bytes(c.file), FILES[c.file]!);
  });

  it('a body whose length disagrees with Content-Length (a proxy that drops the ETag) is refused', async () => {
    const { store, otherIntact } = await storeWithOtherModel();
    const repo = newRepo();
    const proxy: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/config.json')) return response;
      const body = new Uint8Array(await response.arrayBuffer());
      const headers = new Headers(response.headers);
      headers.delete('ETag');
      return new Response(body.subarray(0, body.byteLength - 10), { status: response.status, headers });
    };
    const error = await failure(hubWith(store, { fetch: proxy }).load(request(repo)));
    const length = FILES['config.json']!.byteLength;
    expect(error).toMatchObject({ code: 'download-failed', message: expect.stringContaining(`announced ${length} bytes but sent ${length - 10}`) });
    expect(keysOf(store, repo, 'config.json')).toEqual([]);
    await otherIntact();
  });

  it('a cached file that does not parse (as older versions stored it) is dropped and fetched again, once, with a warning', async () => {
    const { store, otherIntact } = await storeWithOtherModel();
    const repo = newRepo();
    await hubWith(store).load(request(repo));
    // What a login page cached by an older version looks like: a consistent manifest, no hash, HTML inside.
    const page = new TextEncoder().encode('<!DOCTYPE html><html><body>Sign in</body></html>');
    const ref = ['file', repo, server.commitOf(repo), 'config.json'];
    await store.setMany([[['chunk', ...ref.slice(1), 0], page.slice().buffer], [ref, { kind: 'file', size: page.byteLength, chunkSize: 64 * 1024, chunkCount: 1 }]]);

    server.resetLog();
    const warnings: IrisError[] = [];
    const files = await hubWith(store).load(request(repo, { onWarning: (w) => warnings.push(w) }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'cache-corrupt', message: expect.stringMatching(/config\.json .* HTML page.* removed and downloaded again/) });
    expectBytes(files.bytes('config.json'), FILES['config.json']!);
    expect(server.requests().map((r) => r.file)).toEqual(['config.json']); // only that file, once

    // Once: when the network also serves the page, the load fails, and the page is not stored again.
    await store.setMany([[['chunk', ...ref.slice(1), 0], page.slice().buffer], [ref, { kind: 'file', size: page.byteLength, chunkSize: 64 * 1024, chunkCount: 1 }]]);
    server.fault({ kind: 'html', repo, file: 'config.json' });
    expect(await failure(hubWith(store).load(request(repo)))).toMatchObject({ code: 'download-failed', message: expect.stringMatching(/web page/) });
    expect(keysOf(store, repo, 'config.json')).toEqual([]);
    expect(keysOf(store, repo, 'model.safetensors').length).toBeGreaterThan(1); // the rest of the model stays
    await otherIntact();
  });
});

describe('a resumed download never splices two versions of a file', () => {
  const modes: [HubValidators, boolean][] = [['strong', true], ['strong', false], ['last-modified', true], ['weak', true], ['none', true]];

  it.each(modes)('validators %s, If-Range honoured %s: a same-size file that changed gives the new file', async (validators, ifRange) => {
    const { store, otherIntact } = await storeWithOtherModel();
    const repo = newRepo();
    server.validators = validators;
    server.ifRange = ifRange;
    server.fault({ kind: 'drop', repo, file: 'model.safetensors', afterBytes: 300_000 });
    expect(await failure(hubWith(store).load(request(repo)))).toMatchObject({ code: 'download-failed' });
    server.addFile(repo, 'model.safetensors', changedWeights);

    server.resetLog();
    const files = await hubWith(store).load(request(repo));
    expectBytes(files.bytes('model.safetensors'), changedWeights);
    expect(keysOf(store, repo, 'model.safetensors').filter((k) => k[0] === 'partial')).toEqual([]);
    // Read back from the cache alone: the stored file is the new one, whole.
    server.resetLog();
    expectBytes((await hubWith(store).load(request(repo))).bytes('model.safetensors'), changedWeights);
    expect(server.requests()).toEqual([]);
    await otherIntact();
  });

  it.each(['strong', 'last-modified'] as const)('validators %s: an unchanged file resumes from the first missing byte, sending If-Range', async (validators) => {
    const store = memoryStore();
    const repo = newRepo();
    server.validators = validators;
    server.fault({ kind: 'drop', repo, file: 'model.safetensors', afterBytes: 300_000 });
    await failure(hubWith(store).load(request(repo)));
    server.resetLog();
    const files = await hubWith(store).load(request(repo));
    expectBytes(files.bytes('model.safetensors'), weights);
    const last = server.requests('model.safetensors').at(-1)!;
    expect(last).toMatchObject({ range: `bytes=${headerBytes + 300_000}-`, status: 206, ifRange: expect.any(String) });
    expect(server.bytesServed('model.safetensors')).toBe(weights.byteLength - headerBytes - 300_000);
  });

  it.each(['weak', 'none'] as const)('validators %s: nothing proves it is the same file, so it starts over (and says so)', async (validators) => {
    const store = memoryStore();
    const repo = newRepo();
    server.validators = validators;
    server.fault({ kind: 'drop', repo, file: 'model.safetensors', afterBytes: 300_000 });
    const error = await failure(hubWith(store).load(request(repo)));
    expect(error.message).not.toMatch(/resume/);
    server.resetLog();
    expectBytes((await hubWith(store).load(request(repo))).bytes('model.safetensors'), weights);
    expect(server.bytesServed('model.safetensors')).toBeGreaterThanOrEqual(weights.byteLength);
  });

  it('a request with If-Range that cannot reach the server (a CORS preflight refused) is sent again without it', async () => {
    const store = memoryStore();
    const repo = newRepo();
    let refused = 0;
    const strictCors: typeof fetch = async (input, init) => {
      if (new Headers(init?.headers).has('If-Range')) {
        refused++;
        throw new TypeError('Failed to fetch');
      }
      return fetch(input, init);
    };
    const files = await hubWith(store, { fetch: strictCors }).load(request(repo));
    expectBytes(files.bytes('model.safetensors'), weights);
    expect(refused).toBe(1);
  });
});

describe('optional files', () => {
  const optional = (repo: string): LoadRequest => ({ repo, files: ['config.json'], optionalFiles: ['generation_config.json'] });

  it('a transient 404 is not remembered for good: the next load asks again and gets the file', async () => {
    const { store, otherIntact } = await storeWithOtherModel();
    const repo = newRepo();
    const generation = new TextEncoder().encode('{"num_beams": 2}');
    server.addFile(repo, 'generation_config.json', generation);
    server.fault({ kind: 'status', repo, file: 'generation_config.json', status: 404 });
    expect((await hubWith(store).load(optional(repo))).has('generation_config.json')).toBe(false);
    const files = await hubWith(store).load(optional(repo));
    expectBytes(files.bytes('generation_config.json'), generation);
    await otherIntact();
  });

  it('a plain 404 is used offline; the Hub\'s own EntryNotFound needs no request at all', async () => {
    const store = memoryStore();
    const repo = newRepo(); // has no generation_config.json: the server answers EntryNotFound
    await hubWith(store).load(optional(repo));
    server.resetLog();
    expect((await hubWith(store).load(optional(repo))).has('generation_config.json')).toBe(false);
    expect(server.requests()).toEqual([]);

    const other = newRepo();
    server.addFile(other, 'generation_config.json', new TextEncoder().encode('{}'));
    server.fault({ kind: 'status', repo: other, file: 'generation_config.json', status: 404 });
    await hubWith(store).load(optional(other));
    const offline: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    expect((await hubWith(store, { fetch: offline }).load(optional(other))).has('generation_config.json')).toBe(false);
  });

  it('a network error on an optional file fails the load and records nothing', async () => {
    const store = memoryStore();
    const repo = newRepo();
    const generation = new TextEncoder().encode('{"num_beams": 3}');
    server.addFile(repo, 'generation_config.json', generation);
    server.fault({ kind: 'drop', repo, file: 'generation_config.json', afterBytes: 2 });
    expect(await failure(hubWith(store).load(optional(repo)))).toMatchObject({ code: 'download-failed' });
    expect(keysOf(store, repo, 'generation_config.json')).toEqual([]);
    expectBytes((await hubWith(store).load(optional(repo))).bytes('generation_config.json'), generation);
  });
});

describe('sizes from the network are not trusted', () => {
  /** A valid header for one U8 tensor of `dataBytes`, and nothing after it (the server claims the rest). */
  function hugeHeaderFile(dataBytes: number): { bytes: Uint8Array; total: number } {
    const json = new TextEncoder().encode(JSON.stringify({ big: { dtype: 'U8', shape: [dataBytes], data_offsets: [0, dataBytes] } }));
    const bytes = new Uint8Array(8 + json.byteLength);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.byteLength), true);
    bytes.set(json, 8);
    return { bytes, total: bytes.byteLength + dataBytes };
  }

  it.each([['5 GB', 'with', 5e9], ['2^40 bytes', 'with', 2 ** 40], ['5 GB', 'without', 5e9], ['2^40 bytes', 'without', 2 ** 40]] as const)(
    'a file claiming %s (%s Range) is a typed error, and nothing is stored',
    async (_, range, dataBytes) => {
      const { store, otherIntact } = await storeWithOtherModel();
      const repo = `iris-test/huge-${repoCount++}`;
      const { bytes, total } = hugeHeaderFile(dataBytes);
      server.addFile(repo, 'model.safetensors', bytes);
      server.ranges = range === 'with';
      for (let i = 0; i < 3; i++) server.fault({ kind: 'claim-total', repo, file: 'model.safetensors', total });
      const error = await failure(hubWith(store).load({ repo, files: ['model.safetensors'] }));
      expect(error).toMatchObject({ code: 'download-failed', message: expect.stringContaining(`announced as ${total} bytes`) });
      expect(keysOf(store, repo)).toEqual([]);
      await otherIntact();
    },
  );

  it('a small file with an absurd Content-Length is refused before its body is read', async () => {
    const store = memoryStore();
    const repo = newRepo();
    server.fault({ kind: 'claim-total', repo, file: 'config.json', total: 2 ** 40 });
    expect(await failure(hubWith(store).load(request(repo)))).toMatchObject({ code: 'download-failed', message: expect.stringContaining(`announced as ${2 ** 40} bytes`) });
    expect(keysOf(store, repo)).toEqual([]);
  });
});

describe('what counts as stored', () => {
  const stateOf = async (store: KeyValueStore, repo: string) => (await hubWith(store).listCached()).find((m) => m.repo === repo);

  it('only a model whose every file is complete; an interrupted or failed load is partial, resumable and deletable', async () => {
    const { store, otherIntact } = await storeWithOtherModel();
    const repo = newRepo();
    server.fault({ kind: 'drop', repo, file: 'model.safetensors', afterBytes: 300_000 });
    await failure(hubWith(store).load(request(repo)));
    expect(await stateOf(store, repo)).toMatchObject({ complete: false, partialBytes: headerBytes + 300_000 });

    const smallOnly = newRepo(); // a failed load leaves only the small files: they do not pose as a model
    server.fault({ kind: 'status', repo: smallOnly, file: 'model.safetensors', status: 500 });
    await failure(hubWith(store).load(request(smallOnly)));
    expect(await stateOf(store, smallOnly)).toMatchObject({ complete: false, partialBytes: 0 });
    expect((await stateOf(store, smallOnly))!.files.map((f) => f.file).sort()).toEqual([...smallFiles].sort());

    await hubWith(store).load(request(repo)); // resumes and completes
    expect(await stateOf(store, repo)).toMatchObject({ complete: true, partialBytes: 0 });
    expect((await stateOf(store, OTHER))!.complete).toBe(true);

    // A file removed behind its back (a delete in another tab, a damaged entry): partial again.
    await store.delMany(keysOf(store, repo, 'vocab.json'));
    expect((await stateOf(store, repo))!.complete).toBe(false);
    await hubWith(store).deleteCached(smallOnly);
    expect(keysOf(store, smallOnly)).toEqual([]);
    await otherIntact();
  });

  it('a cache written before model records counts a model as stored when its weights are complete', async () => {
    const store = memoryStore();
    const repo = newRepo();
    await hubWith(store).load(request(repo));
    await store.delMany([['model', repo, server.commitOf(repo)]]);
    expect((await stateOf(store, repo))!.complete).toBe(true);
  });
});

describe('a full disk', () => {
  const blobsFailed = () => new DOMException('Failed to write blobs (IOError)', 'DataError');

  it('Chromium\'s DataError "Failed to write blobs" is quota-exceeded, and the advice says what is kept', async () => {
    const { store, otherIntact } = await storeWithOtherModel();
    const repo = newRepo();
    const small = smallFiles.reduce((sum, f) => sum + FILES[f]!.byteLength, 0);
    // Room for the small files and three 64 KiB chunks of the weights: those are kept, and resumed from.
    const kept = 3 * 64 * 1024;
    const error = await failure(hubWith(quotaLimited(store, small + kept, blobsFailed)).load(request(repo)));
    expect(error).toMatchObject({ code: 'quota-exceeded', message: expect.stringContaining(`the first ${(kept / 2 ** 20).toFixed(1)} MiB of model.safetensors are kept, and the download resumes from there`) });
    server.resetLog();
    await hubWith(store).load(request(repo));
    expect(server.requests('model.safetensors').at(-1)!.range).toBe(`bytes=${kept}-`);
    await otherIntact();

    const none = newRepo(); // no room even for the first chunk: the advice does not promise a resume
    const nothing = await failure(hubWith(quotaLimited(store, small, blobsFailed)).load(request(none)));
    expect(nothing).toMatchObject({ code: 'quota-exceeded', message: expect.stringContaining('nothing of model.safetensors could be kept, so it downloads from the start') });
    expect(nothing.message).not.toMatch(/resumes/);
  });
});

describe('a failed or overstated storage estimate', () => {
  it.each([
    ['rejects', { estimate: () => Promise.reject(new DOMException('estimate failed', 'UnknownError')) }],
    ['overstates the free space', { estimate: async () => ({ quota: 2 ** 40, usage: 0 }) }],
  ] as const)('when navigator.storage.estimate() %s, a full disk is still quota-exceeded', async (_, storage) => {
    const { store, otherIntact } = await storeWithOtherModel();
    const repo = newRepo();
    const error = await failure(hubWith(quotaLimited(store, 0, () => new DOMException('Failed to write blobs (IOError)', 'DataError')), { storage }).load(request(repo)));
    expect(error).toMatchObject({ code: 'quota-exceeded', message: expect.stringContaining('nothing of config.json could be kept') });
    await otherIntact();
  });
});

describe('a full disk and a load from the cache', () => {
  it('a load that needs no new bytes still works when nothing can be written', async () => {
    const store = memoryStore();
    const repo = newRepo();
    await hubWith(store).load(request(repo));
    await store.delMany([['model', repo, server.commitOf(repo)]]); // as an older version left it: no model record
    server.resetLog();
    const full: KeyValueStore = { ...store, setMany: async () => { throw new DOMException('Failed to write blobs (IOError)', 'DataError'); } };
    const files = await hubWith(full).load(request(repo));
    expectBytes(files.bytes('model.safetensors'), weights);
    expect(server.requests()).toEqual([]);
  });
});

describe('a closed tab keeps what arrived', () => {
  it('the growing chunk is stored every flush interval, not only at chunk ends or on a network error', async () => {
    const store = memoryStore();
    const repo = newRepo();
    server.fault({ kind: 'slow', repo, file: 'model.safetensors', minBytes: 100_000, bytesPerTick: 16 * 1024, tickMs: 20 });
    const controller = new AbortController();
    // One chunk bigger than the file: before, nothing was stored until the end or an error.
    const hub = hubWith(store, { chunkSize: 16 * 2 ** 20, flushIntervalMs: 100 });
    const loading = hub.load(request(repo, { signal: controller.signal })).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 800));
    // What a closed tab leaves: the store as it is now, with no cleanup run.
    const closed = memoryStore();
    await closed.setMany([...store.entries.values()].map(([key, value]) => [key, value]));
    controller.abort();
    await loading;

    const partial = (await hubWith(closed).listCached()).find((m) => m.repo === repo);
    expect(partial?.partialBytes).toBeGreaterThan(100_000);
    server.resetLog();
    expectBytes((await hubWith(closed).load(request(repo))).bytes('model.safetensors'), weights);
    expect(server.requests('model.safetensors').at(-1)!.range).toBe(`bytes=${partial!.partialBytes}-`);
  });
});

describe('two tabs', () => {
  it('loading one model at once: one downloads, the other waits and reads the cache', async () => {
    const store = memoryStore();
    const locks = memoryLocks();
    const repo = newRepo();
    const [a, b] = await Promise.all([hubWith(store, { locks }).load(request(repo)), hubWith(store, { locks }).load(request(repo))]);
    expectBytes(a.bytes('model.safetensors'), weights);
    expectBytes(b.bytes('model.safetensors'), weights);
    expect(server.bytesServed('model.safetensors', repo)).toBe(weights.byteLength); // downloaded once
    expect(locks.requested).toEqual([`iris-weights:${repo}`, `iris-weights:${repo}`]);
  });

  it('a delete in one tab waits for the load in the other, which then cannot write its files back', async () => {
    const { store, otherIntact } = await storeWithOtherModel();
    const locks = memoryLocks();
    const repo = newRepo();
    server.fault({ kind: 'slow', repo, file: 'model.safetensors', minBytes: 100_000, bytesPerTick: 64 * 1024, tickMs: 10 });
    const loading = hubWith(store, { locks }).load(request(repo));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await hubWith(store, { locks }).deleteCached(repo);
    await loading;
    expect(keysOf(store, repo)).toEqual([]);
    await otherIntact();
  });
});
