/**
 * Iris on the page: a small typed API over the worker that owns the GPU.
 *
 *   const iris = await createIris({ onProgress: (e) => console.log(e.phase, e.bytesDone) });
 *   const { labels } = await iris.classify(img, ['cat', 'dog', 'car']);
 *   const { text } = await iris.caption(img, { numBeams: 3, onToken: (t) => (el.textContent = t) });
 *
 * Images are transferred to the worker (ImageBitmap, ArrayBuffer), never copied twice; every call takes an
 * AbortSignal; failures are IrisErrors with a `code` and a message that says what to do.
 */
import * as Comlink from 'comlink';
import { IrisError, isIrisError, type IrisErrorCode } from './errors';
import { imageBitmapFromElement, type ImageInput } from './image/decode';
import { attentionHeatMap } from './tasks/heat-map';
import type { CachedModel } from './weights';
import {
  deserializeError, type AdapterInfo, type CaptionEvalItem, type CaptionMetricOptions, type CaptionMetrics, type CaptionResult,
  type CaptionToken, type ClassificationMetrics, type ClassifyResult, type HeatMap, type ImageRegion, type IrisOptions,
  type IrisProgress, type ScoreMatrix, type WorkerApi, type WorkerAskOptions, type AnswerResult, type WorkerCaptionOptions, type WorkerClassifyOptions, type WorkerStats,
} from './worker/protocol';
import { MODELS, DEFAULT_MODELS, type ModelEntry, type Task } from './worker/registry';
import { openIndex, type IrisIndex, type IndexAddCallOptions, type IndexSearchCallOptions } from './retrieval/page';
import type {
  IndexAddProgress, IndexAddResult, IndexHit, IndexInfo, IndexItem, IndexOpenOptions, RankedText, SkippedFile, SkipReason, VectorPrecision,
} from './retrieval/types';
import { startWorker } from './worker/start';

export { IrisError, isIrisError, MODELS, DEFAULT_MODELS, attentionHeatMap };
export type {
  IrisErrorCode, AdapterInfo, AnswerResult, WorkerAskOptions, CaptionResult, ClassifyResult, IrisOptions, IrisProgress, ModelEntry, CachedModel, Task,
  HeatMap, ImageRegion, CaptionToken, CaptionEvalItem, CaptionMetricOptions, CaptionMetrics, ClassificationMetrics, ScoreMatrix,
};
/** @deprecated Renamed IrisProgress (this name shadowed the DOM's ProgressEvent). */
export type ProgressEvent = IrisProgress;
export type {
  IrisIndex, IndexAddCallOptions, IndexSearchCallOptions, IndexAddProgress, IndexAddResult, IndexHit, IndexInfo, IndexItem,
  IndexOpenOptions, RankedText, SkippedFile, SkipReason, VectorPrecision,
};

/** Anything a page has that holds an image. */
export type ImageSource = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | ImageData | Blob | ArrayBuffer | string;

export interface CreateIrisOptions extends IrisOptions {
  /** Progress of every model load (download bytes, upload, shader compilation). */
  onProgress?: (event: IrisProgress) => void;
  /** Use an existing worker (tests, custom bundling); by default Iris starts its own. */
  worker?: Worker;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (event: IrisProgress) => void;
}

export interface Iris {
  classify(image: ImageSource, labels: string[], options?: WorkerClassifyOptions & RequestOptions): Promise<ClassifyResult>;
  caption(image: ImageSource, options?: WorkerCaptionOptions & RequestOptions & { onToken?: (text: string) => void }): Promise<CaptionResult>;
  /**
   * Visual question answering: the answer to `question` about the image, streamed through `onToken` (the
   * answer so far after every step) like captions. An empty question, or one longer than the model reads,
   * is a 'bad-input'; so is a captioning model (use a VQA one, e.g. microsoft/git-base-vqav2).
   */
  ask(image: ImageSource, question: string, options?: WorkerAskOptions & RequestOptions & { onToken?: (text: string) => void }): Promise<AnswerResult>;
  embedImage(image: ImageSource, options?: { model?: string } & RequestOptions): Promise<Float32Array>;
  embedText(texts: string[], options?: { model?: string } & RequestOptions): Promise<Float32Array>;
  /**
   * COCO caption metrics of finished predictions (eval's scoreCaptions: PTB tokenization, BLEU-1..4,
   * ROUGE-L, CIDEr-D; corpus and per image), computed in the worker. Runs after the requests before it.
   */
  evaluateCaptions(items: readonly CaptionEvalItem[], options?: CaptionMetricOptions & { signal?: AbortSignal }): Promise<CaptionMetrics>;
  /**
   * Zero-shot accuracy (eval's classificationMetrics: top-1, top-5, mean per-class) of a score matrix
   * [images, classes] and each image's true class index, computed in the worker.
   */
  evaluateZeroShot(scores: ScoreMatrix, labels: readonly number[], options?: { signal?: AbortSignal }): Promise<ClassificationMetrics>;
  /** Downloads (or reads from the cache), uploads and compiles a model ahead of the first request. */
  load(model: string, task: Task, options?: RequestOptions): Promise<void>;
  adapter(): Promise<AdapterInfo>;
  /**
   * A persistent, named index of image embeddings (IndexedDB), searched on the GPU: "search your own photos".
   * Refused ('bad-input') when it holds vectors of another model than `options.model`.
   */
  index(name: string, options?: IndexOpenOptions): Promise<IrisIndex>;
  /** Every stored index, and deleting one. */
  indexes: {
    list(): Promise<IndexInfo[]>;
    delete(name: string): Promise<void>;
  };
  /** Image → texts: `texts` ranked by cosine similarity with the image, best first (topK: default all). */
  rankTexts(image: ImageSource, texts: string[], options?: { model?: string; topK?: number } & RequestOptions): Promise<RankedText[]>;
  cache: {
    list(): Promise<CachedModel[]>;
    delete(repo: string, revision?: string): Promise<void>;
    clear(): Promise<void>;
  };
  /** Test and diagnostics hooks. */
  debug: {
    loseDevice(): Promise<void>;
    stats(): Promise<WorkerStats>;
  };
  dispose(): void;
}

