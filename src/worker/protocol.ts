/** What crosses the page ↔ worker boundary: options, results, progress events and errors as plain data. */
import { IrisError, type IrisErrorCode } from '../errors';
import type { CaptionEvalItem, CaptionMetricOptions, CaptionMetrics, ClassificationMetrics, ScoreMatrix } from '../eval';
import type { ImageInput } from '../image/decode';
import type { ImageRegion } from '../image/preprocess';
import type { CaptionToken } from '../tasks/caption';
import type { HeatMap } from '../tasks/heat-map';
import type { ClassifyOptions, LabelScore } from '../tasks/zero-shot';
import type { CaptionOptions } from '../tasks/generation-config';
import type { CachedModel } from '../weights';
import type { LoadPhase } from './load';
import type { Task } from '../tasks/task';
import type {
  IndexAddOptions, IndexAddProgress, IndexAddResult, IndexInfo, IndexItem, IndexOpenOptions, IndexQuery, IndexSearchOptions,
  IndexSearchResult, RankedText,
} from '../retrieval/types';

export type { CaptionEvalItem, CaptionMetricOptions, CaptionMetrics, CaptionToken, ClassificationMetrics, HeatMap, ImageRegion, LabelScore, ScoreMatrix };

export interface IrisOptions {
  /** Hub mirror or self-hosted copy; default https://huggingface.co. */
  baseUrl?: string;
  /** Where the tiny demo models are served (Hub URL layout); default `${location.origin}/hub`. */
  localBaseUrl?: string;
  /** Matmul weights on the GPU; 'auto' keeps f16 checkpoints f16 where the device has shader-f16. */
  precision?: 'auto' | 'f16' | 'f32';
}

/** Model loading progress (named so as not to shadow the DOM's ProgressEvent). */
export interface IrisProgress {
  model: string;
  /** download: bytes of the model's files; upload: weights to the GPU; compile: shader compilation. */
  phase: LoadPhase['phase'] | 'ready';
  bytesDone?: number;
  bytesTotal?: number;
  file?: string;
  pipelines?: number;
  /** notice: what happened, for a person (e.g. "… its weights were loaded from refs/pr/15, …"). */
  message?: string;
}

export interface WorkerClassifyOptions extends ClassifyOptions {
  model?: string;
  /** Also return where the vision tower looked: the class-token attention rollout as a heat map. */
  attentionMap?: boolean;
}

export interface WorkerCaptionOptions extends CaptionOptions {
  model?: string;
  /** Text the caption continues ("a picture of"; BLIP models): the caption starts with it. */
  prompt?: string;
  /** Per generated token, where it looked in the image (last layer, mean over heads; or `{ layer }`). */
  attentionMaps?: boolean | { layer?: number };
}

export interface WorkerAskOptions extends CaptionOptions {
  model?: string;
  /** Per answer token, where it looked in the image (last layer, mean over heads; or `{ layer }`). */
  attentionMaps?: boolean | { layer?: number };
}

export interface AnswerResult {
  model: string;
  question: string;
  /** The answer in words (special tokens dropped). */
  answer: string;
  /** The answer's tokens, as they read in the answer (the EOS, where produced, flagged special). */
  tokens: CaptionToken[];
  /** Milliseconds in the worker: until the first answer token was known (model load included), and in all. */
  timings: { firstTokenMs: number; totalMs: number; tokensPerSecond: number };
  /** With `attentionMaps`: per answer token (row of `tokens`), its attention to the image patches. */
  tokenAttentions?: number[][];
  /** With `attentionMaps`: the image encoder's class-token attention rollout over the patches. */
  imageRollout?: number[];
  /** With `attentionMaps`: where the patch grid lies on the image (the part of it the model saw). */
  attentionRegion?: ImageRegion;
}

export interface ClassifyResult {
  model: string;
  labels: LabelScore[];
  /** With `attentionMap`: row-major values in 0..1 over the model's input crop (top-left first). */
  attention?: HeatMap;
  /** With `attentionMap`: where the heat map's grid lies on the image (the part of it the model saw). */
  attentionRegion?: ImageRegion;
  /** Milliseconds of the whole request in the worker (image decode, preprocess, GPU). */
  ms: number;
}

export interface CaptionResult {
  model: string;
  text: string;
  ids: number[];
  /** With `attentionMaps`: per generated token, its attention to the image patches (mean over heads). */
  tokenAttentions?: number[][];
  /** With `attentionMaps`: the image encoder's class-token attention rollout over the patches. */
  imageRollout?: number[];
  /** With `attentionMaps`: the generated tokens' texts, one per row of `tokenAttentions` (special ones flagged). */
  captionTokens?: CaptionToken[];
  /** With `attentionMaps`: where the patch grid lies on the image (the part of it the model saw). */
  attentionRegion?: ImageRegion;
  ms: number;
  tokensPerSecond: number;
}

