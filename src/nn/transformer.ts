/**
 * Building blocks shared by every model: Linear and LayerNorm parameters, and the pre-LN Transformer
 * encoder layer (CLIP text/vision, GIT vision, ViT) with fused q|k|v projection:
 *
 *   x = x + out_proj(attention(q, k, v of LN1(x)))
 *   x = x + fc2(act(fc1(LN2(x))))
 */
import type { Recorder } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import { attention, type AttentionArgs, type AttentionMask } from '../kernels/attention';
import type { Activation } from '../kernels/common';
import { layerNorm } from '../kernels/layernorm';
import { matmul, type MatmulOptions } from '../kernels/matmul';
import { activationOf, count, field, keyPath, requireDivisible, sectionName, type Json } from './config';
import type { ParameterSource } from './params';

export interface Linear {
  weight: Tensor; // [out, in] (PyTorch) unless noted
  bias?: Tensor; // [out]
}

export interface LayerNormParams {
  weight: Tensor;
  bias: Tensor;
  eps: number;
}

export function loadLinear(p: ParameterSource, name: string, outFeatures: number, inFeatures: number, bias = true): Linear {
  return {
    weight: p.upload(`${name}.weight`, [outFeatures, inFeatures], 'matmul'),
    bias: bias ? p.upload(`${name}.bias`, [outFeatures], 'f32') : undefined,
  };
}

export function loadLayerNorm(p: ParameterSource, name: string, size: number, eps: number): LayerNormParams {
  return { weight: p.upload(`${name}.weight`, [size], 'f32'), bias: p.upload(`${name}.bias`, [size], 'f32'), eps };
}

export function applyLayerNorm(rec: Recorder, x: Tensor, ln: LayerNormParams): Tensor {
  return layerNorm(rec, x, ln.weight, ln.bias, ln.eps);
}

/** x·Wᵀ + b, then the options' activation and residual (fused into the matmul's epilogue). */
export function linear(rec: Recorder, x: Tensor, layer: Linear, options: Omit<MatmulOptions, 'bias'> = {}): Tensor {
  return matmul(rec, x, layer.weight, { bias: layer.bias, ...options });
}

/**
 * `${prefix}.key` and `${prefix}.value` as one [2·hidden, inFeatures] projection: k|v computed by one matmul
 * and written together into a KV cache (or a cross-attention memory).
 */
export function loadKeyValue(p: ParameterSource, prefix: string, hidden: number, inFeatures: number): Linear {
  const part = (name: 'key' | 'value', kind: 'weight' | 'bias') => p.host(`${prefix}.${name}.${kind}`, kind === 'weight' ? [hidden, inFeatures] : [hidden]).data;
  return {
    weight: p.uploadHost(concat([part('key', 'weight'), part('value', 'weight')]), [2 * hidden, inFeatures], 'matmul', `${prefix}.key+value.weight`),
    bias: p.uploadHost(concat([part('key', 'bias'), part('value', 'bias')]), [2 * hidden], 'f32', `${prefix}.key+value.bias`),
  };
}

/** q, k and v projections concatenated into one [3·hidden, hidden] matmul (one dispatch instead of three). */
export function loadFusedQkv(p: ParameterSource, names: [string, string, string], hidden: number): Linear {
  const weights = names.map((n) => p.host(`${n}.weight`, [hidden, hidden]).data);
  const biases = names.map((n) => p.host(`${n}.bias`, [hidden]).data);
  return {
    weight: p.uploadHost(concat(weights), [3 * hidden, hidden], 'matmul', `${names[0]}+k+v.weight`),
    bias: p.uploadHost(concat(biases), [3 * hidden], 'f32', `${names[0]}+k+v.bias`),
  };
}

export function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Multi-head self-attention over a packed q|k|v tensor [batch, seq, 3·hidden]. `onAttention` (attention
 * maps only) is called with the attention's arguments after it is recorded, while q|k|v is still alive.
 */
export function selfAttention(
  rec: Recorder, qkv: Tensor, batch: number, seq: number, heads: number, hidden: number, mask?: AttentionMask,
  onAttention?: (args: AttentionArgs) => void,
): Tensor {
  const rowStride = 3 * hidden;
  const view = (offset: number) => ({ tensor: qkv, offset, rowStride, batchStride: seq * rowStride });
  const args: AttentionArgs = {
    q: view(0), k: view(hidden), v: view(2 * hidden),
    batch, heads, headDim: hidden / heads, queryLen: seq, keyLen: seq, mask,
  };
  const out = attention(rec, args);
  onAttention?.(args);
  return out;
}

export interface EncoderLayer {
  ln1: LayerNormParams;
  qkv: Linear;
  out: Linear;
  ln2: LayerNormParams;
  fc1: Linear;
  fc2: Linear;
}

