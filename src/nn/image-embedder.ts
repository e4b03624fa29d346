/**
 * The image side of a contrastive dual encoder (CLIP, Chinese-CLIP): a ViT, LayerNorm on its class token,
 * and a linear projection into the space the text side projects into.
 *
 *   image → ViT → post_layernorm(CLS) → visual_projection → image embedding
 */
import { IrisError } from '../errors';
import { Recorder, type SpecCollector } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import { selectRows } from '../kernels/embedding';
import { matmul } from '../kernels/matmul';
import { AttentionCapture, type AttentionProbs, type AttentionRequest } from './attention-maps';
import type { ParameterSource } from './params';
import { applyLayerNorm, loadLayerNorm, type LayerNormParams } from './transformer';
import { encodeImage, loadVisionTower, type VisionConfig, type VisionTower } from './vision';

export interface ImageEmbeddingOutput {
  /** [B, 1 + patches, hidden] encoder output before post_layernorm (only with `hiddenStates`). */
  lastHiddenState?: Float32Array;
  /** [B, hidden] post_layernorm(CLS). */
  pooled: Float32Array;
  /** [B, projectionDim] visual_projection(pooled), not normalised. */
  embeds: Float32Array;
  /** Only with `attentions`: each requested layer's probabilities [B, heads, 1 + patches, 1 + patches]. */
  attentions?: AttentionProbs[];
}

export interface EmbedderOptions {
  /** Also read back the encoder output (lastHiddenState). */
  hiddenStates?: boolean;
  /** Also compute and read back these layers' attention probabilities (off by default: no extra dispatches). */
  attentions?: AttentionRequest;
}

export class ImageEmbedder {
  private constructor(
    readonly config: VisionConfig,
    private readonly source: ParameterSource,
    private readonly vision: VisionTower,
    private readonly postLayerNorm: LayerNormParams,
    private readonly visualProjection: Tensor,
    /** The model's name, for error messages and GPU labels. */
    private readonly model: string,
  ) {}

  /** `vision_model.*`, `visual_projection.weight`: transformers' CLIPVisionTransformer and its projection. */
  static load(p: ParameterSource, config: VisionConfig, projectionDim: number, model: string): ImageEmbedder {
    return new ImageEmbedder(
      config, p,
      loadVisionTower(p, 'vision_model', config, 'CLIPVisionTransformer'),
      loadLayerNorm(p, 'vision_model.post_layernorm', config.hidden, config.eps),
      p.upload('visual_projection.weight', [projectionDim, config.hidden], 'matmul'),
      model,
    );
  }

  /** pixel_values [B, 3, S, S] (already preprocessed) → pooled output and image embeddings. */
  async encode(pixels: Float32Array, batch: number, options: EmbedderOptions = {}): Promise<ImageEmbeddingOutput> {
    const size = this.config.imageSize;
    if (pixels.length !== batch * 3 * size * size) {
      throw new IrisError('bad-input', `${this.model} expects pixel_values [${batch}, 3, ${size}, ${size}], got ${pixels.length} values.`);
    }
    const rec = new Recorder(this.source.gpu, `${this.model}.vision`);
    const capture = AttentionCapture.create(options.attentions, this.config.layers);
    const { hidden, pooled, embeds } = this.record(rec, rec.upload(pixels, [batch, 3, size, size], 'f32', 'pixel_values'), batch, capture);
    const reads = [rec.read(pooled), rec.read(embeds), options.hiddenStates ? rec.read(hidden) : undefined];
    await rec.submit();
    const [pooledData, embedsData, hiddenData] = await Promise.all(reads);
    const out: ImageEmbeddingOutput = { pooled: pooledData as Float32Array, embeds: embedsData as Float32Array, lastHiddenState: hiddenData as Float32Array | undefined };
    if (capture) out.attentions = await capture.results();
    return out;
  }

  /** The pipelines an image request runs, recorded into `rec` (any batch size uses the same ones). */
  recordSpecs(rec: SpecCollector): void {
    const size = this.config.imageSize;
    this.record(rec, rec.upload(new Float32Array(0), [1, 3, size, size], 'f32'), 1);
  }

  /** The forward pass; every tensor it returns is released after the recording's submit. */
  private record(rec: Recorder, input: Tensor, batch: number, capture?: AttentionCapture): { hidden: Tensor; pooled: Tensor; embeds: Tensor } {
    const hidden = encodeImage(rec, this.vision, input, batch, capture);
    const cls = selectRows(rec, hidden, new Array<number>(batch).fill(0));
    const pooled = applyLayerNorm(rec, cls, this.postLayerNorm);
    const embeds = matmul(rec, pooled, this.visualProjection);
    rec.releaseAfterSubmit(hidden, cls, pooled, embeds);
    return { hidden, pooled, embeds };
  }
}
