/**
 * BLIP (Li et al. 2022), as transformers' BlipForConditionalGeneration (captioning) and
 * BlipForQuestionAnswering (VQA):
 *
 *   image → ViT (patch conv with bias, class token, positions; pre-LN layers; post_layernorm on every token)
 *         = image states [1 + patches, vision hidden]
 *
 *   captioning:  [DEC] (+ prompt) → text decoder = image states → next-token logits
 *   VQA:         [CLS] question [SEP] → text encoder (bidirectional, padding mask) ⇄ image states = question states
 *                [DEC] → text decoder ⇄ question states (all-ones mask, as transformers) → answer logits
 *
 * The text encoder and decoder are the same post-LN BERT layer (BlipTextLayer):
 *   x = LN(x + self_attention(x))                       causal in the decoder, padding-masked in the encoder
 *   x = LN(x + cross_attention(x, memory))              memory = image states, or the question states
 *   x = LN(x + ffn(x))
 * and the decoder's head is BERT's LM head: LN(act(dense(x))) · word_embeddingsᵀ + bias (tied to the words).
 * Self-attention keys/values live in a KvCache; the memory's keys/values are projected once per image or question.
 */
import { IrisError } from '../../errors';
import type { Gpu } from '../../gpu/gpu';
import type { ShaderSpec } from '../../gpu/pipelines';
import { Recorder } from '../../gpu/recorder';
import type { Tensor } from '../../gpu/tensor';
import { attention, type AttentionArgs, type HeadsView } from '../../kernels/attention';
import { embed, selectRows } from '../../kernels/embedding';
import { count, field, section, type Json } from '../../nn/config';
import { AttentionCapture, type AttentionProbs, type AttentionRequest } from '../../nn/attention-maps';
import { captionKernelSpecs, decoderAttentionMaps, type CaptionDecoder, type DecoderCaptures } from '../../nn/caption-session';
import { CrossAttentionMemory } from '../../nn/cross-attention';
import { KvCache } from '../../nn/kv-cache';
import type { ParameterSource } from '../../nn/params';
import { bertAttentionOutput, bertFeedForward, loadBertCachedAttention, loadBertFeedForward, type BertCachedAttention, type BertFeedForward } from '../../nn/bert';
import {
  applyLayerNorm, linear, loadLayerNorm, loadLinear, parseTextTransformerConfig,
  type EncoderLayer, type LayerNormParams, type Linear, type TextTransformerConfig,
} from '../../nn/transformer';
import { encodeImage, parseVisionConfig, patchesPerImage, pixelValues, range, type VisionConfig, type VisionTower } from '../../nn/vision';

export interface BlipTextConfig extends TextTransformerConfig {
  /** Width of the states cross-attention reads (the vision hidden size; the text width for the answer decoder). */
  encoderHidden: number;
}

export interface BlipConfig {
  vision: VisionConfig;
  text: BlipTextConfig;
  /** [DEC]: the decoder's first token (writes over a prompt's [CLS]). */
  bosTokenId: number;
  /** [SEP]: generation stops at it (transformers passes sep_token_id as eos). */
  sepTokenId: number;
  padTokenId: number;
}

/** BlipConfig's vision_config / text_config, with BlipVisionConfig's and BlipTextConfig's class defaults. */
export function parseBlipConfig(c: Json): BlipConfig {
  if (c.model_type !== 'blip') throw new IrisError('unsupported-model', `Expected a BLIP checkpoint (model_type "blip"), got "${String(c.model_type)}".`);
  const v = section(c, 'vision_config');
  const t = section(c, 'text_config');
  // BlipVisionConfig's defaults: 384-pixel images in 16-pixel patches.
  const vision = parseVisionConfig(v, { imageSize: 384, patchSize: 16, eps: 1e-5, activation: 'gelu' });
  const text: BlipTextConfig = {
    ...parseTextTransformerConfig(t, { vocabSize: 30524, hidden: 768, intermediate: 3072, layers: 12, heads: 8, maxPositions: 512, eps: 1e-12, activation: 'gelu' }),
    encoderHidden: count(t, 'encoder_hidden_size', 768),
  };
  return {
    vision, text,
    bosTokenId: field(t, 'bos_token_id', 30522),
    sepTokenId: field(t, 'sep_token_id', 102),
    padTokenId: field(t, 'pad_token_id', 0),
  };
}

