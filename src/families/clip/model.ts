/**
 * CLIP (Radford et al. 2021): a Vision Transformer and a causal text Transformer trained so that matching
 * image/text pairs have high cosine similarity. Follows transformers' CLIPModel parameter for parameter.
 *
 *   image → ViT → post_layernorm(CLS) → visual_projection → image embedding
 *   text  → token + position embeddings → causal Transformer → final_layer_norm → [EOS token] → text_projection
 *   logits_per_image = exp(logit_scale) · cos(image, text)
 */
import { IrisError } from '../../errors';
import type { ShaderSpec } from '../../gpu/pipelines';
import { Recorder, SpecCollector } from '../../gpu/recorder';
import type { Tensor } from '../../gpu/tensor';
import { embed, selectRows } from '../../kernels/embedding';
import { matmul } from '../../kernels/matmul';
import { count, field, section, type Json } from '../../nn/config';
import { AttentionCapture, type AttentionProbs } from '../../nn/attention-maps';
import type { ParameterSource } from '../../nn/params';
import { applyLayerNorm, clipLayerNames, encoderLayer, loadEncoderLayer, loadLayerNorm, parseTextTransformerConfig, type EncoderLayer, type LayerNormParams, type TextTransformerConfig } from '../../nn/transformer';
import { softmaxRows } from '../../nn/similarity';
import type { ZeroShotModel } from '../../tasks/zero-shot';
import { ImageEmbedder, type EmbedderOptions, type ImageEmbeddingOutput } from '../../nn/image-embedder';
import { parseVisionConfig, range, type VisionConfig } from '../../nn/vision';

export interface ClipTextConfig extends TextTransformerConfig {
  eosTokenId: number;
}

export interface ClipConfig {
  text: ClipTextConfig;
  vision: VisionConfig;
  projectionDim: number;
}

export function parseClipConfig(config: Json): ClipConfig {
  if (config.model_type !== 'clip') {
    throw new IrisError('unsupported-model', `Expected a CLIP checkpoint (model_type "clip"), got "${String(config.model_type)}".`);
  }
  const t = section(config, 'text_config');
  const text: ClipTextConfig = {
    ...parseTextTransformerConfig(t, { vocabSize: 49408, hidden: 512, intermediate: 2048, layers: 12, heads: 8, maxPositions: 77, eps: 1e-5, activation: 'quick_gelu' }),
    eosTokenId: field(t, 'eos_token_id', 49407),
  };
  return { text, vision: parseVisionConfig(section(config, 'vision_config'), 'CLIPVisionTransformer'), projectionDim: count(config, 'projection_dim', 512) };
}

/**
 * Which token's hidden state is the text embedding. transformers keeps openai's stale eos_token_id = 2 in
 * the config, and for exactly that value uses the legacy rule "position of the highest id" (EOS is the
 * largest id in CLIP's vocabulary); for any other value, the first position holding eos_token_id.
 */
export function textPoolingPositions(ids: Int32Array, batch: number, seq: number, eosTokenId: number): number[] {
  return range(batch).map((b) => {
    const row = ids.subarray(b * seq, (b + 1) * seq);
    if (eosTokenId === 2) {
      let best = 0;
      for (let i = 1; i < seq; i++) if (row[i]! > row[best]!) best = i;
      return best;
    }
    const at = row.indexOf(eosTokenId);
    return at >= 0 ? at : seq - 1;
  });
}

export interface ClipTextOutput {
  /** [B, L, hidden] after final_layer_norm (only with `hiddenStates`). */
  lastHiddenState?: Float32Array;
  pooled: Float32Array;
  pooledPositions: number[];
  embeds: Float32Array;
  /** Only with `attentions`: each requested layer's probabilities [B, heads, L, L] (causal + padding mask). */
  attentions?: AttentionProbs[];
}

interface TextTower {
  tokenEmbedding: Tensor;
  positionEmbedding: Tensor;
  layers: EncoderLayer[];
  finalLayerNorm: LayerNormParams;
}

export class ClipModel implements ZeroShotModel {
  private constructor(
    readonly config: ClipConfig,
    private readonly source: ParameterSource,
    private readonly image: ImageEmbedder,
    private readonly text: TextTower,
    private readonly textProjection: Tensor,
    /** exp(logit_scale): the temperature that turns cosines into logits. */
    readonly logitScale: number,
  ) {}

