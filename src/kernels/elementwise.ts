/**
 * Element-wise kernels, all one fused shader (shaders/elementwise.wgsl): y = activate(a · factor + b).
 *   activation(x, kind)   add(a, b) with b broadcast over a's leading dimensions   scale(x, factor)
 * Inputs and outputs are f32; add's b may be an f16 weight.
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Shape, Tensor } from '../gpu/tensor';
import elementwiseSource from '../../shaders/elementwise.wgsl?raw';
import { ACTIVATION_CODE, assemble, elementTypeOf, expectDType, grid1d, shapeError, type Activation } from './common';

export interface ElementwiseOptions {
  /** Write here instead of a new pooled tensor (must not be an input). */
  out?: Tensor;
}

/** y = kind(x), element-wise (GELU, tanh-GELU, quick-GELU; 'none' copies). */
export function activation(rec: Recorder, x: Tensor, kind: Activation, options: ElementwiseOptions = {}): Tensor {
  return elementwise(rec, 'activation', x, undefined, 1, kind, options.out);
}

/**
 * y = a + b. b has a's shape, or the shape of a's trailing dimensions (leading 1s allowed), and is then
 * repeated over a's leading dimensions: a [B, L, H] + b [H] adds a bias, + b [L, H] a position table.
 */
export function add(rec: Recorder, a: Tensor, b: Tensor, options: ElementwiseOptions = {}): Tensor {
  if (!isTrailingShape(b.shape, a.shape)) throw shapeError('add', `b [${b.shape}] is neither a's shape [${a.shape}] nor its trailing dimensions.`);
  return elementwise(rec, 'add', a, b, 1, 'none', options.out);
}

/** y = x · factor (e.g. attention's 1/√d on queries, or CLIP's logit scale). */
export function scale(rec: Recorder, x: Tensor, factor: number, options: ElementwiseOptions = {}): Tensor {
  if (!Number.isFinite(factor)) throw new IrisError('bad-input', `scale: factor must be finite, got ${factor}.`);
  return elementwise(rec, 'scale', x, undefined, factor, 'none', options.out);
}

function isTrailingShape(inner: Shape, outer: Shape): boolean {
  let first = 0;
  while (first < inner.length - 1 && inner[first] === 1) first++; // [1, L, H] is [L, H]
  const trailing = inner.slice(first);
  if (trailing.length > outer.length) return false;
  return trailing.every((d, i) => d === outer[outer.length - trailing.length + i]);
}

function elementwise(rec: Recorder, kernel: string, a: Tensor, b: Tensor | undefined, factor: number, kind: Activation, target: Tensor | undefined): Tensor {
  expectDType(a, ['f32'], kernel, 'input');
  if (a.size === 0) throw shapeError(kernel, `input [${a.shape}] is empty.`);
  const elementType = b ? elementTypeOf(b, kernel) : 'f32';
  const out = target ?? rec.gpu.empty(a.shape, 'f32', `${kernel}.out`);
  if (out.size !== a.size || out.dtype !== 'f32') throw shapeError(kernel, `out [${out.shape}] ${out.dtype} does not match input [${a.shape}] f32.`);
  if (out.buffer === a.buffer || out.buffer === b?.buffer) {
    throw new IrisError('bad-input', `${kernel}: out must not be an input (a buffer cannot be read and written by one dispatch).`);
  }

  rec.dispatch({
    shader: {
      name: kernel, // not 'elementwise': debug mode names the kernel that wrote a NaN
      code: assemble(elementwiseSource, { elementType, activations: true }),
      constants: { HAS_B: b ? 1 : 0, ACTIVATION: ACTIVATION_CODE[kind] },
    },
    params: packParams([['u32', a.size], ['u32', b?.size ?? 1], ['f32', factor]]),
    bindings: [a, b ?? rec.gpu.placeholder, out],
    workgroups: grid1d(Math.ceil(a.size / 64)),
    output: out,
  });
  return out;
}
