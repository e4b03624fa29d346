/**
 * Chinese-CLIP (Yang et al. 2022), as transformers' ChineseCLIPModel: CLIP's ViT for images, a Chinese
 * RoBERTa-wwm-ext (a post-LN BERT encoder) for text, trained contrastively on Chinese image-text pairs.
 *
 *   image → ViT → post_layernorm(CLS) → visual_projection → image embedding
 *   text  → word + position + token-type embeddings → LayerNorm → post-LN BERT layers → [CLS] → text_projection
 *   logits_per_image = exp(logit_scale) · cos(image, text)
 *
 * The text embedding is the [CLS] token's last hidden state, projected: the BERT pooler is not used.
 */
import { IrisError } from '../../errors';
import type { ShaderSpec } from '../../gpu/pipelines';
import { Recorder, SpecCollector } from '../../gpu/recorder';
import type { Tensor } from '../../gpu/tensor';
import { embed, selectRows } from '../../kernels/embedding';
import { matmul } from '../../kernels/matmul';
import { bertLayer, loadBertLayer, type BertLayer } from '../../nn/bert';
import { count, field, section, type Json } from '../../nn/config';
import type { ParameterSource } from '../../nn/params';
import { softmaxRows } from '../../nn/similarity';
import { applyLayerNorm, loadLayerNorm, parseTextTransformerConfig, type LayerNormParams, type TextTransformerConfig } from '../../nn/transformer';
import { ImageEmbedder, type EmbedderOptions, type ImageEmbeddingOutput } from '../../nn/image-embedder';
import { parseVisionConfig, range, type VisionConfig } from '../../nn/vision';
import type { ZeroShotModel } from '../../tasks/zero-shot';
import { CHINESE_CLIP_CONTEXT } from './tokenizer';

export interface ChineseClipTextConfig extends TextTransformerConfig {
  typeVocabSize: number;
}

export interface ChineseClipConfig {
  text: ChineseClipTextConfig;
  vision: VisionConfig;
  projectionDim: number;
}

/** ChineseCLIPConfig with ChineseCLIPTextConfig's (BERT-base) and ChineseCLIPVisionConfig's (CLIP ViT-B/32) defaults. */
export function parseChineseClipConfig(config: Json): ChineseClipConfig {
  if (config.model_type !== 'chinese_clip') {
    throw new IrisError('unsupported-model', `Expected a Chinese-CLIP checkpoint (model_type "chinese_clip"), got "${String(config.model_type)}".`);
  }
  const t = section(config, 'text_config');
  if (field(t, 'position_embedding_type', 'absolute') !== 'absolute') {
    throw new IrisError('unsupported-model', 'Chinese-CLIP: only absolute position embeddings (text_config.position_embedding_type "absolute") are supported.');
  }
  const text: ChineseClipTextConfig = {
    ...parseTextTransformerConfig(t, { vocabSize: 30522, hidden: 768, intermediate: 3072, layers: 12, heads: 12, maxPositions: 512, eps: 1e-12, activation: 'gelu' }),
    typeVocabSize: count(t, 'type_vocab_size', 2),
  };
  return { text, vision: parseVisionConfig(section(config, 'vision_config'), 'CLIPVisionTransformer'), projectionDim: count(config, 'projection_dim', 512) };
}

export interface ChineseClipTextOutput {
  /** [B, L, hidden] BERT encoder output (only with `hiddenStates`). */
  lastHiddenState?: Float32Array;
  /** [B, projectionDim] text_projection(last_hidden_state[:, 0]), not normalised. */
  embeds: Float32Array;
}

interface TextTower {
  wordEmbeddings: Tensor;
  /** position_embeddings + token_type_embeddings[0]: every token is of type 0 (one sentence), so its row is added once at load. */
  positionAndTypeEmbeddings: Tensor;
  embeddingNorm: LayerNormParams;
  layers: BertLayer[];
}

export class ChineseClipModel implements ZeroShotModel {
  private constructor(
    readonly config: ChineseClipConfig,
    private readonly source: ParameterSource,
    private readonly image: ImageEmbedder,
    private readonly text: TextTower,
    private readonly textProjection: Tensor,
    readonly logitScale: number,
  ) {}

