/**
 * Captioning over one image, for every image-conditioned decoder (GIT, ViT-GPT2, …): one recording and one
 * submit per decoding step, the image encoded on the first step, and beam reorders of the KV cache applied
 * at the start of the next step's recording. A model provides the three parts of a `CaptionDecoder`.
 */
import type { Gpu } from '../gpu/gpu';
import type { ShaderSpec } from '../gpu/pipelines';
import { Recorder, SpecCollector } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import type { DecoderSession } from './generate';
import type { KvCache } from './kv-cache';

/** What a decoder keeps of the image between steps (image tokens, cross-attention keys/values). */
export interface ImageMemory {
  release(): void;
}

export interface CaptionDecoder<M extends ImageMemory = ImageMemory> {
  readonly gpuDevice: Gpu;
  readonly vocabSize: number;
  /** Records the image encoder over one preprocessed image [1, 3, S, S]: what every step reads of it. */
  imageMemory(rec: Recorder, pixels: Float32Array): M;
  /** A KV cache for `rows` rows (beams) and up to `maxTokens` decoder tokens. */
  createCache(rows: number, maxTokens: number): KvCache;
  /** Records one decoder step over `tokens` ([rows, T]) and returns the last position's logits [rows, V]. */
  decodeStep(rec: Recorder, cache: KvCache, memory: M, tokens: Int32Array): Tensor;
}

export class CaptionSession<M extends ImageMemory = ImageMemory> implements DecoderSession {
  private state: { memory: M; cache: KvCache } | null = null;
  private pendingReorder: number[] | null = null;

  constructor(
    private readonly decoder: CaptionDecoder<M>,
    private readonly pixels: Float32Array,
    private readonly maxTokens: number,
  ) {}

  get vocabSize(): number {
    return this.decoder.vocabSize;
  }

  async next(tokens: Int32Array, rows: number): Promise<Float32Array> {
    const rec = new Recorder(this.decoder.gpuDevice, 'caption.step');
    this.state ??= { memory: this.decoder.imageMemory(rec, this.pixels), cache: this.decoder.createCache(rows, this.maxTokens) };
    const { memory, cache } = this.state;
    if (this.pendingReorder) cache.reorder(rec, this.pendingReorder);
    this.pendingReorder = null;
    const logits = this.decoder.decodeStep(rec, cache, memory, tokens);
    const result = rec.read(logits);
    rec.releaseAfterSubmit(logits);
    await rec.submit();
    return (await result) as Float32Array;
  }

  reorder(sources: number[]): void {
    this.pendingReorder = sources;
  }

  dispose(): void {
    this.state?.cache.release();
    this.state?.memory.release();
    this.state = null;
  }
}

/**
 * Every pipeline a captioning request runs (the image encoder, the first step, one later step), listed by
 * recording them into a SpecCollector: no GPU work.
 */
export function captionKernelSpecs<M extends ImageMemory>(decoder: CaptionDecoder<M>, startToken: number): ShaderSpec[] {
  const rec = new SpecCollector(decoder.gpuDevice);
  const memory = decoder.imageMemory(rec, new Float32Array(0));
  const cache = decoder.createCache(1, 2);
  const first = decoder.decodeStep(rec, cache, memory, Int32Array.of(startToken));
  const next = decoder.decodeStep(rec, cache, memory, Int32Array.of(startToken));
  rec.releaseAfterSubmit(first, next);
  memory.release();
  cache.release();
  return rec.finish();
}
