/**
 * The Iris worker: owns the one GPU device of the page, loads each model once, and runs requests one at a
 * time in arrival order. A cancelled or failed request leaves it usable; a lost device is re-created on the
 * next request and the models re-uploaded from the IndexedDB cache (no network).
 */
import * as Comlink from 'comlink';
import { IrisError, isIrisError, throwIfAborted } from '../errors';
import { GpuRuntime, type Gpu } from '../gpu/gpu';
import { classificationMetrics, scoreCaptions, type CaptionEvalItem, type CaptionMetricOptions, type ScoreMatrix } from '../eval';
import { decodeImage, type ImageInput } from '../image/decode';
import { modelInputRegion } from '../image/preprocess';
import { Hub } from '../weights';
import { loadCheckpoint, runnerFor, type LoadedModel } from './load';
import {
  serializeError, type AdapterInfo, type CaptionMetrics, type CaptionResult, type ClassificationMetrics, type ClassifyResult, type IrisOptions, type IrisProgress,
  type WorkerApi, type WorkerAskOptions, type AnswerResult, type WorkerCaptionOptions, type WorkerClassifyOptions, type WorkerStats,
} from './protocol';
import { DEFAULT_MODELS, resolveModel } from './registry';
import type { Task, TaskRunners } from '../tasks/task';
import { RetrievalService } from '../retrieval/service';
import { checkCaptionArguments, checkClassifyArguments, checkTexts } from '../tasks/arguments';
import { checkQuestion } from '../tasks/vqa';
import type { IndexAddOptions, IndexAddProgress, IndexItem, IndexOpenOptions, IndexQuery, IndexSearchOptions } from '../retrieval/types';

type Progress = ((e: IrisProgress) => void) | undefined;

class IrisWorker implements WorkerApi {
  private options: IrisOptions = {};
  private runtime = new GpuRuntime();
  private hub: Hub | null = null;
  private localHub: Hub | null = null;
  /** Loaded models of the current device generation. */
  private models = new Map<string, Promise<LoadedModel>>();
  private modelsGeneration = 0;
  private loads: Record<string, number> = {};
  private controllers = new Map<number, AbortController>();
  private queue: Promise<unknown> = Promise.resolve();
  private retrieval = new RetrievalService({
    classifier: (model, signal, onProgress) => this.load(model, 'zero-shot', signal, onProgress),
    gpu: () => this.gpu(),
    exclusive: (work) => this.exclusive(work),
    defaultModel: DEFAULT_MODELS['zero-shot'],
  });

  async configure(options: IrisOptions): Promise<void> {
    this.options = options;
    this.hub = null;
    this.localHub = null;
  }

  async adapter(): Promise<AdapterInfo> {
    const gpu = await this.runtime.get();
    return { ...gpu.adapter, f16: gpu.features.f16 };
  }

  classify(id: number, image: ImageInput, labels: string[], options: WorkerClassifyOptions, onProgress?: Progress): Promise<ClassifyResult> {
    return this.run(id, async (signal) => {
      checkClassifyArguments(labels, options); // before the model loads: a wrong call never downloads
      const start = performance.now();
      const model = options.model ?? DEFAULT_MODELS['zero-shot'];
      const pixels = await decodeImage(image, { signal }); // a bad image is refused before any download too
      const classifier = await this.load(model, 'zero-shot', signal, onProgress);
      throwIfAborted(signal, 'Classification');
      if (options.attentionMap) {
        const { ranked, attention } = await classifier.classifyWithAttention([pixels], labels, options);
        const attentionRegion = modelInputRegion(pixels.width, pixels.height, classifier.preprocessConfig);
        return { model, labels: ranked[0]!, attention: attention[0]!.heatMap, attentionRegion, ms: performance.now() - start };
      }
      const [ranked] = await classifier.classify([pixels], labels, options);
      return { model, labels: ranked!, ms: performance.now() - start };
    });
  }

