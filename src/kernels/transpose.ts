/** transpose: [rows, cols] → [cols, rows] (shaders/transpose.wgsl), f32 or f16. */
import type { ShaderSpec } from '../gpu/pipelines';
import type { Recorder } from '../gpu/recorder';
import { packParams } from '../gpu/recorder';
import type { Tensor } from '../gpu/tensor';
import transposeSource from '../../shaders/transpose.wgsl?raw';
import { assemble, elementTypeOf, shapeError } from './common';

/** The pipeline of a transpose of `elementType` values (for compiling it ahead, asynchronously). */
export function transposeShader(elementType: 'f32' | 'f16'): ShaderSpec {
  return { name: 'transpose', code: assemble(transposeSource, { elementType }) };
}

export function transpose(rec: Recorder, x: Tensor, options: { out?: Tensor } = {}): Tensor {
  if (x.shape.length !== 2) throw shapeError('transpose', `expected a 2-D tensor, got [${x.shape}].`);
  const [rows, cols] = x.shape as [number, number];
  const out = options.out ?? rec.gpu.empty([cols, rows], x.dtype, 'transpose.out');
  if (out.dtype !== x.dtype || out.size !== x.size) throw shapeError('transpose', `out [${out.shape}] ${out.dtype} cannot hold the transpose of [${x.shape}] ${x.dtype}.`);
  rec.dispatch({
    shader: transposeShader(elementTypeOf(x, 'transpose')),
    params: packParams([['u32', rows], ['u32', cols]]),
    bindings: [x, out],
    workgroups: [Math.ceil(cols / 16), Math.ceil(rows / 16)],
    output: out,
  });
  return out;
}
