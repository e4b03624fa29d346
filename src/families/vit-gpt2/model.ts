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
import { captionKernelSpecs, type CaptionDecoder, type ImageMemory } from '../../nn/caption-session';
import { KvCache } from '../../nn/kv-cache';
import type { ParameterSource } from '../../nn/params';
import { applyLayerNorm, loadLayerNorm, type LayerNormParams, type Linear } from '../../nn/transformer';
import { encodeImage, loadVisionTower, parseVisionConfig, patchesPerImage, range, type VisionConfig, type VisionTower } from '../../nn/vision';

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

/** Encoder states projected to each layer's cross-attention k|v: [imageBatch, tokens, 2·hidden] per layer. */
export interface CrossAttentionMemory extends ImageMemory {
  keyValues: Tensor[];
  imageBatch: number;
  tokens: number;
  release(): void;
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
    const hidden = encodeImage(rec, this.encoder, pixels, batch, attentions);
    const out = applyLayerNorm(rec, hidden, this.encoderNorm);
    hidden.release();
    return out;
  }

  /** Cross-attention keys/values of every layer, computed once per image and shared by all beams. */
  crossAttentionMemory(rec: Recorder, encoderStates: Tensor): CrossAttentionMemory {
    const [imageBatch, tokens] = encoderStates.shape as [number, number, number];
    const keyValues = this.blocks.map((b) => matmul(rec, encoderStates, b.crossKeyValue.weight, { bias: b.crossKeyValue.bias }));
    return { keyValues, imageBatch, tokens, release: () => keyValues.forEach((t) => t.release()) };
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
  imageMemory(rec: Recorder, pixels: Float32Array): CrossAttentionMemory {
    const size = this.imageSize;
    const states = this.encodeImage(rec, rec.upload(pixels, [1, 3, size, size], 'f32', 'pixel_values'), 1);
    rec.releaseAfterSubmit(states);
    return this.crossAttentionMemory(rec, states);
  }

  /** CaptionDecoder: one step against the cache and the image's cross-attention memory. */
  decodeStep(rec: Recorder, cache: KvCache, memory: CrossAttentionMemory, tokens: Int32Array): Tensor {
    return this.step(rec, cache, memory, { ids: tokens, logits: 'last' });
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
    if (memory.imageBatch !== 1 && memory.imageBatch !== batch) throw new IrisError('bad-input', `ViT-GPT2: ${memory.imageBatch} images for ${batch} rows.`);

    const ids = rec.upload(input.ids, [batch, T], 'i32', 'input_ids');
    let x = embed(rec, ids, this.wte, { positions: this.wpe, positionOffset: past });
    let keyPadding: Tensor | undefined;
    if (input.textMask) {
      if (past !== 0) throw new IrisError('bad-input', 'ViT-GPT2: a padding mask is only supported on the first step.');
      keyPadding = rec.upload(Uint32Array.from(input.textMask), [batch, T], 'u32', 'attention_mask');
    }
    const dense = (t: Tensor): HeadsView => ({ tensor: t, rowStride: H, batchStride: T * H });

    this.blocks.forEach((block, l) => {
      // Causal self-attention over the cache.
      const h1 = applyLayerNorm(rec, x, block.ln1);
      const q = matmul(rec, h1, block.query.weight, { bias: block.query.bias });
      matmul(rec, h1, block.keyValue.weight, { bias: block.keyValue.bias, ...cache.appendTarget(l, T) });
      h1.release();
      const selfArgs: AttentionArgs = {
        q: dense(q), k: cache.keys(l), v: cache.values(l),
        batch, heads: d.heads, headDim, queryLen: T, keyLen: past + T,
        mask: { causal: true, queryOffset: past, keyPadding },
      };
      const selfOut = attention(rec, selfArgs);
      input.attentions?.hook(rec, l)?.(selfArgs);
      q.release();
      const x1 = matmul(rec, selfOut, block.attnProj.weight, { bias: block.attnProj.bias, residual: x });
      selfOut.release();
      x.release();

      // Cross-attention to the image.
      const h2 = applyLayerNorm(rec, x1, block.lnCross);
      const cq = matmul(rec, h2, block.crossQuery.weight, { bias: block.crossQuery.bias });
      h2.release();
      const kv = memory.keyValues[l]!;
      const shared = memory.imageBatch === 1 ? 0 : memory.tokens * 2 * H;
      const crossArgs: AttentionArgs = {
        q: dense(cq),
        k: { tensor: kv, offset: 0, rowStride: 2 * H, batchStride: shared },
        v: { tensor: kv, offset: H, rowStride: 2 * H, batchStride: shared },
        batch, heads: d.heads, headDim, queryLen: T, keyLen: memory.tokens,
      };
      const crossOut = attention(rec, crossArgs);
      input.crossAttentions?.hook(rec, l)?.(crossArgs);
      cq.release();
      const x2 = matmul(rec, crossOut, block.crossProj.weight, { bias: block.crossProj.bias, residual: x1 });
      crossOut.release();
      x1.release();

      // MLP.
      const h3 = applyLayerNorm(rec, x2, block.ln2);
      const inner = matmul(rec, h3, block.fc.weight, { bias: block.fc.bias, activation: d.activation });
      h3.release();
      x = matmul(rec, inner, block.proj.weight, { bias: block.proj.bias, residual: x2 });
      inner.release();
      x2.release();
    });
    cache.length += T;

    const normed = applyLayerNorm(rec, x, this.finalNorm);
    x.release();
    const rows = input.logits === 'all' ? normed : selectRows(rec, normed, new Array<number>(batch).fill(T - 1));
    const logits = matmul(rec, rows, this.wte); // tied lm_head: [V, H] with transB
    if (rows !== normed) rows.release();
    normed.release();
    return logits;
  }

  /**
   * Attention maps of one image and one decoder sequence (start token and generated ids, e.g. a finished
   * caption): a single teacher-forced pass, encoder and decoder in one submit, that reads back the requested
   * layers' probabilities.
   */
  async attentionMaps(
    pixels: Float32Array, ids: readonly number[],
    request: { encoder?: AttentionRequest; decoder?: AttentionRequest; cross?: AttentionRequest },
  ): Promise<VitGpt2AttentionMaps> {
    const size = this.imageSize;
    if (pixels.length !== 3 * size * size) throw new IrisError('bad-input', `ViT-GPT2 expects pixel_values [1, 3, ${size}, ${size}], got ${pixels.length} values.`);
    if (ids.length === 0) throw new IrisError('bad-input', 'ViT-GPT2 attention maps need at least one token.');
    const layers = this.config.decoder.layers;
    const encoder = AttentionCapture.create(request.encoder, this.config.encoder.layers);
    const decoder = AttentionCapture.create(request.decoder, layers);
    const cross = AttentionCapture.create(request.cross, layers);
    const rec = new Recorder(this.gpu, 'vit-gpt2.attention-maps');
    const states = this.encodeImage(rec, rec.upload(pixels, [1, 3, size, size], 'f32', 'pixel_values'), 1, encoder);
    const memory = this.crossAttentionMemory(rec, states);
    const cache = this.createCache(1, ids.length);
    const logits = this.step(rec, cache, memory, { ids: Int32Array.from(ids), logits: 'last', attentions: decoder, crossAttentions: cross });
    rec.releaseAfterSubmit(states, logits);
    try {
      await rec.submit();
    } finally {
      cache.release();
      memory.release();
    }
    return { encoder: (await encoder?.results()) ?? [], decoder: (await decoder?.results()) ?? [], cross: (await cross?.results()) ?? [] };
  }
}
