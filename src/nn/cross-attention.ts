/**
 * What a decoder's cross-attention reads (ViT-GPT2's decoder, BLIP's text layers): each layer's keys and
 * values of the encoder states, projected once per image and then read by every decoding step and beam.
 *
 * Layout per layer: [memories, tokens, 2·hidden], k|v side by side in each row (one matmul projects both).
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import type { HeadsView } from '../kernels/attention';
import type { ImageMemory } from './caption-session';
import { linear, type Linear } from './transformer';

export class CrossAttentionMemory implements ImageMemory {
  private constructor(
    private readonly keyValues: Tensor[],
    /** How many memories: 1 (shared by every query row, e.g. the beams of one image) or one per row. */
    readonly memories: number,
    readonly tokens: number,
  ) {}

  /** `states` [memories, tokens, width] through each layer's [2·hidden, width] k|v projection. */
  static project(rec: Recorder, states: Tensor, projections: readonly Linear[]): CrossAttentionMemory {
    const [memories, tokens] = states.shape as [number, number, number];
    return new CrossAttentionMemory(projections.map((kv) => linear(rec, states, kv)), memories, tokens);
  }

  /** A 'bad-input' error unless this memory serves `rows` query rows (one shared memory, or one per row). */
  checkRows(rows: number, model: string): void {
    if (this.memories !== 1 && this.memories !== rows) throw new IrisError('bad-input', `${model}: ${this.memories} cross-attention memories for ${rows} rows.`);
  }

  /** Layer `l`'s keys and values as attention views of `hidden` (= heads · headDim) values per token. */
  keysAndValues(l: number, hidden: number): { k: HeadsView; v: HeadsView } {
    const tensor = this.keyValues[l]!;
    const batchStride = this.memories === 1 ? 0 : this.tokens * 2 * hidden; // a shared memory: every row reads the same one
    return {
      k: { tensor, offset: 0, rowStride: 2 * hidden, batchStride },
      v: { tensor, offset: hidden, rowStride: 2 * hidden, batchStride },
    };
  }

  /** Frees the projections once `rec` is submitted (a memory used by one recording only). */
  releaseAfterSubmit(rec: Recorder): void {
    rec.releaseAfterSubmit(...this.keyValues);
  }

  release(): void {
    this.keyValues.forEach((t) => t.release());
  }
}