  caption(id: number, image: ImageInput, options: WorkerCaptionOptions, onToken?: (text: string) => void, onProgress?: Progress): Promise<CaptionResult> {
    return this.run(id, async (signal) => {
      checkCaptionArguments(options);
      const start = performance.now();
      const model = options.model ?? DEFAULT_MODELS.caption;
      const pixels = await decodeImage(image, { signal });
      const captioner = await this.load(model, 'caption', signal, onProgress);
      const result = await captioner.caption(pixels, { ...options, model, signal, onToken });
      const ms = performance.now() - start;
      return {
        model, text: result.text, ids: result.ids, ms, tokensPerSecond: result.tokens / (result.totalMs / 1000),
        tokenAttentions: result.tokenAttentions, imageRollout: result.imageRollout, captionTokens: result.captionTokens,
        attentionRegion: options.attentionMaps ? modelInputRegion(pixels.width, pixels.height, captioner.preprocessConfig) : undefined,
      };
    });
  }

  ask(id: number, image: ImageInput, question: string, options: WorkerAskOptions, onToken?: (text: string) => void, onProgress?: Progress): Promise<AnswerResult> {
    return this.run(id, async (signal) => {
      checkQuestion(question); // before any download, like the decoding options
      checkCaptionArguments(options);
      const start = performance.now();
      const model = options.model ?? DEFAULT_MODELS.vqa;
      const pixels = await decodeImage(image, { signal });
      const answerer = await this.load(model, 'vqa', signal, onProgress);
      answerer.questionIds(question); // too long for the model: refused before any GPU work
      const asked = performance.now();
      const result = await answerer.ask(pixels, question, { ...options, signal, onToken });
      const tokens = answerer.answerTokens(result.answerIds);
      return {
        model, question, answer: result.text, tokens,
        timings: { firstTokenMs: asked - start + result.firstTokenMs, totalMs: performance.now() - start, tokensPerSecond: result.tokens / (result.totalMs / 1000) },
        tokenAttentions: result.tokenAttentions, imageRollout: result.imageRollout,
        attentionRegion: options.attentionMaps ? modelInputRegion(pixels.width, pixels.height, answerer.preprocessConfig) : undefined,
      };
    });
  }

  embedImage(id: number, image: ImageInput, options: { model?: string }, onProgress?: Progress): Promise<Float32Array> {
    return this.run(id, async (signal) => {
      const pixels = await decodeImage(image, { signal });
      const classifier = await this.load(options.model ?? DEFAULT_MODELS['zero-shot'], 'zero-shot', signal, onProgress);
      const embedding = await classifier.embedImages([pixels]);
      return Comlink.transfer(embedding, [embedding.buffer]);
    });
  }

  embedText(id: number, texts: string[], options: { model?: string }, onProgress?: Progress): Promise<Float32Array> {
    return this.run(id, async (signal) => {
      checkTexts(texts);
      const classifier = await this.load(options.model ?? DEFAULT_MODELS['zero-shot'], 'zero-shot', signal, onProgress);
      const embeddings = await classifier.embedTexts(texts);
      return Comlink.transfer(embeddings, [embeddings.buffer]);
    });
  }

  loadModel(id: number, model: string, task: Task, onProgress?: Progress): Promise<void> {
    return this.run(id, async (signal) => {
      await this.load(model, task, signal, onProgress);
    });
  }

  // Metrics need no GPU, but they run in the queue like everything else: after the captions or
  // classifications they score, and cancellable until they start.
  scoreCaptions(id: number, items: CaptionEvalItem[], options: CaptionMetricOptions): Promise<CaptionMetrics> {
    return this.run(id, async () => scoreCaptions(items, options));
  }

  classificationMetrics(id: number, scores: ScoreMatrix, labels: number[]): Promise<ClassificationMetrics> {
    return this.run(id, async () => classificationMetrics(scores, labels));
  }

