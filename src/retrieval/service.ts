/**
 * The worker side of retrieval: open indexes by name (one ImageIndex per name per worker), and the
 * requests of the page API — add, search, rank texts for an image — over the worker's models and device.
 */
import { IrisError, throwIfAborted } from '../errors';
import type { Gpu } from '../gpu/gpu';
import { decodeImage, type ImageInput } from '../image/decode';
import type { ZeroShotClassifier } from '../tasks/zero-shot';
import type { IrisProgress } from '../worker/protocol';
import { resolveModel } from '../worker/registry';
import { clipEmbedder, type Embedder } from './embedder';
import { rankCandidates } from './gpu-matrix';
import { ImageIndex, type IndexMeta } from './image-index';
import { indexedDbVectorStore, type VectorStore } from './store';
import type {
  IndexAddOptions, IndexAddProgress, IndexAddResult, IndexInfo, IndexItem, IndexOpenOptions, IndexQuery, IndexSearchOptions,
  IndexSearchResult, RankedText,
} from './types';

type ModelProgress = ((event: IrisProgress) => void) | undefined;

export interface RetrievalHost {
  /** The zero-shot (CLIP) model `model`, loaded on the current device. */
  classifier(model: string, signal: AbortSignal, onProgress: ModelProgress): Promise<ZeroShotClassifier>;
  /** The current device (re-created after a loss). */
  gpu(): Promise<Gpu>;
  /** Runs GPU work in turn with the worker's other requests. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  defaultModel: string;
}

export const DEFAULT_TOP_K = 20;

export class RetrievalService {
  private readonly indexes = new Map<string, Promise<ImageIndex>>();
  private storeInstance: VectorStore | null;

  constructor(
    private readonly host: RetrievalHost,
    store?: VectorStore,
  ) {
    this.storeInstance = store ?? null;
  }

  private get store(): VectorStore {
    this.storeInstance ??= indexedDbVectorStore();
    return this.storeInstance;
  }

  async open(name: string, options: IndexOpenOptions = {}): Promise<IndexInfo> {
    if (options.model !== undefined) resolveModel(options.model, 'zero-shot'); // an unknown id fails here, not at the first add
    const cached = this.indexes.get(name);
    if (cached) {
      const index = await cached;
      index.useModel(options.model, options.precision);
      return index.info();
    }
    const opening = ImageIndex.open(this.store, name, { ...options, defaultModel: this.host.defaultModel });
    this.indexes.set(name, opening);
    opening.catch(() => this.indexes.delete(name));
    return (await opening).info();
  }

  private index(name: string): Promise<ImageIndex> {
    let index = this.indexes.get(name);
    if (!index) {
      index = ImageIndex.open(this.store, name, { defaultModel: this.host.defaultModel });
      this.indexes.set(name, index);
      index.catch(() => this.indexes.delete(name));
    }
    return index;
  }

  /** Not exclusive as a whole: model loading and each batch's forward pass take turns with other requests. */
  async add(name: string, items: Array<File | IndexItem>, options: IndexAddOptions, signal: AbortSignal, onProgress?: (p: IndexAddProgress) => void, onModelProgress?: ModelProgress): Promise<IndexAddResult> {
    if (!Array.isArray(items)) throw new IrisError('bad-input', 'add() takes a list of Files or { key, image } items.');
    const index = await this.index(name);
    const model = index.model;
    const embedder = async (): Promise<Embedder> => {
      const first = await this.host.exclusive(() => this.host.classifier(model, signal, onModelProgress));
      const base = clipEmbedder(first);
      return {
        ...base,
        // The model is looked up again per batch: after a device loss it is re-uploaded to the new device.
        embedPixels: async (pixels, count) => clipEmbedder(await this.host.classifier(model, signal, undefined)).embedPixels(pixels, count),
      };
    };
    return index.add(items, { embedder, exclusive: (work) => this.host.exclusive(work) }, { ...options, signal, onProgress });
  }