export interface AdapterInfo {
  description: string;
  vendor: string;
  architecture: string;
  f16: boolean;
}

/** The worker's API (comlink). Callbacks arrive as comlink proxies; `requestId` ties a call to cancel(). */
export interface WorkerApi {
  configure(options: IrisOptions): Promise<void>;
  adapter(): Promise<AdapterInfo>;
  classify(requestId: number, image: ImageInput, labels: string[], options: WorkerClassifyOptions, onProgress?: (e: IrisProgress) => void): Promise<ClassifyResult>;
  caption(requestId: number, image: ImageInput, options: WorkerCaptionOptions, onToken?: (text: string) => void, onProgress?: (e: IrisProgress) => void): Promise<CaptionResult>;
  ask(requestId: number, image: ImageInput, question: string, options: WorkerAskOptions, onToken?: (text: string) => void, onProgress?: (e: IrisProgress) => void): Promise<AnswerResult>;
  embedImage(requestId: number, image: ImageInput, options: { model?: string }, onProgress?: (e: IrisProgress) => void): Promise<Float32Array>;
  embedText(requestId: number, texts: string[], options: { model?: string }, onProgress?: (e: IrisProgress) => void): Promise<Float32Array>;
  /** Downloads (or reads from the cache), uploads and compiles a model ahead of the first request. */
  loadModel(requestId: number, model: string, task: Task, onProgress?: (e: IrisProgress) => void): Promise<void>;
  /** eval's scoreCaptions (PTB tokenization, BLEU, ROUGE-L, CIDEr-D), off the page's main thread. */
  scoreCaptions(requestId: number, items: CaptionEvalItem[], options: CaptionMetricOptions): Promise<CaptionMetrics>;
  /** eval's classificationMetrics (top-1, top-5, mean per-class accuracy) of a score matrix. */
  classificationMetrics(requestId: number, scores: ScoreMatrix, labels: number[]): Promise<ClassificationMetrics>;
  cancel(requestId: number): Promise<void>;
  cacheList(): Promise<CachedModel[]>;
  cacheDelete(repo: string, revision?: string): Promise<void>;
  cacheClear(): Promise<void>;
  /** Test hook: destroys the GPU device as a driver crash would; the next request re-creates it. */
  loseDevice(): Promise<void>;
  /** Models loaded so far, and how many times each was loaded (a page with two components loads each once). */
  stats(): Promise<WorkerStats>;

  // Retrieval (src/retrieval): persistent, named indexes of image embeddings in IndexedDB, searched on the GPU.
  indexOpen(name: string, options: IndexOpenOptions): Promise<IndexInfo>;
  /** Not queued as a whole: each batch's forward pass takes its turn with other requests. */
  indexAdd(requestId: number, name: string, items: Array<File | IndexItem>, options: IndexAddOptions, onProgress?: (p: IndexAddProgress) => void, onModelProgress?: (e: IrisProgress) => void): Promise<IndexAddResult>;
  indexSearch(requestId: number, name: string, query: IndexQuery, options: IndexSearchOptions, onModelProgress?: (e: IrisProgress) => void): Promise<IndexSearchResult>;
  indexInfo(name: string): Promise<IndexInfo>;
  indexKeys(name: string): Promise<string[]>;
  indexRemove(name: string, keys: string[]): Promise<{ removed: number; info: IndexInfo }>;
  indexClear(name: string): Promise<IndexInfo>;
  indexExport(name: string): Promise<Blob>;
  indexImport(name: string, file: Blob, options: { replace?: boolean }): Promise<IndexInfo>;
  indexList(): Promise<IndexInfo[]>;
  indexDelete(name: string): Promise<void>;
  /** Image → texts through the same GPU search: the texts ranked by cosine similarity with the image. */
  rankTexts(requestId: number, image: ImageInput, texts: string[], options: { model?: string; topK?: number }, onProgress?: (e: IrisProgress) => void): Promise<RankedText[]>;
}

/** Errors are thrown across the boundary as this plain object and rebuilt as IrisError on the page. */
export interface SerializedError {
  irisError: { code: IrisErrorCode; message: string; hint?: string };
}

/** What `iris.debug.stats()` reports. */
export interface WorkerStats {
  /** Model loads per model id (a lost device makes the next request load again). */
  loads: Record<string, number>;
  deviceGeneration: number;
  /** GPU memory Iris holds now: weights, and the activation buffers its pool keeps for reuse. */
  gpuBytes: { weights: number; activations: number };
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof IrisError) return { irisError: { code: error.code, message: error.message, hint: error.hint } };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { irisError: { code: 'gpu-error', message: `Unexpected error in the Iris worker: ${message}` } };
}

export function deserializeError(error: unknown): unknown {
  const data = (error as Partial<SerializedError> | null)?.irisError;
  return data ? IrisError.fromJSON(data) : error;
}