  async cancel(id: number): Promise<void> {
    this.controllers.get(id)?.abort(new IrisError('aborted', 'The request was cancelled.'));
  }

  async cacheList() {
    return this.hubFor(false).listCached();
  }

  async cacheDelete(repo: string, revision?: string): Promise<void> {
    await this.unload((key) => key.startsWith(`${repo}|`));
    await this.hubFor(false).deleteCached(repo, revision);
  }

  async cacheClear(): Promise<void> {
    await this.unload(() => true);
    await this.hubFor(false).clearCache();
  }

  /** Drops loaded models and frees their GPU memory (runs in the queue: no request is using them). */
  private unload(which: (key: string) => boolean): Promise<void> {
    return this.plain(() =>
      this.exclusive(async () => {
        for (const [key, pending] of this.models) {
          if (!which(key)) continue;
          this.models.delete(key);
          (await pending.catch(() => null))?.release();
        }
        // The activation buffers the pool kept for the unloaded models' shapes go too.
        this.runtime.active?.pool.trim();
      }),
    );
  }

  async loseDevice(): Promise<void> {
    const gpu = await this.runtime.get();
    gpu.device.destroy();
    await gpu.device.lost;
  }

  async stats(): Promise<WorkerStats> {
    const gpu = this.runtime.active;
    const activations = gpu?.pool.bytesAllocated ?? 0;
    return { loads: { ...this.loads }, deviceGeneration: this.runtime.generation, gpuBytes: { weights: (gpu?.bytesAllocated ?? 0) - activations, activations } };
  }

  indexOpen(name: string, options: IndexOpenOptions) {
    return this.plain(() => this.retrieval.open(name, options));
  }

  indexAdd(id: number, name: string, items: Array<File | IndexItem>, options: IndexAddOptions, onProgress?: (p: IndexAddProgress) => void, onModelProgress?: Progress) {
    return this.track(id, (signal) => this.retrieval.add(name, items, options, signal, onProgress, onModelProgress));
  }

  indexSearch(id: number, name: string, query: IndexQuery, options: IndexSearchOptions, onModelProgress?: Progress) {
    return this.run(id, (signal) => this.retrieval.search(name, query, options, signal, onModelProgress));
  }

  indexInfo(name: string) {
    return this.plain(() => this.retrieval.info(name));
  }

  indexKeys(name: string) {
    return this.plain(() => this.retrieval.keys(name));
  }

  indexRemove(name: string, keys: string[]) {
    return this.plain(() => this.retrieval.remove(name, keys));
  }

  indexClear(name: string) {
    return this.plain(() => this.retrieval.clear(name));
  }

  indexExport(name: string) {
    return this.plain(() => this.retrieval.export(name));
  }

  indexImport(name: string, file: Blob, options: { replace?: boolean }) {
    return this.plain(() => this.retrieval.import(name, file, options));
  }

  indexList() {
    return this.plain(() => this.retrieval.list());
  }

  indexDelete(name: string) {
    return this.plain(() => this.retrieval.delete(name));
  }

  rankTexts(id: number, image: ImageInput, texts: string[], options: { model?: string; topK?: number }, onProgress?: Progress) {
    return this.run(id, (signal) => this.retrieval.rankTexts(image, texts, options, signal, onProgress));
  }

  /** GPU work of a request that is not queued as a whole (indexAdd): it takes its turn with the others. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** A cancellable request outside the queue; errors cross the boundary like run()'s. */
  private track<T>(id: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.guarded(id, this.register(id), work);
  }

  /** The AbortController cancel(id) reaches, from the request's arrival on. */
  private register(id: number): AbortController {
    const controller = new AbortController();
    this.controllers.set(id, controller);
    return controller;
  }

