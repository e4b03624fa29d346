/**
 * Zero-shot image classification with a dual encoder (CLIP and its kin): each label becomes one or more prompts ("a photo of a
 * {label}."), the prompts' normalised text embeddings are averaged per label (prompt ensembling, as in
 * the CLIP paper), and each image's probabilities are softmax(exp(logit_scale) · cosine) over labels.
 * Text embeddings of a label set are cached, so a second image with the same labels runs only the
 * vision tower.
 */
import { IrisError } from '../errors';
import type { PreprocessConfig } from '../image/preprocess';
import { preprocessBatch } from '../image/preprocess';
import type { RgbaImage } from '../image/rgba-image';
import type { ShaderSpec } from '../gpu/pipelines';
import type { AttentionProbs, AttentionRequest } from '../nn/attention-maps';
import { l2Normalize, similarityLogits } from '../nn/similarity';
import type { TextBatch, TextBatchOptions } from '../tokenizers';
import { checkClassifyArguments } from './arguments';
import { LabelEmbeddingCache } from './label-cache';
import { rolloutMaps, type ImageAttentionMap } from './attention-maps';

import { ENGLISH_TEMPLATES, type PromptTemplates } from './prompts';

export { DEFAULT_TEMPLATE, ENGLISH_TEMPLATES, type PromptTemplates } from './prompts';

export interface ClassifyOptions {
  /** Prompt templates with a `{label}` placeholder; several are averaged. Default: the model family's (CLIP: "a photo of a {label}."). */
  templates?: string[];
  /** Return only the best K labels per image (default: all). */
  topK?: number;
}

export interface LabelScore {
  label: string;
  score: number; // probability over the given labels
  logit: number;
}

/** classifyWithAttention's result: the ranking of `classify` and, per image, where CLIP's vision tower looked. */
export interface ClassificationWithAttention {
  ranked: LabelScore[][];
  /** Per image: the class-token attention rollout over the patches and its heat map (attention-maps.ts). */
  attention: ImageAttentionMap[];
}

/** Texts per text-tower forward pass: bounds GPU memory for 1,000-label sets. */
const TEXT_BATCH = 64;

/** The tokenizer part the classifier uses: padded batches of label prompts (CLIP's or BERT's encodeBatch). */
export interface BatchTokenizer {
  encodeBatch(texts: readonly string[], options?: TextBatchOptions): TextBatch;
}

/** What a family gives the classifier: an image tower, a text tower, and how their similarities score labels. */
export interface ZeroShotModel {
  /** Width of the (projected) embeddings both towers produce. */
  readonly embeddingDim: number;
  /** Longest text the text tower reads, in tokens. */
  readonly maxTextTokens: number;
  /** The temperature that turns cosines into logits (CLIP: exp(logit_scale)). */
  readonly logitScale: number;
  /** pixel_values [B, 3, S, S] → projected image embeddings [B, dim] (not normalised) and, on request, attentions. */
  encodeImages(pixels: Float32Array, batch: number, options?: { attentions?: AttentionRequest }): Promise<{ embeds: Float32Array; attentions?: AttentionProbs[] }>;
  /** input_ids and attention_mask [B, L] → projected text embeddings [B, dim] (not normalised). */
  encodeTexts(ids: Int32Array, attentionMask: Int32Array | Uint32Array, batch: number, seq: number): Promise<{ embeds: Float32Array }>;
  /** Label probabilities of each row of logits [images, labels] (CLIP: softmax). */
  scoreLabels(logits: Float32Array, labels: number): Float32Array;
  /** Every pipeline an image or text request runs (compiled at load). */
  kernelSpecs(): ShaderSpec[];
}

export class ZeroShotClassifier {
  private readonly labelCache = new LabelEmbeddingCache();

  constructor(
    readonly model: ZeroShotModel,
    private readonly tokenizer: BatchTokenizer,
    readonly preprocessConfig: PreprocessConfig,
    /** The family's prompts (Chinese-CLIP's are Chinese); CLIP's English ones by default. */
    readonly templates: PromptTemplates = ENGLISH_TEMPLATES,
  ) {}

  get dim(): number {
    return this.model.embeddingDim;
  }

  kernelSpecs(): ShaderSpec[] {
    return this.model.kernelSpecs();
  }

  /** L2-normalised image embeddings [images, dim]. */
  async embedImages(images: readonly RgbaImage[]): Promise<Float32Array> {
    return (await this.encodeImages(images, false)).embeddings;
  }

