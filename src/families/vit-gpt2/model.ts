/**
 * ViT-GPT2 image captioning (nlpconnect/vit-gpt2-image-captioning), as transformers'
 * VisionEncoderDecoderModel(ViTModel, GPT2LMHeadModel with cross-attention):
 *
 *   image → ViT (pre-LN layers, GELU erf, eps 1e-12) → final layernorm = encoder states
 *   tokens → wte + wpe → GPT-2 blocks:  x += attn(ln_1(x))            causal self-attention
 *                                       x += cross(ln_cross_attn(x))  attends to the encoder states
 *                                       x += mlp(ln_2(x))             gelu_new
 *          → ln_f → lm_head (tied to wte) → next-token logits
 *
 * GPT-2's Conv1D weights are [in, out], the transpose of nn.Linear; they are transposed once on the GPU at
 * load so every matmul reads [out, in] rows, the layout the decoding-step GEMV streams fastest.
 * Self-attention keys/values live in a KvCache; cross-attention keys/values are computed once per image.
 */
import { IrisError } from '../../errors';
import type { Gpu } from '../../gpu/gpu';
import type { ShaderSpec } from '../../gpu/pipelines';
import { Recorder } from '../../gpu/recorder';
import type { Tensor } from '../../gpu/tensor';
import { attention, type AttentionArgs, type HeadsView } from '../../kernels/attention';
import type { Activation } from '../../kernels/common';
import { embed, selectRows } from '../../kernels/embedding';
import { matmul } from '../../kernels/matmul';
import { activationOf, count, field, requireDivisible, section, type Json } from '../../nn/config';
import { AttentionCapture, type AttentionProbs, type AttentionRequest } from '../../nn/attention-maps';
import { captionKernelSpecs, decoderAttentionMaps, type CaptionDecoder, type DecoderCaptures } from '../../nn/caption-session';
import { CrossAttentionMemory } from '../../nn/cross-attention';
import { KvCache } from '../../nn/kv-cache';
import type { ParameterSource } from '../../nn/params';
import { applyLayerNorm, linear, loadLayerNorm, type LayerNormParams, type Linear } from '../../nn/transformer';
import { encodeImage, loadVisionTower, parseVisionConfig, patchesPerImage, pixelValues, range, type VisionConfig, type VisionTower } from '../../nn/vision';

export interface Gpt2Config {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  inner: number;
  maxPositions: number;
  eps: number;
  activation: Activation;
}

export interface VitGpt2Config {
  encoder: VisionConfig;
  decoder: Gpt2Config;
  decoderStartTokenId: number;
  eosTokenId: number;
  padTokenId: number;
}

export function parseVitGpt2Config(c: Json): VitGpt2Config {
  if (c.model_type !== 'vision-encoder-decoder') {
    throw new IrisError('unsupported-model', `Expected a vision-encoder-decoder checkpoint, got model_type "${String(c.model_type)}".`);
  }
  const e = section(c, 'encoder');
  const d = section(c, 'decoder');
  if (e.model_type !== 'vit' || d.model_type !== 'gpt2') {
    throw new IrisError('unsupported-model', `Iris runs ViT → GPT-2 encoder-decoders; this one is ${String(e.model_type)} → ${String(d.model_type)}.`);
  }
  const hidden = count(d, 'n_embd', 768);
  const decoder: Gpt2Config = {
    vocabSize: count(d, 'vocab_size', 50257),
    hidden,
    layers: count(d, 'n_layer', 12),
    heads: count(d, 'n_head', 12),
    inner: d.n_inner === null ? 4 * hidden : count(d, 'n_inner', 4 * hidden),
    maxPositions: count(d, 'n_positions', 1024),
    eps: field(d, 'layer_norm_epsilon', 1e-5),
    activation: activationOf(field(d, 'activation_function', 'gelu_new'), 'decoder.activation_function'),
  };
  requireDivisible(hidden, decoder.heads, 'decoder');
  const encoder = parseVisionConfig(e, 'ViTModel');
  if (encoder.hidden !== hidden) throw new IrisError('unsupported-model', 'Encoder and decoder hidden sizes differ (enc_to_dec_proj is not supported).');
  const eos = field(c, 'eos_token_id', field(d, 'eos_token_id', 50256));
  return {
    encoder,
    decoder,
    decoderStartTokenId: field(c, 'decoder_start_token_id', field(d, 'bos_token_id', 50256)),
    eosTokenId: eos,
    padTokenId: field(c, 'pad_token_id', eos),
  };
}