  /** Runs `work` unless already cancelled; errors (a cancellation's reason first) become serialized IrisErrors. */
  private async guarded<T>(id: number, controller: AbortController, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      throwIfAborted(controller.signal, 'The request');
      return await work(controller.signal);
    } catch (error) {
      if (controller.signal.aborted && !(error instanceof IrisError)) throw serializeError(controller.signal.reason);
      throw serializeError(await this.deviceLossOf(error));
    } finally {
      this.controllers.delete(id);
    }
  }

  /**
   * A GPU failure on a device that turns out to be lost is 'device-lost' (callers retry on it); the device
   * is marked lost before this returns, so the requests queued behind run on a new one.
   */
  private async deviceLossOf(error: unknown): Promise<unknown> {
    const gpu = this.runtime.active;
    const gpuFailure = !(error instanceof IrisError) || error.code === 'gpu-error' || error.code === 'device-lost';
    if (!gpu || !gpuFailure || !(await gpu.confirmLost())) return error;
    if (isIrisError(error, 'device-lost')) return error;
    return new IrisError('device-lost', `The GPU device was lost during the request (${gpu.lost!.reason || 'unknown'}: ${gpu.lost!.message}).`, {
      cause: error, hint: 'Send the request again: Iris re-creates the device and uploads the weights again from the cache.',
    });
  }

  /** A storage-only call: IrisErrors cross the boundary intact. */
  private async plain<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw serializeError(error);
    }
  }

  /**
   * Runs requests strictly one after another. The AbortController exists from arrival, so a request
   * cancelled while queued never starts; errors cross the boundary as serialized IrisErrors.
   */
  private run<T>(id: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = this.register(id);
    let started = false;
    const result = this.exclusive(() => {
      started = true;
      return this.guarded(id, controller, work);
    });
    // Cancelled while still queued: rejected at once; when its turn comes, guarded() returns straight away.
    const cancelledInQueue = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => {
        if (!started) reject(serializeError(controller.signal.reason));
      }, { once: true });
    });
    return Promise.race([result, cancelledInQueue]);
  }


  private async gpu(): Promise<Gpu> {
    const gpu = await this.runtime.get();
    if (this.modelsGeneration !== this.runtime.generation) {
      // A new device: every model must be uploaded to it again (from the cache; no network).
      this.models.clear();
      this.modelsGeneration = this.runtime.generation;
    }
    return gpu;
  }

  /** The runner of `task` over `model`, loaded once per device generation (config.json picks the family). */
  private async load<T extends Task>(model: string, task: T, signal: AbortSignal, onProgress: Progress): Promise<TaskRunners[T]> {
    const gpu = await this.gpu();
    const entry = resolveModel(model, task);
    const key = `${entry.repo}|${entry.revision}`;
    let pending = this.models.get(key);
    if (!pending) {
      this.loads[entry.id] = (this.loads[entry.id] ?? 0) + 1;
      pending = loadCheckpoint(entry, this.hubFor(entry.local ?? false), gpu, {
        signal,
        task,
        matmulPrecision: this.options.precision,
        onPhase: (p) =>
          onProgress?.(
            p.phase === 'download'
              ? { model, phase: 'download', file: p.progress.file, bytesDone: p.progress.bytesDone, bytesTotal: p.progress.bytesTotal }
              : p.phase === 'compile'
                ? { model, phase: 'compile', pipelines: p.pipelines }
                : p.phase === 'notice'
                  ? { model, phase: 'notice', message: p.message }
                  : { model, phase: p.phase },
          ),
      });
      this.models.set(key, pending);
      pending.catch(() => this.models.delete(key)); // a failed or cancelled load is retried next time
    }
    const runner = runnerFor(await pending, task, model);
    onProgress?.({ model, phase: 'ready' });
    return runner;
  }

  private hubFor(local: boolean): Hub {
    if (local) {
      this.localHub ??= new Hub({ baseUrl: this.options.localBaseUrl ?? `${self.location.origin}/hub` });
      return this.localHub;
    }
    this.hub ??= new Hub({ baseUrl: this.options.baseUrl });
    return this.hub;
  }
}

Comlink.expose(new IrisWorker());
