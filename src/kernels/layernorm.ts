/**
 * layerNorm over the last axis (shaders/layernorm.wgsl).
 *   x [..., H] f32;  weight [H], bias [H] (f32, or both f16);  → [..., H] f32.
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import layerNormSource from '../../shaders/layernorm.wgsl?raw';
import workgroupReduceSource from '../../shaders/workgroup-reduce.wgsl?raw';
import { assemble, elementTypeOf, expectDType, grid1d, leadingSize, shapeError } from './common';

export interface LayerNormOptions {
  /** Write here instead of a new pooled tensor (must not be x itself). */
  out?: Tensor;
}

export function layerNorm(rec: Recorder, x: Tensor, weight: Tensor, bias: Tensor, eps: number, options: LayerNormOptions = {}): Tensor {
  expectDType(x, ['f32'], 'layerNorm', 'x');
  if (x.shape.length < 1 || x.size === 0) throw shapeError('layerNorm', `x [${x.shape}] must be non-empty.`);
  const H = x.shape[x.shape.length - 1]!;
  const rows = leadingSize(x.shape, 1);
  const elementType = elementTypeOf(weight, 'layerNorm');
  if (bias.dtype !== weight.dtype) throw new IrisError('bad-input', `layerNorm: weight (${weight.dtype}) and bias (${bias.dtype}) must share a dtype.`);
  if (weight.size !== H || bias.size !== H) throw shapeError('layerNorm', `weight [${weight.shape}] and bias [${bias.shape}] must have ${H} values for x [${x.shape}].`);
  if (!(eps >= 0)) throw new IrisError('bad-input', `layerNorm: eps must be ≥ 0, got ${eps}.`);
  const out = options.out ?? rec.gpu.empty(x.shape, 'f32', 'layernorm.out');
  if (out.size !== x.size || out.dtype !== 'f32') throw shapeError('layerNorm', `out [${out.shape}] ${out.dtype} does not match x [${x.shape}] f32.`);
  if (out.buffer === x.buffer) throw new IrisError('bad-input', 'layerNorm: out must not be x itself (a buffer cannot be read and written by one dispatch).');

  rec.dispatch({
    shader: { name: 'layernorm', code: assemble(layerNormSource, { elementType, preludes: [workgroupReduceSource] }) },
    params: packParams([['u32', rows], ['u32', H], ['f32', eps]]),
    bindings: [x, weight, bias, out],
    workgroups: grid1d(rows),
    output: out,
  });
  return out;
}