/** BlipVisionModel: HF ViT-like embeddings and CLIP-like layer names (fused qkv), no pre-LN. */
function loadBlipVisionTower(p: ParameterSource, prefix: string, c: VisionConfig): VisionTower {
  const { hidden, channels, patchSize, intermediate, eps } = c;
  const tokens = patchesPerImage(c) + 1;
  const layer = (l: string): EncoderLayer => ({
    ln1: loadLayerNorm(p, `${l}.layer_norm1`, hidden, eps),
    qkv: loadLinear(p, `${l}.self_attn.qkv`, 3 * hidden, hidden), // already q|k|v, each [heads · headDim]
    out: loadLinear(p, `${l}.self_attn.projection`, hidden, hidden),
    ln2: loadLayerNorm(p, `${l}.layer_norm2`, hidden, eps),
    fc1: loadLinear(p, `${l}.mlp.fc1`, intermediate, hidden),
    fc2: loadLinear(p, `${l}.mlp.fc2`, hidden, intermediate),
  });
  return {
    config: c,
    patchWeight: p.upload(`${prefix}.embeddings.patch_embedding.weight`, [hidden, channels, patchSize, patchSize], 'matmul'),
    patchBias: p.upload(`${prefix}.embeddings.patch_embedding.bias`, [hidden], 'f32'),
    classToken: p.upload(`${prefix}.embeddings.class_embedding`, [1, 1, hidden], 'f32').reshape([hidden]),
    positions: p.upload(`${prefix}.embeddings.position_embedding`, [1, tokens, hidden], 'f32').reshape([tokens, hidden]),
    layers: range(c.layers).map((i) => layer(`${prefix}.encoder.layers.${i}`)),
  };
}

/** BLIP's ViT: image states [B, 1 + patches, hidden], post_layernorm applied to every token. */
export class BlipVision {
  private constructor(readonly config: VisionConfig, private readonly tower: VisionTower, private readonly postNorm: LayerNormParams) {}

  static load(p: ParameterSource, prefix: string, c: VisionConfig): BlipVision {
    return new BlipVision(c, loadBlipVisionTower(p, prefix, c), loadLayerNorm(p, `${prefix}.post_layernorm`, c.hidden, c.eps));
  }

  get tokens(): number {
    return patchesPerImage(this.config) + 1;
  }

  encode(rec: Recorder, pixels: Tensor, batch: number, attentions?: AttentionCapture): Tensor {
    return rec.scope(() => applyLayerNorm(rec, encodeImage(rec, this.tower, pixels, batch, attentions), this.postNorm));
  }
}

/** One BlipTextLayer: self-attention, cross-attention, feed-forward, each followed by a residual LayerNorm. */
interface BlipTextLayer extends BertFeedForward {
  attention: BertCachedAttention; // k|v written into the cache
  crossAttention: BertCachedAttention; // k|v of the memory states (encoderHidden wide), projected once per memory
}

function loadTextLayer(p: ParameterSource, prefix: string, c: BlipTextConfig, memoryWidth: number): BlipTextLayer {
  return {
    attention: loadBertCachedAttention(p, `${prefix}.attention`, c.hidden, c.hidden, c.eps),
    crossAttention: loadBertCachedAttention(p, `${prefix}.crossattention`, c.hidden, memoryWidth, c.eps),
    ...loadBertFeedForward(p, prefix, c, c.eps),
  };
}

export interface BlipTextStepInput {
  /** Token ids [batch, T], row-major. */
  ids: Int32Array;
  /** Padding mask [batch, T] (1 = token) of right-padded rows; first step only. */
  textMask?: Int32Array | Uint32Array;
  /** Attention maps (off by default): self-attention [batch, heads, T, past + T]. */
  attentions?: AttentionCapture;
  /** Attention maps (off by default): cross-attention [batch, heads, T, memory tokens]. */
  crossAttentions?: AttentionCapture;
}

