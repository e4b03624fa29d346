/**
 * GIT, the Generative Image-to-text Transformer (Wang et al. 2022), as transformers' GitForCausalLM:
 *
 *   image → CLIP ViT (post_layernorm on ALL tokens) → visual_projection (Linear + LayerNorm) = P image tokens
 *   text  → word + position embeddings → LayerNorm
 *   [image tokens; text tokens] → post-LN BERT layers → output head → next-token logits
 *
 * One Transformer reads both: image tokens attend to image tokens only, text tokens attend to every image
 * token and to earlier text tokens (the GIT prefix mask). Keys/values live in a KvCache, so captioning
 * costs one decoder step per token after the first.
 */
import { IrisError } from '../../errors';
import type { Gpu } from '../../gpu/gpu';
import type { ShaderSpec } from '../../gpu/pipelines';
import { Recorder } from '../../gpu/recorder';
import type { Tensor } from '../../gpu/tensor';
import { attention, type AttentionArgs } from '../../kernels/attention';
import { embed, selectRows } from '../../kernels/embedding';
import { field, section, type Json } from '../../nn/config';
import { AttentionCapture, type AttentionProbs, type AttentionRequest } from '../../nn/attention-maps';
import { captionKernelSpecs, decoderAttentionMaps, type CaptionDecoder, type DecoderCaptures, type ImageMemory } from '../../nn/caption-session';
import { KvCache } from '../../nn/kv-cache';
import type { ParameterSource } from '../../nn/params';
import { bertAttentionOutput, bertFeedForward, loadBertCachedAttention, loadBertFeedForward, type BertCachedAttention, type BertFeedForward } from '../../nn/bert';
import { applyLayerNorm, linear, loadLayerNorm, loadLinear, parseTextTransformerConfig, type LayerNormParams, type Linear, type TextTransformerConfig } from '../../nn/transformer';
import { encodeImage, loadVisionTower, parseVisionConfig, patchesPerImage, pixelValues, range, type VisionConfig, type VisionTower } from '../../nn/vision';

export interface GitConfig extends TextTransformerConfig {
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  vision: VisionConfig;
}

export function parseGitConfig(c: Json): GitConfig {
  if (c.model_type !== 'git') throw new IrisError('unsupported-model', `Expected a GIT checkpoint (model_type "git"), got "${String(c.model_type)}".`);
  if (c.num_image_with_embedding) throw new IrisError('unsupported-model', 'GIT video checkpoints (num_image_with_embedding) are not supported.');
  if (field(c, 'position_embedding_type', 'absolute') !== 'absolute') throw new IrisError('unsupported-model', 'Only absolute position embeddings are supported for GIT.');
  return {
    ...parseTextTransformerConfig(c, { vocabSize: 30522, hidden: 768, intermediate: 3072, layers: 6, heads: 12, maxPositions: 1024, eps: 1e-12, activation: 'gelu' }),
    bosTokenId: field(c, 'bos_token_id', 101),
    eosTokenId: field(c, 'eos_token_id', 102),
    padTokenId: field(c, 'pad_token_id', 0),
    vision: parseVisionConfig(section(c, 'vision_config'), 'CLIPVisionTransformer'),
  };
}

/** Post-LN BERT layer: x = LN(x + attn(x)); x = LN(x + ffn(x)). k|v are projected together into the cache. */
interface GitLayer extends BertFeedForward {
  attention: BertCachedAttention;
}

function loadGitLayer(p: ParameterSource, prefix: string, c: GitConfig): GitLayer {
  return {
    attention: loadBertCachedAttention(p, `${prefix}.attention`, c.hidden, c.hidden, c.eps),
    ...loadBertFeedForward(p, prefix, c, c.eps),
  };
}

export interface GitStepInput {
  /** Text token ids [batch, T], row-major. */
  ids: Int32Array;
  /** Projected image tokens [batch, P, hidden]: given on the first step only (they enter the cache). */
  imageTokens?: Tensor;
  /** Optional text padding mask [batch, T] (teacher forcing of right-padded rows); 1 = token. */
  textMask?: Int32Array | Uint32Array;
  /** 'last': logits of each row's last position [batch, V]; 'all': [batch, (P +) T, V]. */
  logits: 'last' | 'all';
  /**
   * Attention maps (off by default): the requested layers' probabilities [batch, heads, rows, past + rows]
   * over [image tokens; text tokens], image tokens first, as transformers' `output_attentions`.
   */
  attentions?: AttentionCapture;
}