/** The sizes of a text transformer's config (CLIP's text tower, GIT's BERT layers): what its layers are built of. */
export interface TextTransformerConfig {
  vocabSize: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  maxPositions: number;
  eps: number;
  activation: Activation;
}

/** A config class's defaults for the fields of a TextTransformerConfig (the activation by its config name). */
export type TextTransformerDefaults = Omit<TextTransformerConfig, 'activation'> & { activation: string };

/**
 * The BERT-style fields (vocab_size, hidden_size, …, layer_norm_eps, hidden_act) of config section `c`, with
 * the config class's defaults; the width must split evenly into the heads.
 */
export function parseTextTransformerConfig(c: Json, defaults: TextTransformerDefaults): TextTransformerConfig {
  const config: TextTransformerConfig = {
    vocabSize: count(c, 'vocab_size', defaults.vocabSize),
    hidden: count(c, 'hidden_size', defaults.hidden),
    intermediate: count(c, 'intermediate_size', defaults.intermediate),
    layers: count(c, 'num_hidden_layers', defaults.layers),
    heads: count(c, 'num_attention_heads', defaults.heads),
    maxPositions: count(c, 'max_position_embeddings', defaults.maxPositions),
    eps: field(c, 'layer_norm_eps', defaults.eps),
    activation: activationOf(field(c, 'hidden_act', defaults.activation), keyPath(c, 'hidden_act')),
  };
  requireDivisible(config.hidden, config.heads, sectionName(c));
  return config;
}

export interface EncoderShape {
  hidden: number;
  intermediate: number;
  heads: number;
  activation: Activation;
}

/** Parameter names of one pre-LN encoder layer, in CLIP's or HF ViT's naming. */
export interface EncoderLayerNames {
  ln1: string; q: string; k: string; v: string; out: string; ln2: string; fc1: string; fc2: string;
}

export const clipLayerNames = (prefix: string): EncoderLayerNames => ({
  ln1: `${prefix}.layer_norm1`,
  q: `${prefix}.self_attn.q_proj`, k: `${prefix}.self_attn.k_proj`, v: `${prefix}.self_attn.v_proj`,
  out: `${prefix}.self_attn.out_proj`,
  ln2: `${prefix}.layer_norm2`,
  fc1: `${prefix}.mlp.fc1`, fc2: `${prefix}.mlp.fc2`,
});

export const vitLayerNames = (prefix: string): EncoderLayerNames => ({
  ln1: `${prefix}.layernorm_before`,
  q: `${prefix}.attention.attention.query`, k: `${prefix}.attention.attention.key`, v: `${prefix}.attention.attention.value`,
  out: `${prefix}.attention.output.dense`,
  ln2: `${prefix}.layernorm_after`,
  fc1: `${prefix}.intermediate.dense`, fc2: `${prefix}.output.dense`,
});

export function loadEncoderLayer(p: ParameterSource, names: EncoderLayerNames, shape: EncoderShape, eps: number): EncoderLayer {
  const { hidden, intermediate } = shape;
  return {
    ln1: loadLayerNorm(p, names.ln1, hidden, eps),
    qkv: loadFusedQkv(p, [names.q, names.k, names.v], hidden),
    out: loadLinear(p, names.out, hidden, hidden),
    ln2: loadLayerNorm(p, names.ln2, hidden, eps),
    fc1: loadLinear(p, names.fc1, intermediate, hidden),
    fc2: loadLinear(p, names.fc2, hidden, intermediate),
  };
}

/**
 * One pre-LN layer; consumes `x` (released) and returns the new residual stream. `onAttention`: see
 * selfAttention (undefined, the default, records nothing extra).
 */
export function encoderLayer(
  rec: Recorder, layer: EncoderLayer, shape: EncoderShape, x: Tensor, batch: number, seq: number, mask?: AttentionMask,
  onAttention?: (args: AttentionArgs) => void,
): Tensor {
  // x = x + out_proj(attention(LN1(x)))
  const x1 = rec.scope(() => {
    const qkv = linear(rec, applyLayerNorm(rec, x, layer.ln1), layer.qkv);
    const attended = selfAttention(rec, qkv, batch, seq, shape.heads, shape.hidden, mask, onAttention);
    return linear(rec, attended, layer.out, { residual: x });
  }, x);
  // x = x + fc2(act(fc1(LN2(x))))
  return rec.scope(() => {
    const inner = linear(rec, applyLayerNorm(rec, x1, layer.ln2), layer.fc1, { activation: shape.activation });
    return linear(rec, inner, layer.fc2, { residual: x1 });
  }, x1);
}