/** BlipTextModel (+ BlipTextLMHeadModel's head when it is the decoder): embeddings and BlipTextLayers. */
export class BlipText {
  private constructor(
    readonly config: BlipTextConfig,
    readonly causal: boolean,
    private readonly gpu: Gpu,
    private readonly wordEmbeddings: Tensor,
    private readonly positionEmbeddings: Tensor,
    private readonly embeddingNorm: LayerNormParams,
    private readonly layers: BlipTextLayer[],
    private readonly head?: { transform: Linear; norm: LayerNormParams; decoder: Linear },
  ) {}

  /** `prefix`: "text_decoder" (with its LM head, causal) or "text_encoder" (bidirectional, no head). */
  static load(p: ParameterSource, prefix: 'text_decoder' | 'text_encoder', c: BlipTextConfig, memoryWidth: number): BlipText {
    const decoder = prefix === 'text_decoder';
    const bert = decoder ? `${prefix}.bert` : prefix;
    const h = c.hidden;
    const words = `${bert}.embeddings.word_embeddings.weight`;
    // The head's weight is tied to the word embeddings: one [V, H] matmul weight serves the gather and the logits.
    // Conversions may have kept the tied copy under the head's name instead.
    const tiedName = p.has(words) || !decoder ? words : `${prefix}.cls.predictions.decoder.weight`;
    const wordEmbeddings = p.upload(tiedName, [c.vocabSize, h], decoder ? 'matmul' : 'f32');
    return new BlipText(
      c, decoder, p.gpu, wordEmbeddings,
      p.upload(`${bert}.embeddings.position_embeddings.weight`, [c.maxPositions, h], decoder ? 'matmul' : 'f32'),
      loadLayerNorm(p, `${bert}.embeddings.LayerNorm`, h, c.eps),
      range(c.layers).map((i) => loadTextLayer(p, `${bert}.encoder.layer.${i}`, c, memoryWidth)),
      decoder
        ? {
            transform: loadLinear(p, `${prefix}.cls.predictions.transform.dense`, h, h),
            norm: loadLayerNorm(p, `${prefix}.cls.predictions.transform.LayerNorm`, h, c.eps),
            decoder: { weight: wordEmbeddings, bias: p.upload(`${prefix}.cls.predictions.bias`, [c.vocabSize], 'f32') },
          }
        : undefined,
    );
  }

  /** Each layer's cross-attention k|v of `states` [memoryBatch, tokens, memoryWidth], computed once and shared by every row. */
  crossMemory(rec: Recorder, states: Tensor): CrossAttentionMemory {
    return CrossAttentionMemory.project(rec, states, this.layers.map((layer) => layer.crossAttention.keyValue));
  }

  createCache(batch: number, maxTokens: number): KvCache {
    return new KvCache(this.gpu, this.config.layers, batch, Math.min(maxTokens, this.config.maxPositions), this.config.hidden);
  }