  static load(p: ParameterSource, configJson: Json): ClipModel {
    const config = parseClipConfig(configJson);
    const { text: t, vision: v, projectionDim } = config;
    const text: TextTower = {
      tokenEmbedding: p.upload('text_model.embeddings.token_embedding.weight', [t.vocabSize, t.hidden], 'f32'),
      positionEmbedding: p.upload('text_model.embeddings.position_embedding.weight', [t.maxPositions, t.hidden], 'f32'),
      layers: range(t.layers).map((i) => loadEncoderLayer(p, clipLayerNames(`text_model.encoder.layers.${i}`), t, t.eps)),
      finalLayerNorm: loadLayerNorm(p, 'text_model.final_layer_norm', t.hidden, t.eps),
    };
    const logitScale = Math.exp(p.host('logit_scale', []).data[0]!);
    return new ClipModel(
      config, p,
      ImageEmbedder.load(p, v, projectionDim, 'CLIP'),
      text,
      p.upload('text_projection.weight', [projectionDim, t.hidden], 'matmul'),
      logitScale,
    );
  }

  get imageSize(): number {
    return this.config.vision.imageSize;
  }

  get embeddingDim(): number {
    return this.config.projectionDim;
  }

  get maxTextTokens(): number {
    return this.config.text.maxPositions;
  }

  /** Label probabilities: each image's softmax over the labels' logits (CLIP's contrastive objective). */
  scoreLabels(logits: Float32Array, labels: number): Float32Array {
    return softmaxRows(logits, labels);
  }

  /** pixel_values [B, 3, S, S] (already preprocessed) → pooled output and image embeddings. */
  encodeImages(pixels: Float32Array, batch: number, options?: EmbedderOptions): Promise<ImageEmbeddingOutput> {
    return this.image.encode(pixels, batch, options);
  }

  /**
   * input_ids [B, L] with attention_mask [B, L] (1 = token, 0 = padding) → pooled output and text
   * embeddings. The causal mask and the padding mask are both applied, as in transformers.
   */
  async encodeTexts(ids: Int32Array, attentionMask: Int32Array | Uint32Array, batch: number, seq: number, options: EmbedderOptions = {}): Promise<ClipTextOutput> {
    const { gpu } = this.source;
    const t = this.config.text;
    if (ids.length !== batch * seq || attentionMask.length !== batch * seq) {
      throw new IrisError('bad-input', `CLIP text expects input_ids and attention_mask of [${batch}, ${seq}].`);
    }
    if (seq > t.maxPositions) throw new IrisError('bad-input', `CLIP text is limited to ${t.maxPositions} tokens, got ${seq}.`);
    const rec = new Recorder(gpu, 'clip.text');
    const capture = AttentionCapture.create(options.attentions, t.layers);
    const { last, pooled, embeds, pooledPositions } = this.recordTexts(rec, ids, attentionMask, batch, seq, capture);
    const reads = [rec.read(pooled), rec.read(embeds), options.hiddenStates ? rec.read(last) : undefined];
    await rec.submit();
    const [pooledData, embedsData, lastData] = await Promise.all(reads);
    const out: ClipTextOutput = { pooled: pooledData as Float32Array, embeds: embedsData as Float32Array, pooledPositions, lastHiddenState: lastData as Float32Array | undefined };
    if (capture) out.attentions = await capture.results();
    return out;
  }

  /** The text forward pass; every tensor it returns is released after the recording's submit. */
  private recordTexts(rec: Recorder, ids: Int32Array, attentionMask: Int32Array | Uint32Array, batch: number, seq: number, capture?: AttentionCapture) {
    const t = this.config.text;
    const idsTensor = rec.upload(ids, [batch, seq], 'i32', 'input_ids');
    const keyPadding = rec.upload(Uint32Array.from(attentionMask), [batch, seq], 'u32', 'attention_mask');
    let x = embed(rec, idsTensor, this.text.tokenEmbedding, { positions: this.text.positionEmbedding });
    this.text.layers.forEach((layer, l) => {
      x = encoderLayer(rec, layer, t, x, batch, seq, { causal: true, keyPadding }, capture?.hook(rec, l));
    });
    const last = applyLayerNorm(rec, x, this.text.finalLayerNorm);
    const pooledPositions = textPoolingPositions(ids, batch, seq, t.eosTokenId);
    const pooled = selectRows(rec, last, pooledPositions);
    const embeds = matmul(rec, pooled, this.textProjection);
    rec.releaseAfterSubmit(x, last, pooled, embeds);
    return { last, pooled, embeds, pooledPositions };
  }

  /**
   * Every pipeline an image or a text request runs, listed by recording both passes into a SpecCollector
   * (no GPU work): texts of 3 and 8 tokens, so both the decoding-sized and the prefill-sized matmul tiles
   * are in. Requests of other shapes use the same pipelines.
   */
  kernelSpecs(): ShaderSpec[] {
    const rec = new SpecCollector(this.source.gpu);
    this.image.recordSpecs(rec);
    for (const seq of [3, 8]) this.recordTexts(rec, new Int32Array(seq), new Int32Array(seq).fill(1), 1, seq);
    return rec.finish();
  }
}