interface Gpt2Block {
  ln1: LayerNormParams;
  query: Linear; // slices of c_attn, like every Conv1D here stored as [out, in]
  keyValue: Linear;
  attnProj: Linear;
  lnCross: LayerNormParams;
  crossQuery: Linear;
  crossKeyValue: Linear;
  crossProj: Linear;
  ln2: LayerNormParams;
  fc: Linear;
  proj: Linear;
}

/** Columns [from, to) of a row-major [rows, cols] matrix (splitting Conv1D's packed q|k|v). */
function columns(data: Float32Array, rows: number, cols: number, from: number, to: number): Float32Array {
  const out = new Float32Array(rows * (to - from));
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + from, r * cols + to), r * (to - from));
  return out;
}

/** A Conv1D [in, out] checkpoint weight, stored as [out, in]. */
function loadConv1D(p: ParameterSource, name: string, inFeatures: number, outFeatures: number): Linear {
  return { weight: p.upload(`${name}.weight`, [inFeatures, outFeatures], 'matmul', { transposed: true }), bias: p.upload(`${name}.bias`, [outFeatures], 'f32') };
}

function loadBlock(p: ParameterSource, prefix: string, c: Gpt2Config): Gpt2Block {
  const h = c.hidden;
  const qkvWeight = p.host(`${prefix}.attn.c_attn.weight`, [h, 3 * h]).data;
  const qkvBias = p.host(`${prefix}.attn.c_attn.bias`, [3 * h]).data;
  const slice = (from: number, to: number, label: string): Linear => ({
    weight: p.uploadHost(columns(qkvWeight, h, 3 * h, from, to), [h, to - from], 'matmul', `${prefix}.attn.c_attn.weight[${label}]`, { transposed: true }),
    bias: p.uploadHost(qkvBias.slice(from, to), [to - from], 'f32', `${prefix}.attn.c_attn.bias[${label}]`),
  });
  return {
    ln1: loadLayerNorm(p, `${prefix}.ln_1`, h, c.eps),
    query: slice(0, h, 'q'),
    keyValue: slice(h, 3 * h, 'kv'),
    attnProj: loadConv1D(p, `${prefix}.attn.c_proj`, h, h),
    lnCross: loadLayerNorm(p, `${prefix}.ln_cross_attn`, h, c.eps),
    crossQuery: loadConv1D(p, `${prefix}.crossattention.q_attn`, h, h),
    crossKeyValue: loadConv1D(p, `${prefix}.crossattention.c_attn`, h, 2 * h),
    crossProj: loadConv1D(p, `${prefix}.crossattention.c_proj`, h, h),
    ln2: loadLayerNorm(p, `${prefix}.ln_2`, h, c.eps),
    fc: loadConv1D(p, `${prefix}.mlp.c_fc`, h, c.inner),
    proj: loadConv1D(p, `${prefix}.mlp.c_proj`, c.inner, h),
  };
}

export interface VitGpt2StepInput {
  ids: Int32Array; // [batch, T]
  /** Padding mask [batch, T] for teacher forcing of right-padded rows (first step only). */
  textMask?: Int32Array | Uint32Array;
  logits: 'last' | 'all';
  /** Attention maps (off by default): the requested layers' self-attention probabilities [batch, heads, T, past + T]. */
  attentions?: AttentionCapture;
  /** Attention maps (off by default): the requested layers' cross-attention probabilities [batch, heads, T, encoder tokens]. */
  crossAttentions?: AttentionCapture;
}