  /** Runs inside the worker's queue (it embeds the query and searches on the GPU). */
  async search(name: string, query: IndexQuery, options: IndexSearchOptions, signal: AbortSignal, onModelProgress?: ModelProgress): Promise<IndexSearchResult> {
    const start = performance.now();
    const index = await this.index(name);
    const topK = options.topK ?? DEFAULT_TOP_K;
    if (!Number.isInteger(topK) || topK < 1) throw new IrisError('bad-input', `topK must be a positive integer, got ${topK}.`);
    await index.sync();
    if (index.size === 0) return { hits: [], size: 0, ms: performance.now() - start, searchMs: 0 }; // no model load for nothing
    let vector: Float32Array;
    if (typeof query === 'object' && query !== null && 'key' in query && typeof query.key === 'string') {
      vector = index.vectorOf(query.key);
    } else if (typeof query === 'object' && query !== null && 'vector' in query && query.vector instanceof Float32Array) {
      vector = query.vector;
    } else {
      const image = typeof query === 'string' ? undefined : await decodeImage(query as ImageInput, { signal }); // before any download
      const classifier = await this.host.classifier(index.model, signal, onModelProgress);
      throwIfAborted(signal, 'The search');
      vector = image ? await classifier.embedImages([image]) : await classifier.embedTexts([query as string]);
    }
    throwIfAborted(signal, 'The search');
    const searchStart = performance.now();
    const [hits] = await index.search(await this.host.gpu(), vector, 1, topK);
    const end = performance.now();
    return { hits: hits ?? [], size: index.size, ms: end - start, searchMs: end - searchStart };
  }

  /** Image → texts: the texts ranked by similarity with the image, through the same GPU search. Runs inside the queue. */
  async rankTexts(image: ImageInput, texts: string[], options: { model?: string; topK?: number }, signal: AbortSignal, onModelProgress?: ModelProgress): Promise<RankedText[]> {
    if (!Array.isArray(texts) || texts.length === 0 || texts.some((t) => typeof t !== 'string')) {
      throw new IrisError('bad-input', 'rankTexts needs a non-empty list of texts.');
    }
    const topK = options.topK ?? texts.length;
    if (!Number.isInteger(topK) || topK < 1) throw new IrisError('bad-input', `topK must be a positive integer, got ${topK}.`);
    const pixels = await decodeImage(image, { signal }); // a bad image is refused before any download
    const classifier = await this.host.classifier(options.model ?? this.host.defaultModel, signal, onModelProgress);
    throwIfAborted(signal, 'Ranking texts');
    const imageVector = await classifier.embedImages([pixels]);
    const textVectors = await classifier.embedTexts(texts);
    throwIfAborted(signal, 'Ranking texts');
    const [hits] = await rankCandidates(await this.host.gpu(), imageVector, 1, textVectors, classifier.dim, topK);
    return Array.from(hits!.rows, (row, i) => ({ text: texts[row]!, index: row, score: hits!.scores[i]! }));
  }

  async keys(name: string): Promise<string[]> {
    return (await this.index(name)).keys();
  }

  async remove(name: string, keys: string[]): Promise<{ removed: number; info: IndexInfo }> {
    if (!Array.isArray(keys)) throw new IrisError('bad-input', 'remove() takes a list of keys.');
    const index = await this.index(name);
    const removed = await index.remove(keys);
    return { removed, info: index.info() };
  }

  async clear(name: string): Promise<IndexInfo> {
    const index = await this.index(name);
    await index.clear();
    return index.info();
  }

  async info(name: string): Promise<IndexInfo> {
    return (await this.index(name)).info();
  }

  async export(name: string): Promise<Blob> {
    return (await this.index(name)).export();
  }

  async import(name: string, file: Blob, options: { replace?: boolean }): Promise<IndexInfo> {
    if (!(file instanceof Blob)) throw new IrisError('bad-input', 'import() takes a Blob or File made by export().');
    const index = await this.index(name);
    await index.import(file, options);
    return index.info();
  }

  /** Every stored index (from storage: indexes of other tabs too). */
  async list(): Promise<IndexInfo[]> {
    const metas = (await this.store.list('meta')) as IndexMeta[];
    return metas.map((m) => ({
      name: m.name, model: m.model, dim: m.dim, precision: m.precision, size: m.count,
      vectorBytes: m.count * m.dim * (m.precision === 'f16' ? 2 : 4), version: m.version,
    }));
  }

  /** Deletes an index (refused or not: this is how an index of an unwanted model goes away). */
  async delete(name: string): Promise<void> {
    const cached = this.indexes.get(name);
    this.indexes.delete(name);
    const open = await cached?.catch(() => undefined);
    if (open) await open.drop();
    else await ImageIndex.deleteStored(this.store, name);
  }

  /** Frees every GPU copy (e.g. after a device loss the next search rebuilds them anyway). */
  dispose(): void {
    for (const index of this.indexes.values()) void index.then((i) => i.dispose(), () => undefined);
  }
}
