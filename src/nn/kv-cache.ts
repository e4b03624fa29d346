/**
 * Keys and values of every decoder layer kept on the GPU between generation steps, so each new token
 * costs one decoder step instead of a re-run of the prefix. Per layer one [batch, maxLen, 2·hidden]
 * tensor holds k|v for each position (a projection appends rows in place via matmul's outView).
 */
import type { Gpu } from '../gpu/gpu';
import type { Recorder } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import type { HeadsView } from '../kernels/attention';
import { IrisError } from '../errors';

export class KvCache {
  private layers: Tensor[];
  /** Positions filled so far (the same for every batch row). */
  length = 0;

  constructor(
    gpu: Gpu,
    layerCount: number,
    readonly batch: number,
    readonly maxLength: number,
    readonly hidden: number,
  ) {
    this.layers = Array.from({ length: layerCount }, () => gpu.empty([batch, maxLength, 2 * hidden], 'f32', 'kv-cache'));
  }

  private get rowStride(): number {
    return 2 * this.hidden;
  }

  /** Where a [batch, T, 2·hidden] k|v projection of T new tokens must be written. */
  appendTarget(layer: number, newTokens: number): { out: Tensor; outView: { offset: number; rowStride: number; batchStride: number } } {
    if (this.length + newTokens > this.maxLength) {
      throw new IrisError('bad-input', `The sequence would exceed the model's ${this.maxLength} positions.`);
    }
    return {
      out: this.layers[layer]!,
      outView: { offset: this.length * this.rowStride, rowStride: this.rowStride, batchStride: this.maxLength * this.rowStride },
    };
  }

  keys(layer: number): HeadsView {
    return { tensor: this.layers[layer]!, offset: 0, rowStride: this.rowStride, batchStride: this.maxLength * this.rowStride };
  }

  values(layer: number): HeadsView {
    return { tensor: this.layers[layer]!, offset: this.hidden, rowStride: this.rowStride, batchStride: this.maxLength * this.rowStride };
  }

  /** Beam search: batch row b continues from row `sources[b]`. Copies only the filled positions. */
  reorder(rec: Recorder, sources: readonly number[]): void {
    if (sources.every((s, b) => s === b)) return;
    const bytesPerRow = this.rowStride * 4;
    const batchBytes = this.maxLength * bytesPerRow;
    this.layers = this.layers.map((old) => {
      const next = rec.gpu.empty(old.shape, 'f32', 'kv-cache');
      sources.forEach((src, b) => rec.copy(old, next, src * batchBytes, b * batchBytes, this.length * bytesPerRow));
      rec.releaseAfterSubmit(old);
      return next;
    });
  }

  release(): void {
    for (const t of this.layers) t.release();
  }

  /** Frees the cache once `rec`'s work has been submitted (a cache that lives for one recording only). */
  releaseAfterSubmit(rec: Recorder): void {
    rec.releaseAfterSubmit(...this.layers);
  }
}