/** One teacher-forced pass's attention probabilities (see VitGpt2Model.attentionMaps). */
export interface VitGpt2AttentionMaps {
  /** ViT layers: [1, heads, 1 + patches, 1 + patches]. */
  encoder: AttentionProbs[];
  /** GPT-2 causal self-attention: [1, heads, T, T]. */
  decoder: AttentionProbs[];
  /** GPT-2 cross-attention to the encoder states: [1, heads, T, 1 + patches] (column 0 is the class token). */
  cross: AttentionProbs[];
}

export class VitGpt2Model implements CaptionDecoder<CrossAttentionMemory> {
  private constructor(
    readonly config: VitGpt2Config,
    private readonly gpu: Gpu,
    private readonly encoder: VisionTower,
    private readonly encoderNorm: LayerNormParams,
    private readonly wte: Tensor,
    private readonly wpe: Tensor,
    private readonly blocks: Gpt2Block[],
    private readonly finalNorm: LayerNormParams,
  ) {}

  static load(p: ParameterSource, configJson: Json): VitGpt2Model {
    const c = parseVitGpt2Config(configJson);
    const d = c.decoder;
    // lm_head is tied to wte (GPT-2's default, whatever the outer config says): the same tensor serves
    // the embedding gather and the output matmul [V, H] with transB. It is a matmul weight (f16 under the
    // f16 policy: the embedding gather reads f16 tables too, and wpe follows wte's dtype): at 50257 × 768
    // it is the largest weight each decoding step reads.
    return new VitGpt2Model(
      c, p.gpu,
      loadVisionTower(p, 'encoder', c.encoder, 'ViTModel'),
      loadLayerNorm(p, 'encoder.layernorm', c.encoder.hidden, c.encoder.eps),
      // The Hub's conversion bot may have kept the tied copy under lm_head's name instead of wte's.
      p.upload(p.has('decoder.transformer.wte.weight') ? 'decoder.transformer.wte.weight' : 'decoder.lm_head.weight', [d.vocabSize, d.hidden], 'matmul'),
      p.upload('decoder.transformer.wpe.weight', [d.maxPositions, d.hidden], 'matmul'),
      range(d.layers).map((i) => loadBlock(p, `decoder.transformer.h.${i}`, d)),
      loadLayerNorm(p, 'decoder.transformer.ln_f', d.hidden, d.eps),
    );
  }

  get imageSize(): number {
    return this.config.encoder.imageSize;
  }

  get gpuDevice(): Gpu {
    return this.gpu;
  }

  /**
   * pixel_values [B, 3, S, S] → ViT last_hidden_state [B, tokens, H] (after the final layernorm).
   * `attentions` captures the ViT layers' attention probabilities (attention maps; off by default).
   */
  encodeImage(rec: Recorder, pixels: Tensor, batch: number, attentions?: AttentionCapture): Tensor {
    return rec.scope(() => applyLayerNorm(rec, encodeImage(rec, this.encoder, pixels, batch, attentions), this.encoderNorm));
  }

  /** Cross-attention keys/values of every layer, computed once per image and shared by all beams. */
  crossAttentionMemory(rec: Recorder, encoderStates: Tensor): CrossAttentionMemory {
    return CrossAttentionMemory.project(rec, encoderStates, this.blocks.map((b) => b.crossKeyValue));
  }

  createCache(batch: number, maxTokens: number): KvCache {
    return new KvCache(this.gpu, this.config.decoder.layers, batch, Math.min(maxTokens, this.config.decoder.maxPositions), this.config.decoder.hidden);
  }

  get encoderTokens(): number {
    return patchesPerImage(this.config.encoder) + 1;
  }

  get vocabSize(): number {
    return this.config.decoder.vocabSize;
  }

  /** CaptionDecoder: the encoder runs once per image; its states are kept only as each layer's cross-attention k|v. */
  imageMemory(rec: Recorder, pixels: Float32Array, attentions?: AttentionCapture): CrossAttentionMemory {
    const states = this.encodeImage(rec, pixelValues(rec, pixels, this.imageSize, 'ViT-GPT2'), 1, attentions);
    rec.releaseAfterSubmit(states);
    return this.crossAttentionMemory(rec, states);
  }

