/**
 * Multi-head scaled-dot-product attention (shaders/attention.wgsl, fused with an online softmax) and the
 * explicit attention probabilities for attention maps (shaders/attention-probs.wgsl).
 *
 * q, k and v are views into f32 buffers, so one kernel reads separate projections, a packed qkv matmul
 * output or a KV cache without copies. The output is [batch, queryLen, heads · headDim] f32: the layout
 * the attention output projection consumes.
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import attentionSource from '../../shaders/attention.wgsl?raw';
import probsSource from '../../shaders/attention-probs.wgsl?raw';
import attentionMaskSource from '../../shaders/attention-mask.wgsl?raw';
import workgroupReduceSource from '../../shaders/workgroup-reduce.wgsl?raw';
import { assemble, expectDType, grid1d, shapeError } from './common';

/** Element (b, t, h, d) is at offset + b·batchStride + t·rowStride + h·headDim + d (elements, not bytes). */
export interface HeadsView {
  tensor: Tensor;
  offset?: number;
  rowStride: number;
  batchStride: number;
}

export interface AttentionMask {
  /** Key j is visible to query i iff j <= i + queryOffset (absolute positions). */
  causal?: boolean;
  /**
   * GIT: with causal, keys j < prefixLength are visible to every query, and queries i < prefixLength
   * (the image tokens) see only keys < prefixLength.
   */
  prefixLength?: number;
  /** Absolute position of query row 0 (KV-cache decoding). */
  queryOffset?: number;
  /** [batch, n ≥ keyLen] u32, i32 or f32: 0 = padded key (masked out), 1 = keep. Row stride n. */
  keyPadding?: Tensor;
}

export interface AttentionArgs {
  q: HeadsView;
  k: HeadsView;
  v: HeadsView;
  batch: number;
  heads: number;
  headDim: number;
  queryLen: number;
  keyLen: number;
  mask?: AttentionMask;
  /** Default 1/√headDim. */
  scale?: number;
  /** Write here instead of a new pooled tensor (must not be q, k or v's buffer). */
  out?: Tensor;
}

/** The largest head dimension attention.wgsl holds in registers (4 lanes × 32). */
export const MAX_HEAD_DIM = 128;
const QUERY_BLOCK = 16;

/** softmax(q·kᵀ·scale + mask)·v for every head: [batch, queryLen, heads · headDim] f32. */
export function attention(rec: Recorder, args: AttentionArgs): Tensor {
  const c = checkArgs('attention', args, true);
  const { batch, heads, headDim, queryLen, keyLen } = args;
  const outSize = batch * queryLen * heads * headDim;
  const out = args.out ?? rec.gpu.empty([batch, queryLen, heads * headDim], 'f32', 'attention.out');
  checkOut('attention', out, outSize, [args.q, args.k, args.v]);
  const queryBlocks = Math.ceil(queryLen / QUERY_BLOCK);

  rec.dispatch({
    shader: { name: 'attention', code: assemble(attentionSource, { preludes: [attentionMaskSource] }), constants: { D: headDim } },
    params: packParams([
      ['u32', batch], ['u32', heads], ['u32', queryLen], ['u32', keyLen],
      ['u32', c.q.offset], ['u32', c.q.rowStride], ['u32', c.q.batchStride],
      ['u32', c.k.offset], ['u32', c.k.rowStride], ['u32', c.k.batchStride],
      ['u32', c.v.offset], ['u32', c.v.rowStride], ['u32', c.v.batchStride],
      ...c.maskParams,
      ['u32', queryBlocks], ['f32', c.scale],
    ]),
    bindings: [args.q.tensor, args.k.tensor, args.v.tensor, args.mask?.keyPadding ?? rec.gpu.placeholder, out],
    workgroups: grid1d(queryBlocks * heads * batch),
    output: out,
  });
  return out;
}

/** The attention probabilities themselves: [batch, heads, queryLen, keyLen] f32 (v is not read). */
export function attentionProbs(rec: Recorder, args: AttentionArgs): Tensor {
  const c = checkArgs('attentionProbs', args, false);
  const { batch, heads, headDim, queryLen, keyLen } = args;
  const out = args.out ?? rec.gpu.empty([batch, heads, queryLen, keyLen], 'f32', 'attentionProbs.out');
  checkOut('attentionProbs', out, batch * heads * queryLen * keyLen, [args.q, args.k]);

  rec.dispatch({
    shader: { name: 'attentionProbs', code: assemble(probsSource, { preludes: [attentionMaskSource, workgroupReduceSource] }), constants: { D: headDim } },
    params: packParams([
      ['u32', batch], ['u32', heads], ['u32', queryLen], ['u32', keyLen],
      ['u32', c.q.offset], ['u32', c.q.rowStride], ['u32', c.q.batchStride],
      ['u32', c.k.offset], ['u32', c.k.rowStride], ['u32', c.k.batchStride],
      ...c.maskParams,
      ['f32', c.scale],
    ]),
    bindings: [args.q.tensor, args.k.tensor, args.mask?.keyPadding ?? rec.gpu.placeholder, out],
    workgroups: grid1d(batch * heads * queryLen),
    output: out,
  });
  return out;
}

