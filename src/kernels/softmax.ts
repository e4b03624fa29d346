/**
 * softmax over the last axis (shaders/softmax.wgsl), with an optional additive mask broadcast over rows.
 *   x [..., L] f32;  mask [maskRows, L] f32, row r of x uses mask row r % maskRows;  → [..., L] f32.
 */
import { IrisError } from '../errors';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import softmaxSource from '../../shaders/softmax.wgsl?raw';
import workgroupReduceSource from '../../shaders/workgroup-reduce.wgsl?raw';
import { assemble, expectDType, grid1d, leadingSize, shapeError } from './common';

export interface SoftmaxOptions {
  /** Additive mask [maskRows, L] (0 keep, -inf drop); rows of x cycle through its rows. */
  mask?: Tensor;
  /** Write here instead of a new pooled tensor (must not be x itself). */
  out?: Tensor;
}

export function softmax(rec: Recorder, x: Tensor, options: SoftmaxOptions = {}): Tensor {
  expectDType(x, ['f32'], 'softmax', 'x');
  if (x.shape.length < 1 || x.size === 0) throw shapeError('softmax', `x [${x.shape}] must be non-empty.`);
  const L = x.shape[x.shape.length - 1]!;
  const rows = leadingSize(x.shape, 1);
  const { mask } = options;
  let maskRows = 1;
  if (mask) {
    expectDType(mask, ['f32'], 'softmax', 'mask');
    maskRows = mask.size / L;
    if (mask.shape[mask.shape.length - 1] !== L || !Number.isInteger(maskRows) || maskRows < 1) {
      throw shapeError('softmax', `mask [${mask.shape}] must be [maskRows, ${L}] for x [${x.shape}].`);
    }
  }
  const out = options.out ?? rec.gpu.empty(x.shape, 'f32', 'softmax.out');
  if (out.size !== x.size || out.dtype !== 'f32') throw shapeError('softmax', `out [${out.shape}] ${out.dtype} does not match x [${x.shape}] f32.`);
  if (out.buffer === x.buffer) throw new IrisError('bad-input', 'softmax: out must not be x itself (a buffer cannot be read and written by one dispatch).');

  rec.dispatch({
    shader: { name: 'softmax', code: assemble(softmaxSource, { preludes: [workgroupReduceSource] }), constants: { HAS_MASK: mask ? 1 : 0 } },
    params: packParams([['u32', rows], ['u32', L], ['u32', maskRows]]),
    bindings: [x, mask ?? rec.gpu.placeholder, out],
    workgroups: grid1d(rows),
    output: out,
  });
  return out;
}