  /** CaptionDecoder: one step against the cache and the image's cross-attention memory. */
  decodeStep(rec: Recorder, cache: KvCache, memory: CrossAttentionMemory, tokens: Int32Array, captures?: DecoderCaptures): Tensor {
    return this.step(rec, cache, memory, { ids: tokens, logits: 'last', attentions: captures?.self, crossAttentions: captures?.cross });
  }

  /** Every pipeline a captioning request runs (encoder, cross-attention k|v, two decoding steps). */
  kernelSpecs(): ShaderSpec[] {
    return captionKernelSpecs(this, this.config.decoderStartTokenId);
  }

  step(rec: Recorder, cache: KvCache, memory: CrossAttentionMemory, input: VitGpt2StepInput): Tensor {
    const d = this.config.decoder;
    const H = d.hidden;
    const batch = cache.batch;
    const T = input.ids.length / batch;
    const headDim = H / d.heads;
    const past = cache.length;
    memory.checkRows(batch, 'ViT-GPT2');

    let x = rec.scope(() => embed(rec, rec.upload(input.ids, [batch, T], 'i32', 'input_ids'), this.wte, { positions: this.wpe, positionOffset: past }));
    let keyPadding: Tensor | undefined;
    if (input.textMask) {
      if (past !== 0) throw new IrisError('bad-input', 'ViT-GPT2: a padding mask is only supported on the first step.');
      keyPadding = rec.upload(Uint32Array.from(input.textMask), [batch, T], 'u32', 'attention_mask');
    }
    const dense = (t: Tensor): HeadsView => ({ tensor: t, rowStride: H, batchStride: T * H });

    this.blocks.forEach((block, l) => {
      // x = x + attn(ln_1(x)): causal self-attention over the cache
      x = rec.scope(() => {
        const h = applyLayerNorm(rec, x, block.ln1);
        const q = linear(rec, h, block.query);
        linear(rec, h, block.keyValue, cache.appendTarget(l, T));
        const args: AttentionArgs = {
          q: dense(q), k: cache.keys(l), v: cache.values(l),
          batch, heads: d.heads, headDim, queryLen: T, keyLen: past + T,
          mask: { causal: true, queryOffset: past, keyPadding },
        };
        const out = attention(rec, args);
        input.attentions?.hook(rec, l)?.(args);
        return linear(rec, out, block.attnProj, { residual: x });
      }, x);

      // x = x + cross(ln_cross_attn(x)): attends to the image's encoder states
      x = rec.scope(() => {
        const args: AttentionArgs = {
          q: dense(linear(rec, applyLayerNorm(rec, x, block.lnCross), block.crossQuery)),
          ...memory.keysAndValues(l, H),
          batch, heads: d.heads, headDim, queryLen: T, keyLen: memory.tokens,
        };
        const out = attention(rec, args);
        input.crossAttentions?.hook(rec, l)?.(args);
        return linear(rec, out, block.crossProj, { residual: x });
      }, x);

      // x = x + mlp(ln_2(x))
      x = rec.scope(() => {
        const inner = linear(rec, applyLayerNorm(rec, x, block.ln2), block.fc, { activation: d.activation });
        return linear(rec, inner, block.proj, { residual: x });
      }, x);
    });
    cache.length += T;

    return rec.scope(() => {
      const normed = applyLayerNorm(rec, x, this.finalNorm);
      const rows = input.logits === 'all' ? normed : selectRows(rec, normed, new Array<number>(batch).fill(T - 1));
      return matmul(rec, rows, this.wte); // tied lm_head: [V, H] with transB
    }, x);
  }

  /**
   * Attention maps of one image and one decoder sequence (start token and generated ids, e.g. a finished
   * caption): one teacher-forced pass.
   */
  async attentionMaps(
    pixels: Float32Array, ids: readonly number[],
    request: { encoder?: AttentionRequest; decoder?: AttentionRequest; cross?: AttentionRequest },
  ): Promise<VitGpt2AttentionMaps> {
    const layers = { image: this.config.encoder.layers, decoder: this.config.decoder.layers };
    const maps = await decoderAttentionMaps(this, pixels, ids, { image: request.encoder, self: request.decoder, cross: request.cross }, layers);
    return { encoder: maps.image, decoder: maps.self, cross: maps.cross };
  }
}
