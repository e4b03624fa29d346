/**
 * The part of a captioning session both decoder families share: one recording and one submit per decoding
 * step, the image encoded on the first step, and beam reorders of the KV cache applied at the start of the
 * next step's recording.
 */
import type { Gpu } from '../gpu/gpu';
import { Recorder } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import type { DecoderSession } from './generate';
import type { KvCache } from './kv-cache';

export abstract class CachedCaptionSession implements DecoderSession {
  private cache: KvCache | null = null;
  private pendingReorder: number[] | null = null;

  constructor(
    private readonly gpu: Gpu,
    private readonly label: string,
  ) {}

  abstract readonly vocabSize: number;
  /** Records the image encoder and returns a cache for `rows` rows (first step only). */
  protected abstract start(rec: Recorder, rows: number): KvCache;
  /** Records one decoder step over `tokens` and returns the last position's logits [rows, V]. */
  protected abstract step(rec: Recorder, cache: KvCache, tokens: Int32Array): Tensor;
  /** Frees what `start` kept besides the cache (image tokens, cross-attention keys/values). */
  protected abstract releaseImage(): void;

  async next(tokens: Int32Array, rows: number): Promise<Float32Array> {
    const rec = new Recorder(this.gpu, this.label);
    this.cache ??= this.start(rec, rows);
    if (this.pendingReorder) this.cache.reorder(rec, this.pendingReorder);
    this.pendingReorder = null;
    const logits = this.step(rec, this.cache, tokens);
    const result = rec.read(logits);
    rec.releaseAfterSubmit(logits);
    await rec.submit();
    return (await result) as Float32Array;
  }

  reorder(sources: number[]): void {
    this.pendingReorder = sources;
  }

  dispose(): void {
    this.cache?.release();
    this.releaseImage();
  }
}