  static load(p: ParameterSource, configJson: Json): ChineseClipModel {
    const config = parseChineseClipConfig(configJson);
    const { text: t, vision: v, projectionDim } = config;
    const positions = p.host('text_model.embeddings.position_embeddings.weight', [t.maxPositions, t.hidden]).data;
    const typeZero = p.host('text_model.embeddings.token_type_embeddings.weight', [t.typeVocabSize, t.hidden]).data.subarray(0, t.hidden);
    const positionAndType = positions.map((value, i) => value + typeZero[i % t.hidden]!);
    const text: TextTower = {
      wordEmbeddings: p.upload('text_model.embeddings.word_embeddings.weight', [t.vocabSize, t.hidden], 'f32'),
      positionAndTypeEmbeddings: p.uploadHost(positionAndType, [t.maxPositions, t.hidden], 'f32', 'text_model.embeddings.position+token_type'),
      embeddingNorm: loadLayerNorm(p, 'text_model.embeddings.LayerNorm', t.hidden, t.eps),
      layers: range(t.layers).map((i) => loadBertLayer(p, `text_model.encoder.layer.${i}`, t, t.eps)),
    };
    return new ChineseClipModel(
      config, p,
      ImageEmbedder.load(p, v, projectionDim, 'Chinese-CLIP'),
      text,
      p.upload('text_projection.weight', [projectionDim, t.hidden], 'matmul'),
      Math.exp(p.host('logit_scale', []).data[0]!),
    );
  }

  get imageSize(): number {
    return this.config.vision.imageSize;
  }

  get embeddingDim(): number {
    return this.config.projectionDim;
  }

  /** Chinese-CLIP's 52-token context (fewer where the checkpoint has fewer positions). */
  get maxTextTokens(): number {
    return Math.min(CHINESE_CLIP_CONTEXT, this.config.text.maxPositions);
  }

  scoreLabels(logits: Float32Array, labels: number): Float32Array {
    return softmaxRows(logits, labels);
  }

  /** pixel_values [B, 3, S, S] (already preprocessed) → pooled output and image embeddings. */
  encodeImages(pixels: Float32Array, batch: number, options?: EmbedderOptions): Promise<ImageEmbeddingOutput> {
    return this.image.encode(pixels, batch, options);
  }

  /** input_ids [B, L] with attention_mask [B, L] (1 = token, 0 = padding; token types all 0) → text embeddings. */
  async encodeTexts(ids: Int32Array, attentionMask: Int32Array | Uint32Array, batch: number, seq: number, options: Pick<EmbedderOptions, 'hiddenStates'> = {}): Promise<ChineseClipTextOutput> {
    const t = this.config.text;
    if (ids.length !== batch * seq || attentionMask.length !== batch * seq) {
      throw new IrisError('bad-input', `Chinese-CLIP text expects input_ids and attention_mask of [${batch}, ${seq}].`);
    }
    if (seq > t.maxPositions) throw new IrisError('bad-input', `Chinese-CLIP text is limited to ${t.maxPositions} tokens, got ${seq}.`);
    const rec = new Recorder(this.source.gpu, 'chinese-clip.text');
    const { last, embeds } = this.recordTexts(rec, ids, attentionMask, batch, seq);
    const reads = [rec.read(embeds), options.hiddenStates ? rec.read(last) : undefined];
    await rec.submit();
    const [embedsData, lastData] = await Promise.all(reads);
    return { embeds: embedsData as Float32Array, lastHiddenState: lastData as Float32Array | undefined };
  }

  private recordTexts(rec: Recorder, ids: Int32Array, attentionMask: Int32Array | Uint32Array, batch: number, seq: number) {
    const t = this.config.text;
    const keyPadding = rec.upload(Uint32Array.from(attentionMask), [batch, seq], 'u32', 'attention_mask');
    let x = rec.scope(() => {
      const words = embed(rec, rec.upload(ids, [batch, seq], 'i32', 'input_ids'), this.text.wordEmbeddings, { positions: this.text.positionAndTypeEmbeddings });
      return applyLayerNorm(rec, words, this.text.embeddingNorm);
    });
    for (const layer of this.text.layers) x = bertLayer(rec, layer, t, x, batch, seq, { keyPadding });
    const cls = selectRows(rec, x, new Array<number>(batch).fill(0));
    const embeds = matmul(rec, cls, this.textProjection);
    rec.releaseAfterSubmit(x, cls, embeds);
    return { last: x, embeds };
  }

  /** Every pipeline an image or a text request runs (texts of 3 and 8 tokens: both matmul tile sizes). */
  kernelSpecs(): ShaderSpec[] {
    const rec = new SpecCollector(this.source.gpu);
    this.image.recordSpecs(rec);
    for (const seq of [3, 8]) this.recordTexts(rec, new Int32Array(seq), new Int32Array(seq).fill(1), 1, seq);
    return rec.finish();
  }
}