  /** T new tokens through every layer (keys/values appended to `cache`): the last hidden states [batch, T, hidden]. */
  hiddenStates(rec: Recorder, cache: KvCache, memory: CrossAttentionMemory, input: BlipTextStepInput): Tensor {
    const c = this.config;
    const H = c.hidden;
    const batch = cache.batch;
    const T = input.ids.length / batch;
    const headDim = H / c.heads;
    const past = cache.length;
    memory.checkRows(batch, 'BLIP');
    if (past + T > c.maxPositions) throw new IrisError('bad-input', `BLIP: ${past + T} tokens exceed the text model's ${c.maxPositions} positions.`);

    // x = LN(words + positions), positions continuing after the cached ones
    let x = rec.scope(() => {
      const ids = rec.upload(input.ids, [batch, T], 'i32', 'input_ids');
      return applyLayerNorm(rec, embed(rec, ids, this.wordEmbeddings, { positions: this.positionEmbeddings, positionOffset: past }), this.embeddingNorm);
    });
    let keyPadding: Tensor | undefined;
    if (input.textMask) {
      if (past !== 0) throw new IrisError('bad-input', 'BLIP: a text padding mask is only supported on the first step.');
      keyPadding = rec.upload(Uint32Array.from(input.textMask), [batch, T], 'u32', 'attention_mask');
    }
    const dense = (t: Tensor): HeadsView => ({ tensor: t, rowStride: H, batchStride: T * H });

    this.layers.forEach((layer, l) => {
      // x = LN(x + self_attention(x)): causal over the cache in the decoder, every unpadded token in the encoder
      x = rec.scope(() => {
        const q = linear(rec, x, layer.attention.query);
        linear(rec, x, layer.attention.keyValue, cache.appendTarget(l, T));
        const args: AttentionArgs = {
          q: dense(q), k: cache.keys(l), v: cache.values(l),
          batch, heads: c.heads, headDim, queryLen: T, keyLen: past + T,
          mask: { causal: this.causal, queryOffset: past, keyPadding },
        };
        const out = attention(rec, args);
        input.attentions?.hook(rec, l)?.(args);
        return bertAttentionOutput(rec, layer.attention, out, x);
      }, x);

      // x = LN(x + cross_attention(x, memory)): every memory token (transformers' all-ones mask)
      x = rec.scope(() => {
        const args: AttentionArgs = {
          q: dense(linear(rec, x, layer.crossAttention.query)),
          ...memory.keysAndValues(l, H),
          batch, heads: c.heads, headDim, queryLen: T, keyLen: memory.tokens,
        };
        const out = attention(rec, args);
        input.crossAttentions?.hook(rec, l)?.(args);
        return bertAttentionOutput(rec, layer.crossAttention, out, x);
      }, x);

      x = bertFeedForward(rec, layer, x, c.activation); // x = LN(x + ffn(x))
    });
    cache.length += T;
    return x;
  }

  /** The decoder's logits: of each row's last position [batch, V] ('last') or of every position [batch, T, V]. */
  logits(rec: Recorder, cache: KvCache, memory: CrossAttentionMemory, input: BlipTextStepInput, which: 'last' | 'all'): Tensor {
    const head = this.head;
    if (!head) throw new IrisError('bad-input', 'BLIP: the text encoder has no LM head.');
    const batch = cache.batch;
    const T = input.ids.length / batch;
    const x = this.hiddenStates(rec, cache, memory, input);
    return rec.scope(() => {
      const rows = which === 'all' ? x : selectRows(rec, x, new Array<number>(batch).fill(T - 1));
      const transformed = applyLayerNorm(rec, linear(rec, rows, head.transform, { activation: this.config.activation }), head.norm);
      return linear(rec, transformed, head.decoder);
    }, x);
  }
}

/** One teacher-forced pass's attention probabilities (see BlipCaptionModel.attentionMaps). */
export interface BlipAttentionMaps {
  /** ViT layers: [1, heads, 1 + patches, 1 + patches]. */
  vision: AttentionProbs[];
  /** Text decoder cross-attention to the image states: [1, heads, T, 1 + patches] (column 0: the class token). */
  cross: AttentionProbs[];
}

/** BlipForConditionalGeneration: the ViT and the text decoder cross-attending to its image states. */
export class BlipCaptionModel implements CaptionDecoder<CrossAttentionMemory> {
  private constructor(readonly config: BlipConfig, readonly gpuDevice: Gpu, readonly vision: BlipVision, readonly decoder: BlipText) {}

  static load(p: ParameterSource, configJson: Json): BlipCaptionModel {
    const c = parseBlipConfig(configJson);
    if (c.text.encoderHidden !== c.vision.hidden) {
      throw new IrisError('bad-config', `config.json: text_config.encoder_hidden_size ${c.text.encoderHidden} must equal vision_config.hidden_size ${c.vision.hidden}.`);
    }
    return new BlipCaptionModel(c, p.gpu, BlipVision.load(p, 'vision_model', c.vision), BlipText.load(p, 'text_decoder', c.text, c.vision.hidden));
  }