/** One teacher-forced pass's attention probabilities (see GitModel.attentionMaps). */
export interface GitAttentionMaps {
  /** Image encoder layers: [1, heads, 1 + patches, 1 + patches]. */
  vision: AttentionProbs[];
  /** GIT layers: [1, heads, P + T, P + T], P = imageTokens image tokens first, then the T text tokens. */
  text: AttentionProbs[];
}

/** What GIT keeps of the image while decoding: its projected image tokens [1, P, hidden]. */
export interface GitImageMemory extends ImageMemory {
  imageTokens: Tensor;
}

export class GitModel implements CaptionDecoder<GitImageMemory> {
  private constructor(
    readonly config: GitConfig,
    private readonly gpu: Gpu,
    private readonly vision: VisionTower,
    private readonly visionPostNorm: LayerNormParams,
    private readonly visualProjection: Linear,
    private readonly visualProjectionNorm: LayerNormParams,
    private readonly wordEmbeddings: Tensor,
    private readonly positionEmbeddings: Tensor,
    private readonly embeddingNorm: LayerNormParams,
    private readonly layers: GitLayer[],
    private readonly head: Linear,
  ) {}

  static load(p: ParameterSource, configJson: Json): GitModel {
    const c = parseGitConfig(configJson);
    const v = c.vision;
    return new GitModel(
      c, p.gpu,
      loadVisionTower(p, 'git.image_encoder.vision_model', v, 'CLIPVisionTransformer'),
      loadLayerNorm(p, 'git.image_encoder.vision_model.post_layernorm', v.hidden, v.eps),
      loadLinear(p, 'git.visual_projection.visual_projection.0', c.hidden, v.hidden),
      loadLayerNorm(p, 'git.visual_projection.visual_projection.1', c.hidden, v.eps),
      p.upload('git.embeddings.word_embeddings.weight', [c.vocabSize, c.hidden], 'f32'),
      p.upload('git.embeddings.position_embeddings.weight', [c.maxPositions, c.hidden], 'f32'),
      loadLayerNorm(p, 'git.embeddings.LayerNorm', c.hidden, c.eps),
      range(c.layers).map((i) => loadGitLayer(p, `git.encoder.layer.${i}`, c)),
      loadLinear(p, 'output', c.vocabSize, c.hidden),
    );
  }

  get imageTokens(): number {
    return patchesPerImage(this.config.vision) + 1;
  }

  get gpuDevice(): Gpu {
    return this.gpu;
  }

  get imageSize(): number {
    return this.config.vision.imageSize;
  }

  /**
   * pixel_values [B, 3, S, S] → image encoder output (post-LN, all tokens) and projected image tokens.
   * `attentions` captures the image encoder's attention probabilities (attention maps; off by default).
   */
  encodeImage(rec: Recorder, pixels: Tensor, batch: number, attentions?: AttentionCapture): { encoderOutput: Tensor; imageTokens: Tensor } {
    return rec.scope(() => {
      const encoderOutput = applyLayerNorm(rec, encodeImage(rec, this.vision, pixels, batch, attentions), this.visionPostNorm);
      const imageTokens = applyLayerNorm(rec, linear(rec, encoderOutput, this.visualProjection), this.visualProjectionNorm);
      return { encoderOutput, imageTokens };
    });
  }

  createCache(batch: number, maxTextTokens: number): KvCache {
    const maxLength = this.imageTokens + Math.min(maxTextTokens, this.config.maxPositions);
    return new KvCache(this.gpu, this.config.layers, batch, maxLength, this.config.hidden);
  }

