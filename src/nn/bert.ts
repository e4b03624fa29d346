/**
 * The post-LN BERT encoder layer (Devlin et al. 2018) as transformers' BertLayer names it, bidirectional
 * self-attention with a padding mask and q|k|v fused into one projection:
 *
 *   x = LN(x + output.dense(attention(q, k, v of x)))
 *   x = LN(x + output.dense(act(intermediate.dense(x))))
 */
import type { Recorder } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import type { AttentionArgs, AttentionMask } from '../kernels/attention';
import type { Activation } from '../kernels/common';
import type { ParameterSource } from './params';
import { applyLayerNorm, linear, loadFusedQkv, loadKeyValue, loadLayerNorm, loadLinear, selfAttention, type EncoderShape, type LayerNormParams, type Linear } from './transformer';

/**
 * A BertAttention module (self- or cross-attention) with k|v projected together: written into a KV cache, or
 * projected once into a cross-attention memory. Its output is post-LN: LN(x + out(attention)).
 */
export interface BertCachedAttention {
  query: Linear;
  keyValue: Linear;
  out: Linear;
  norm: LayerNormParams;
}

/** `prefix` is e.g. "….layer.0.attention" or "….layer.0.crossattention"; k|v read `inFeatures` values per token. */
export function loadBertCachedAttention(p: ParameterSource, prefix: string, hidden: number, inFeatures: number, eps: number): BertCachedAttention {
  return {
    query: loadLinear(p, `${prefix}.self.query`, hidden, hidden),
    keyValue: loadKeyValue(p, `${prefix}.self`, hidden, inFeatures),
    out: loadLinear(p, `${prefix}.output.dense`, hidden, hidden),
    norm: loadLayerNorm(p, `${prefix}.output.LayerNorm`, hidden, eps),
  };
}

/** LN(x + out(heads)): the attention module's output; `x` is the residual. */
export function bertAttentionOutput(rec: Recorder, attention: BertCachedAttention, heads: Tensor, x: Tensor): Tensor {
  return applyLayerNorm(rec, linear(rec, heads, attention.out, { residual: x }), attention.norm);
}

/** BERT's feed-forward sublayer (BertIntermediate + BertOutput), shared by every post-LN BERT-style layer. */
export interface BertFeedForward {
  intermediate: Linear;
  output: Linear;
  outputNorm: LayerNormParams;
}

export interface BertLayer extends BertFeedForward {
  qkv: Linear;
  attentionOut: Linear;
  attentionNorm: LayerNormParams;
}

/** `prefix` is one layer: its `intermediate.dense`, `output.dense` and `output.LayerNorm`. */
export function loadBertFeedForward(p: ParameterSource, prefix: string, shape: { hidden: number; intermediate: number }, eps: number): BertFeedForward {
  const { hidden, intermediate } = shape;
  return {
    intermediate: loadLinear(p, `${prefix}.intermediate.dense`, intermediate, hidden),
    output: loadLinear(p, `${prefix}.output.dense`, hidden, intermediate),
    outputNorm: loadLayerNorm(p, `${prefix}.output.LayerNorm`, hidden, eps),
  };
}

/** x = LN(x + output.dense(act(intermediate.dense(x)))); consumes `x` (released) and returns the new states. */
export function bertFeedForward(rec: Recorder, layer: BertFeedForward, x: Tensor, activation: Activation): Tensor {
  return rec.scope(() => {
    const inner = linear(rec, x, layer.intermediate, { activation });
    return applyLayerNorm(rec, linear(rec, inner, layer.output, { residual: x }), layer.outputNorm);
  }, x);
}

/** `prefix` is one layer, e.g. "text_model.encoder.layer.0". */
export function loadBertLayer(p: ParameterSource, prefix: string, shape: EncoderShape, eps: number): BertLayer {
  const { hidden } = shape;
  const self = `${prefix}.attention.self`;
  return {
    qkv: loadFusedQkv(p, [`${self}.query`, `${self}.key`, `${self}.value`], hidden),
    attentionOut: loadLinear(p, `${prefix}.attention.output.dense`, hidden, hidden),
    attentionNorm: loadLayerNorm(p, `${prefix}.attention.output.LayerNorm`, hidden, eps),
    ...loadBertFeedForward(p, prefix, shape, eps),
  };
}

/** One layer; consumes `x` (released) and returns the new hidden states. `onAttention`: see selfAttention. */
export function bertLayer(
  rec: Recorder, layer: BertLayer, shape: EncoderShape, x: Tensor, batch: number, seq: number, mask?: AttentionMask,
  onAttention?: (args: AttentionArgs) => void,
): Tensor {
  // x = LN(x + attention(x))
  const attended = rec.scope(() => {
    const qkv = linear(rec, x, layer.qkv);
    const heads = selfAttention(rec, qkv, batch, seq, shape.heads, shape.hidden, mask, onAttention);
    return applyLayerNorm(rec, linear(rec, heads, layer.attentionOut, { residual: x }), layer.attentionNorm);
  }, x);
  return bertFeedForward(rec, layer, attended, shape.activation);
}