  get vocabSize(): number {
    return this.config.text.vocabSize;
  }

  get imageSize(): number {
    return this.config.vision.imageSize;
  }

  /** CaptionDecoder: the ViT runs once per image; its states are kept only as each layer's cross-attention k|v. */
  imageMemory(rec: Recorder, pixels: Float32Array, attentions?: AttentionCapture): CrossAttentionMemory {
    const states = this.vision.encode(rec, pixelValues(rec, pixels, this.imageSize, 'BLIP'), 1, attentions);
    rec.releaseAfterSubmit(states);
    return this.decoder.crossMemory(rec, states);
  }

  createCache(rows: number, maxTokens: number): KvCache {
    return this.decoder.createCache(rows, maxTokens);
  }

  decodeStep(rec: Recorder, cache: KvCache, memory: CrossAttentionMemory, tokens: Int32Array, captures?: DecoderCaptures): Tensor {
    return this.decoder.logits(rec, cache, memory, { ids: tokens, attentions: captures?.self, crossAttentions: captures?.cross }, 'last');
  }

  kernelSpecs(): ShaderSpec[] {
    return captionKernelSpecs(this, this.config.bosTokenId);
  }

  async attentionMaps(pixels: Float32Array, ids: readonly number[], request: { vision?: AttentionRequest; cross?: AttentionRequest }): Promise<BlipAttentionMaps> {
    const maps = await decoderAttentionMaps(this, pixels, ids, { image: request.vision, cross: request.cross }, { image: this.config.vision.layers, decoder: this.config.text.layers });
    return { vision: maps.image, cross: maps.cross };
  }
}

/** One teacher-forced pass's attention probabilities (see BlipVqaModel.attentionMaps). */
export interface BlipVqaAttentionMaps {
  /** ViT layers: [1, heads, 1 + patches, 1 + patches]. */
  vision: AttentionProbs[];
  /** Question encoder cross-attention to the image states: [1, heads, question tokens, 1 + patches]. */
  questionCross: AttentionProbs[];
  /** Answer decoder cross-attention to the question states: [1, heads, answer tokens, question tokens]. */
  answerCross: AttentionProbs[];
}

/** BlipForQuestionAnswering: the ViT, the question encoder cross-attending to the image, the answer decoder to the question. */
export class BlipVqaModel {
  private constructor(readonly config: BlipConfig, readonly vision: BlipVision, readonly questionEncoder: BlipText, readonly answerDecoder: BlipText, readonly gpu: Gpu) {}

  static load(p: ParameterSource, configJson: Json): BlipVqaModel {
    const c = parseBlipConfig(configJson);
    if (c.text.encoderHidden !== c.vision.hidden || c.text.encoderHidden !== c.text.hidden) {
      throw new IrisError('bad-config', `config.json: BLIP VQA needs text_config.encoder_hidden_size (${c.text.encoderHidden}) = vision_config.hidden_size (${c.vision.hidden}) = text_config.hidden_size (${c.text.hidden}).`);
    }
    return new BlipVqaModel(
      c, BlipVision.load(p, 'vision_model', c.vision),
      BlipText.load(p, 'text_encoder', c.text, c.vision.hidden),
      BlipText.load(p, 'text_decoder', c.text, c.text.hidden),
      p.gpu,
    );
  }

  get imageSize(): number {
    return this.config.vision.imageSize;
  }

  /**
   * The question states [batch, T, hidden]: the question ids ([CLS] … [SEP], right-padded, with `mask`) through
   * the text encoder, cross-attending to every image token of `imageStates` [batch or 1, 1 + patches, vision hidden].
   */
  questionStates(rec: Recorder, imageStates: Tensor, question: Int32Array, batch: number, mask?: Int32Array | Uint32Array, captures?: DecoderCaptures): Tensor {
    const T = question.length / batch;
    const memory = this.questionEncoder.crossMemory(rec, imageStates);
    const cache = this.questionEncoder.createCache(batch, T);
    const states = this.questionEncoder.hiddenStates(rec, cache, memory, { ids: question, textMask: mask, attentions: captures?.self, crossAttentions: captures?.cross });
    memory.releaseAfterSubmit(rec);
    cache.releaseAfterSubmit(rec);
    return states;
  }