  /**
   * Runs T new text tokens (plus the image tokens on the first step) through the decoder, appending their
   * keys/values to `cache`, and returns the logits tensor ([batch, V] for 'last', else [batch, rows, V]).
   */
  step(rec: Recorder, cache: KvCache, input: GitStepInput): Tensor {
    const c = this.config;
    const batch = cache.batch;
    const T = input.ids.length / batch;
    const P = this.imageTokens;
    const first = cache.length === 0;
    if (first !== Boolean(input.imageTokens)) throw new IrisError('bad-input', 'GIT: pass imageTokens on the first step (and only then).');
    const textPosition = first ? 0 : cache.length - P;

    let x = rec.scope(() => {
      const ids = rec.upload(input.ids, [batch, T], 'i32', 'input_ids');
      const words = embed(rec, ids, this.wordEmbeddings, { positions: this.positionEmbeddings, positionOffset: textPosition });
      const text = applyLayerNorm(rec, words, this.embeddingNorm);
      return input.imageTokens ? this.prependImageTokens(rec, input.imageTokens, text, batch, T) : text;
    });
    const rows = input.imageTokens ? P + T : T;

    let keyPadding: Tensor | undefined;
    if (input.textMask) {
      const mask = new Uint32Array(batch * rows).fill(1);
      for (let b = 0; b < batch; b++) for (let t = 0; t < T; t++) mask[b * rows + (rows - T) + t] = input.textMask[b * T + t]!;
      if (!first) throw new IrisError('bad-input', 'GIT: a text padding mask is only supported on the first step.');
      keyPadding = rec.upload(mask, [batch, rows], 'u32', 'attention_mask');
    }

    const queryOffset = cache.length;
    this.layers.forEach((layer, l) => {
      // x = LN(x + attention(x)): text attends to every image token and to earlier text (the GIT prefix mask)
      const attended = rec.scope(() => {
        const q = linear(rec, x, layer.attention.query);
        linear(rec, x, layer.attention.keyValue, cache.appendTarget(l, rows));
        const args: AttentionArgs = {
          q: { tensor: q, rowStride: c.hidden, batchStride: rows * c.hidden },
          k: cache.keys(l), v: cache.values(l),
          batch, heads: c.heads, headDim: c.hidden / c.heads,
          queryLen: rows, keyLen: queryOffset + rows,
          mask: { causal: true, prefixLength: P, queryOffset, keyPadding },
        };
        const out = attention(rec, args);
        input.attentions?.hook(rec, l)?.(args);
        return bertAttentionOutput(rec, layer.attention, out, x);
      }, x);
      x = bertFeedForward(rec, layer, attended, c.activation); // x = LN(x + ffn(x))
    });
    cache.length += rows;

    return rec.scope(() => {
      const last = input.logits === 'all' ? x : selectRows(rec, x, new Array<number>(batch).fill(rows - 1));
      return linear(rec, last, this.head);
    }, x);
  }

  /**
   * Attention maps of one image and one token sequence (prompt and generated ids, e.g. a finished caption):
   * one teacher-forced pass. Row P + t of a GIT layer is text position t; its columns 0..P-1 are the image tokens.
   */
  async attentionMaps(pixels: Float32Array, ids: readonly number[], request: { vision?: AttentionRequest; text?: AttentionRequest }): Promise<GitAttentionMaps> {
    const maps = await decoderAttentionMaps(this, pixels, ids, { image: request.vision, self: request.text }, { image: this.config.vision.layers, decoder: this.config.layers });
    return { vision: maps.image, text: maps.self };
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  /** CaptionDecoder: the projected image tokens of one image, prepended to the text on the first step. */
  imageMemory(rec: Recorder, pixels: Float32Array, attentions?: AttentionCapture): GitImageMemory {
    const { encoderOutput, imageTokens } = this.encodeImage(rec, pixelValues(rec, pixels, this.imageSize, 'GIT'), 1, attentions);
    rec.releaseAfterSubmit(encoderOutput);
    return { imageTokens, release: () => imageTokens.release() };
  }

  /** CaptionDecoder: one step; the image tokens enter the cache with the first. */
  decodeStep(rec: Recorder, cache: KvCache, memory: GitImageMemory, tokens: Int32Array, captures?: DecoderCaptures): Tensor {
    const imageTokens = cache.length === 0 ? memory.imageTokens : undefined;
    return this.step(rec, cache, { ids: tokens, imageTokens, logits: 'last', attentions: captures?.self });
  }

  /** Every pipeline a captioning request runs (image encoder, the first step over image + prompt, one decoding step). */
  kernelSpecs(): ShaderSpec[] {
    return captionKernelSpecs(this, this.config.bosTokenId);
  }

  /** [batch, P, H] image tokens followed by [batch, T, H] text embeddings → [batch, P + T, H]. */
  private prependImageTokens(rec: Recorder, image: Tensor, text: Tensor, batch: number, T: number): Tensor {
    const H = this.config.hidden;
    const P = this.imageTokens;
    const imageBatch = image.shape[0]!;
    const out = rec.gpu.empty([batch, P + T, H], 'f32', 'git.sequence');
    for (let b = 0; b < batch; b++) {
      // One image may be shared by several rows (beams): row b reads image b mod imageBatch.
      rec.copy(image, out, (b % imageBatch) * P * H * 4, b * (P + T) * H * 4, P * H * 4);
      rec.copy(text, out, b * T * H * 4, (b * (P + T) + P) * H * 4, T * H * 4);
    }
    return out;
  }
}
