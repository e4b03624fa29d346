/**
 * PAGE SIDE of retrieval: the handle `iris.index(name)` returns. Every call goes to the worker; `size` is
 * the count the worker reported last.
 */
import * as Comlink from 'comlink';
import type { ImageInput } from '../image/decode';
import { fileKey, fileVersion } from './items';
import type { IrisProgress, WorkerApi } from '../worker/protocol';
import type {
  IndexAddOptions, IndexAddProgress, IndexAddResult, IndexHit, IndexInfo, IndexItem, IndexOpenOptions, IndexQuery, IndexSearchOptions,
} from './types';

export interface IndexAddCallOptions extends IndexAddOptions {
  signal?: AbortSignal;
  /** After every committed batch (and at the end). */
  onProgress?: (progress: IndexAddProgress) => void;
  /** Download / upload / compile progress of the model, when it is not loaded yet. */
  onModelProgress?: (event: IrisProgress) => void;
}

export interface IndexSearchCallOptions extends IndexSearchOptions {
  signal?: AbortSignal;
  onModelProgress?: (event: IrisProgress) => void;
}

export interface IrisIndex {
  readonly name: string;
  /** The CLIP model whose embeddings the index holds (queries are embedded with it too). */
  readonly model: string;
  /** Images in the index, as the worker last reported it. */
  readonly size: number;
  /** Timing of the last search: the whole request, and the GPU scoring + top-K alone (ms). */
  readonly lastSearch: { ms: number; searchMs: number } | null;
  /**
   * Embeds and stores new or changed images, in committed batches: a cancelled call (signal) or a closed
   * tab keeps what was committed, and adding the same files again embeds only the rest. Files that are not
   * decodable images are skipped and reported (`skipped`, `skippedByReason`), never thrown.
   */
  add(files: Iterable<File | IndexItem> | ArrayLike<File | IndexItem>, options?: IndexAddCallOptions): Promise<IndexAddResult>;
  /**
   * The best matches, best first, by cosine similarity. A string is a text query (not a URL); an image
   * (anything createIris takes: Blob/File, ImageBitmap, ImageData, element, ...) finds similar images;
   * `{ key }` finds images like an indexed one; `{ vector }` searches with an embedding.
   */
  search(query: string | PageImageQuery | { key: string } | { vector: Float32Array }, options?: IndexSearchCallOptions): Promise<IndexHit[]>;
  /** Every key in the index (in storage order). */
  keys(): Promise<string[]>;
  /** Removes these keys; returns how many were in the index. */
  remove(keys: string[]): Promise<number>;
  clear(): Promise<void>;
  info(): Promise<IndexInfo>;
  /** The whole index as one file (see retrieval/format.ts), to back up or move to another browser. */
  export(): Promise<Blob>;
  /**
   * Adds the entries of an export (same keys replaced); `replace` makes the index exactly the file. A file of
   * another model is refused unless the index is empty (then it takes the file's model) or `replace` is set.
   */
  import(file: Blob, options?: { replace?: boolean }): Promise<IndexInfo>;
}

/** Page images, converted by createIris's `transferable`. */
export type PageImageQuery = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | ImageData | Blob | ArrayBuffer;

/** What the handle needs from createIris. */
export interface IndexContext {
  remote: Comlink.Remote<WorkerApi>;
  request<T>(signal: AbortSignal | undefined, start: (id: number) => Promise<T>): Promise<T>;
  call<T>(promise: Promise<T>): Promise<T>;
  transferable(image: PageImageQuery): Promise<{ value: ImageInput }>;
  defaultModelProgress?: (event: IrisProgress) => void;
}

export async function openIndex(context: IndexContext, name: string, options: IndexOpenOptions = {}): Promise<IrisIndex> {
  const { remote, request, call } = context;
  let info = await call(remote.indexOpen(name, options));
  let lastSearch: IrisIndex['lastSearch'] = null;
  const update = (next: IndexInfo) => (info = next);
  const modelProgress = (fn?: (event: IrisProgress) => void) => {
    const callback = fn ?? context.defaultModelProgress;
    return callback ? Comlink.proxy(callback) : undefined;
  };

  return {
    name,
    get model() {
      return info.model;
    },
    get size() {
      return info.size;
    },
    get lastSearch() {
      return lastSearch;
    },
    async add(files, o = {}) {
      const { signal, onProgress, onModelProgress, ...rest } = o;
      // Keys are taken here: a File's webkitRelativePath does not survive the copy to the worker.
      const items = Array.from(files as ArrayLike<File | IndexItem>, (item) =>
        item instanceof File ? { key: fileKey(item), image: item, version: fileVersion(item) } : item);
      try {
        const result = await request(signal, (id) =>
          remote.indexAdd(id, name, items, rest, onProgress && Comlink.proxy(onProgress), modelProgress(onModelProgress)));
        update({ ...info, size: result.size });
        return result;
      } finally {
        update(await call(remote.indexInfo(name)).catch(() => info)); // a cancelled run still committed batches
      }
    },
    async search(query, o = {}) {
      const { signal, onModelProgress, ...rest } = o;
      let value: IndexQuery;
      if (typeof query === 'string' || 'key' in query || 'vector' in query) value = query as IndexQuery;
      else value = (await context.transferable(query)).value as IndexQuery;
      const result = await request(signal, (id) => remote.indexSearch(id, name, value, rest, modelProgress(onModelProgress)));
      update({ ...info, size: result.size });
      lastSearch = { ms: result.ms, searchMs: result.searchMs };
      return result.hits;
    },
    keys: () => call(remote.indexKeys(name)),
    async remove(keys) {
      const result = await call(remote.indexRemove(name, keys));
      update(result.info);
      return result.removed;
    },
    async clear() {
      update(await call(remote.indexClear(name)));
    },
    async info() {
      return update(await call(remote.indexInfo(name)));
    },
    export: () => call(remote.indexExport(name)),
    async import(file, o = {}) {
      return update(await call(remote.indexImport(name, file, o)));
    },
  };
}