  /**
   * Every pipeline an answering request runs (ViT, question encoder, answer memory, two decoding steps), for a
   * short question and a long one: the matmuls of a few rows take another kernel than those of many.
   */
  kernelSpecs(): ShaderSpec[] {
    const { bosTokenId, sepTokenId } = this.config;
    const question = (words: number) => [bosTokenId, ...new Array<number>(words).fill(sepTokenId), sepTokenId];
    return [question(0), question(Math.min(16, this.config.text.maxPositions - 2))].flatMap((q) => captionKernelSpecs(this.answerDecoderFor(q), bosTokenId));
  }

  /**
   * Attention maps of one image, one question and one answer sequence ([DEC] + answer ids): one teacher-forced
   * pass through the ViT, the question encoder and the answer decoder, reading back the requested layers.
   */
  async attentionMaps(
    pixels: Float32Array, question: readonly number[], ids: readonly number[],
    request: { vision?: AttentionRequest; questionCross?: AttentionRequest; answerCross?: AttentionRequest },
  ): Promise<BlipVqaAttentionMaps> {
    if (ids.length === 0) throw new IrisError('bad-input', 'Attention maps need at least one answer token.');
    const vision = AttentionCapture.create(request.vision, this.config.vision.layers);
    const questionCross = AttentionCapture.create(request.questionCross, this.config.text.layers);
    const answerCross = AttentionCapture.create(request.answerCross, this.config.text.layers);
    const rec = new Recorder(this.gpu, 'vqa.attention-maps');
    const image = this.vision.encode(rec, pixelValues(rec, pixels, this.imageSize, 'BLIP'), 1, vision);
    const states = this.questionStates(rec, image, Int32Array.from(question), 1, undefined, { cross: questionCross });
    const memory = this.answerDecoder.crossMemory(rec, states);
    const cache = this.answerDecoder.createCache(1, ids.length);
    rec.releaseAfterSubmit(image, states, this.answerDecoder.logits(rec, cache, memory, { ids: Int32Array.from(ids), crossAttentions: answerCross }, 'last'));
    try {
      await rec.submit();
    } finally {
      cache.release();
      memory.release();
    }
    return { vision: (await vision?.results()) ?? [], questionCross: (await questionCross?.results()) ?? [], answerCross: (await answerCross?.results()) ?? [] };
  }

  /**
   * The answer decoder over one image and one question ([CLS] … [SEP] ids; `mask` marks padding, if any), for
   * CaptionSession and generate(): its memory is the question states of every position, padded ones too (the
   * all-ones mask transformers gives the decoder), its first token [DEC].
   */
  answerDecoderFor(question: readonly number[], mask?: readonly number[]): CaptionDecoder<CrossAttentionMemory> {
    const model = this;
    return {
      gpuDevice: this.gpu,
      vocabSize: this.config.text.vocabSize,
      imageMemory(rec, pixels, attentions) {
        const image = model.vision.encode(rec, pixelValues(rec, pixels, model.imageSize, 'BLIP'), 1, attentions);
        const states = model.questionStates(rec, image, Int32Array.from(question), 1, mask && Int32Array.from(mask));
        rec.releaseAfterSubmit(image, states);
        return model.answerDecoder.crossMemory(rec, states);
      },
      createCache: (rows, maxTokens) => model.answerDecoder.createCache(rows, maxTokens),
      decodeStep: (rec, cache, memory, tokens, captures) =>
        model.answerDecoder.logits(rec, cache, memory, { ids: tokens, attentions: captures?.self, crossAttentions: captures?.cross }, 'last'),
    };
  }
}