  /** L2-normalised image embeddings and, with `attentionMaps`, each image's rollout map (same forward pass). */
  private async encodeImages(images: readonly RgbaImage[], attentionMaps: boolean): Promise<{ embeddings: Float32Array; attention?: ImageAttentionMap[] }> {
    if (images.length === 0) throw new IrisError('bad-input', 'No images to embed.');
    const batch = preprocessBatch(images, this.preprocessConfig);
    const { embeds, attentions } = await this.model.encodeImages(batch.data, images.length, attentionMaps ? { attentions: { layers: 'all' } } : {});
    return { embeddings: l2Normalize(embeds, this.dim), attention: attentions && rolloutMaps(attentions) };
  }

  /** L2-normalised text embeddings [texts, dim] (each text on its own, no template). */
  async embedTexts(texts: readonly string[]): Promise<Float32Array> {
    if (texts.length === 0) throw new IrisError('bad-input', 'No texts to embed.');
    const out = new Float32Array(texts.length * this.dim);
    for (let start = 0; start < texts.length; start += TEXT_BATCH) {
      const chunk = texts.slice(start, start + TEXT_BATCH);
      const maxLength = this.model.maxTextTokens;
      const batch = this.tokenizer.encodeBatch(chunk, { maxLength, padding: 'longest', truncation: true });
      const { embeds } = await this.model.encodeTexts(batch.inputIds, Int32Array.from(batch.attentionMask), batch.batchSize, batch.sequenceLength);
      out.set(l2Normalize(embeds, this.dim), start * this.dim);
    }
    return out;
  }

  /** One normalised embedding per label: the mean of its prompts' embeddings, renormalised. Cached. */
  async labelEmbeddings(labels: readonly string[], templates: readonly string[]): Promise<Float32Array> {
    checkClassifyArguments(labels, { templates });
    const key = JSON.stringify([labels, templates]);
    const cached = this.labelCache.get(key);
    if (cached) return cached;
    const prompts = promptsFor(labels, templates);
    const embeddings = await this.embedTexts(prompts);
    const dim = this.dim;
    const mean = new Float32Array(labels.length * dim);
    for (let l = 0; l < labels.length; l++) {
      for (let t = 0; t < templates.length; t++) {
        const row = (l * templates.length + t) * dim;
        for (let d = 0; d < dim; d++) mean[l * dim + d] = mean[l * dim + d]! + embeddings[row + d]!;
      }
    }
    const result = l2Normalize(mean, dim);
    this.labelCache.set(key, result);
    return result;
  }

  /** Ranked labels for each image. */
  async classify(images: readonly RgbaImage[], labels: readonly string[], options: ClassifyOptions = {}): Promise<LabelScore[][]> {
    checkClassifyArguments(labels, options);
    const templates = options.templates ?? [...this.templates.default];
    const text = await this.labelEmbeddings(labels, templates);
    const image = await this.embedImages(images);
    return this.rank(image, text, images.length, labels, options);
  }

  /**
   * `classify`, plus for each image the attention map of the vision tower that embedded it (class-token
   * rollout over all layers, captured in the same forward pass): a heat map over the preprocessed image.
   */
  async classifyWithAttention(images: readonly RgbaImage[], labels: readonly string[], options: ClassifyOptions = {}): Promise<ClassificationWithAttention> {
    checkClassifyArguments(labels, options);
    const templates = options.templates ?? [...this.templates.default];
    const text = await this.labelEmbeddings(labels, templates);
    const { embeddings, attention } = await this.encodeImages(images, true);
    return { ranked: this.rank(embeddings, text, images.length, labels, options), attention: attention! };
  }

  private rank(image: Float32Array, text: Float32Array, imageCount: number, labels: readonly string[], options: ClassifyOptions): LabelScore[][] {
    const logits = similarityLogits(image, text, this.dim, this.model.logitScale);
    const probs = this.model.scoreLabels(logits, labels.length);
    const topK = Math.min(options.topK ?? labels.length, labels.length);
    return Array.from({ length: imageCount }, (_, i) =>
      labels
        .map((label, j) => ({ label, score: probs[i * labels.length + j]!, logit: logits[i * labels.length + j]! }))
        .sort((a, b) => b.score - a.score)
        .slice(0, topK),
    );
  }
}

/** Each label in each template (label-major). A function replacement puts the label in literally, "$&" and all. */
export function promptsFor(labels: readonly string[], templates: readonly string[]): string[] {
  return labels.flatMap((label) => templates.map((t) => t.replaceAll('{label}', () => label)));
}