interface CheckedView {
  offset: number;
  rowStride: number;
  batchStride: number;
}

function checkArgs(kernel: string, args: AttentionArgs, needsV: boolean) {
  const { batch, heads, headDim, queryLen, keyLen, mask = {} } = args;
  for (const [name, value] of Object.entries({ batch, heads, headDim, queryLen, keyLen })) {
    if (!Number.isInteger(value) || value < 1) throw new IrisError('bad-input', `${kernel}: ${name} must be a positive integer, got ${value}.`);
  }
  if (headDim > MAX_HEAD_DIM) throw new IrisError('bad-input', `${kernel}: headDim ${headDim} exceeds ${MAX_HEAD_DIM}.`);
  const q = checkView(kernel, 'q', args.q, batch, queryLen, heads, headDim);
  const k = checkView(kernel, 'k', args.k, batch, keyLen, heads, headDim);
  const v = needsV ? checkView(kernel, 'v', args.v, batch, keyLen, heads, headDim) : k;

  const prefixLength = mask.prefixLength ?? 0;
  const queryOffset = mask.queryOffset ?? 0;
  for (const [name, value] of Object.entries({ prefixLength, queryOffset })) {
    if (!Number.isInteger(value) || value < 0) throw new IrisError('bad-input', `${kernel}: mask.${name} must be a non-negative integer, got ${value}.`);
  }
  if (prefixLength > 0 && !mask.causal) throw new IrisError('bad-input', `${kernel}: mask.prefixLength only applies with causal: true.`);

  let paddingStride = 0;
  let paddingF32 = false;
  if (mask.keyPadding) {
    const padding = mask.keyPadding;
    expectDType(padding, ['u32', 'i32', 'f32'], kernel, 'mask.keyPadding');
    paddingStride = padding.shape[padding.shape.length - 1] ?? 0;
    if (padding.size !== batch * paddingStride || paddingStride < keyLen) {
      throw shapeError(kernel, `mask.keyPadding [${padding.shape}] must be [${batch}, n ≥ ${keyLen}].`);
    }
    paddingF32 = padding.dtype === 'f32';
  }
  const scale = args.scale ?? 1 / Math.sqrt(headDim);
  if (!Number.isFinite(scale)) throw new IrisError('bad-input', `${kernel}: scale must be finite, got ${scale}.`);
  // The shaders' causal, hasPadding, paddingF32, paddingStride, prefixLength, queryOffset fields.
  const maskParams: Array<['u32', number]> = [
    ['u32', mask.causal ? 1 : 0], ['u32', mask.keyPadding ? 1 : 0], ['u32', paddingF32 ? 1 : 0],
    ['u32', paddingStride], ['u32', prefixLength], ['u32', queryOffset],
  ];
  return { q, k, v, scale, maskParams };
}

/** Checks a view's element type and that its last element (b, t, h, d all maximal) lies in the tensor. */
function checkView(kernel: string, name: string, view: HeadsView, batch: number, len: number, heads: number, headDim: number): CheckedView {
  expectDType(view.tensor, ['f32'], kernel, name);
  const offset = view.offset ?? 0;
  const { rowStride, batchStride } = view;
  for (const [field, value] of Object.entries({ offset, rowStride, batchStride })) {
    if (!Number.isInteger(value) || value < 0) throw new IrisError('bad-input', `${kernel}: ${name}.${field} must be a non-negative integer, got ${value}.`);
  }
  if (rowStride < heads * headDim) throw shapeError(kernel, `${name}.rowStride ${rowStride} is less than heads · headDim = ${heads * headDim}.`);
  const last = offset + (batch - 1) * batchStride + (len - 1) * rowStride + heads * headDim - 1;
  if (last >= view.tensor.size) {
    throw shapeError(kernel, `${name} view (offset ${offset}, rowStride ${rowStride}, batchStride ${batchStride}) reaches element ${last} of a [${view.tensor.shape}] tensor.`);
  }
  return { offset, rowStride, batchStride };
}

function checkOut(kernel: string, out: Tensor, size: number, inputs: HeadsView[]): void {
  if (out.size !== size || out.dtype !== 'f32') throw shapeError(kernel, `out [${out.shape}] ${out.dtype} must hold ${size} f32 values.`);
  if (inputs.some((view) => view.tensor.buffer === out.buffer)) {
    throw new IrisError('bad-input', `${kernel}: out must not share a buffer with its inputs (a buffer cannot be read and written by one dispatch).`);
  }
}