let nextRequestId = 1;

export async function createIris(options: CreateIrisOptions = {}): Promise<Iris> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator)) {
    throw new IrisError('webgpu-unavailable', 'WebGPU is not available in this browser (navigator.gpu is missing).', {
      hint: 'Use a recent Chrome or Edge (113+), Safari 26+, or Firefox 141+ on Windows, served over https or localhost.',
    });
  }
  const worker = options.worker ?? startWorker();
  const remote = Comlink.wrap<WorkerApi>(worker);
  const { onProgress: defaultProgress, worker: _ignored, ...workerOptions } = options;
  void _ignored;
  // Ask once that the cached weights survive storage pressure (persist() exists on pages, not in workers).
  void navigator.storage?.persist?.().catch(() => false);
  await remote.configure({ localBaseUrl: `${location.origin}/hub`, ...workerOptions });
  const adapter = await call(remote.adapter());

  /** Runs one request: wires its AbortSignal to the worker's cancel() and rebuilds IrisErrors. */
  async function request<T>(signal: AbortSignal | undefined, start: (id: number) => Promise<T>): Promise<T> {
    const id = nextRequestId++;
    if (signal?.aborted) throw new IrisError('aborted', 'The request was cancelled before it started.', { cause: signal.reason });
    const onAbort = () => void remote.cancel(id);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await call(start(id));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  const progress = (o?: RequestOptions) => {
    const fn = o?.onProgress ?? defaultProgress;
    return fn ? Comlink.proxy(fn) : undefined;
  };

  return {
    async classify(image, labels, o = {}) {
      const { signal, onProgress: _p, ...rest } = o;
      const input = await transferable(image);
      return request(signal, (id) => remote.classify(id, input.value, labels, rest, progress(o)));
    },
    async caption(image, o = {}) {
      const { signal, onProgress: _p, onToken, ...rest } = o;
      const input = await transferable(image);
      return request(signal, (id) => remote.caption(id, input.value, rest, onToken && Comlink.proxy(onToken), progress(o)));
    },
    async ask(image, question, o = {}) {
      const { signal, onProgress: _p, onToken, ...rest } = o;
      const input = await transferable(image);
      return request(signal, (id) => remote.ask(id, input.value, question, rest, onToken && Comlink.proxy(onToken), progress(o)));
    },
    async embedImage(image, o = {}) {
      const input = await transferable(image);
      return request(o.signal, (id) => remote.embedImage(id, input.value, { model: o.model }, progress(o)));
    },
    embedText(texts, o = {}) {
      return request(o.signal, (id) => remote.embedText(id, texts, { model: o.model }, progress(o)));
    },
    evaluateCaptions(items, o = {}) {
      const { signal, ...rest } = o;
      return request(signal, (id) => remote.scoreCaptions(id, items.map((i) => ({ imageId: i.imageId, references: [...i.references], candidate: i.candidate })), rest));
    },
    evaluateZeroShot(scores, labels, o = {}) {
      return request(o.signal, (id) => remote.classificationMetrics(id, scores, [...labels]));
    },
    load(model, task, o = {}) {
      return request(o.signal, (id) => remote.loadModel(id, model, task, progress(o)));
    },
    index: (name, o) => openIndex({ remote, request, call, transferable, defaultModelProgress: defaultProgress }, name, o),
    indexes: {
      list: () => call(remote.indexList()),
      delete: (name) => call(remote.indexDelete(name)),
    },
    async rankTexts(image, texts, o = {}) {
      const input = await transferable(image);
      return request(o.signal, (id) => remote.rankTexts(id, input.value, texts, { model: o.model, topK: o.topK }, progress(o)));
    },
    adapter: async () => adapter,
    cache: {
      list: () => call(remote.cacheList()),
      delete: (repo, revision) => call(remote.cacheDelete(repo, revision)),
      clear: () => call(remote.cacheClear()),
    },
    debug: {
      loseDevice: () => call(remote.loseDevice()),
      stats: () => call(remote.stats()),
    },
    dispose() {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

async function call<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw deserializeError(error);
  }
}

/**
 * The image in a form that moves to the worker without a second copy: elements become an ImageBitmap,
 * which is transferred; a caller's own ImageBitmap is cloned first so theirs stays usable; ImageData and
 * ArrayBuffers are transferred (after a copy, for the same reason); Blobs and URLs are cheap to clone.
 */
async function transferable(image: ImageSource): Promise<{ value: ImageInput }> {
  if (typeof image === 'string') return { value: new URL(image, location.href).href };
  if (image instanceof Blob) return { value: image };
  if (image instanceof ImageBitmap) {
    const copy = await createImageBitmap(image);
    return { value: Comlink.transfer(copy, [copy]) };
  }
  if (image instanceof ImageData) {
    const data = new Uint8Array(image.data);
    return { value: Comlink.transfer({ width: image.width, height: image.height, data }, [data.buffer]) };
  }
  if (image instanceof ArrayBuffer) {
    const copy = image.slice(0);
    return { value: Comlink.transfer(copy, [copy]) };
  }
  const bitmap = await imageBitmapFromElement(image);
  return { value: Comlink.transfer(bitmap, [bitmap]) };
}
