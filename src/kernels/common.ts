/** Helpers shared by the kernel wrappers: shader assembly, dispatch grids, shape checks. */
import { IrisError } from '../errors';
import type { DType, Shape, Tensor } from '../gpu/tensor';
import activationsSource from '../../shaders/activations.wgsl?raw';

export type Activation = 'none' | 'gelu' | 'gelu_new' | 'quick_gelu';

/** Codes of `activate(x, kind)` in shaders/activations.wgsl. */
export const ACTIVATION_CODE: Record<Activation, number> = { none: 0, gelu: 1, gelu_new: 2, quick_gelu: 3 };

/**
 * Shader source with the element-type alias WT (f32, or f16 behind `enable f16;`) and, when asked,
 * `enable subgroups;`, the shared activation functions and shared sources (`preludes`, e.g. the workgroup
 * reduction or the attention mask rule) prepended.
 * WGSL has no #include; this is the only text assembly.
 */
export function assemble(
  source: string,
  options: { elementType?: 'f32' | 'f16'; activations?: boolean; subgroups?: boolean; preludes?: readonly string[] } = {},
): string {
  const type = options.elementType ?? 'f32';
  const variant = `${type}|${options.activations ? 1 : 0}|${options.subgroups ? 1 : 0}`;
  // Memoised so every dispatch gets the same string object: the pipeline cache keys on the code.
  // (A source always comes with the same preludes, so they need not be part of the key.)
  let variants = assembled.get(source);
  if (!variants) assembled.set(source, (variants = new Map()));
  let code = variants.get(variant);
  if (!code) {
    const enables = (type === 'f16' ? 'enable f16;\n' : '') + (options.subgroups ? 'enable subgroups;\n' : '');
    code = enables + `alias WT = ${type};\n` + (options.activations ? activationsSource + '\n' : '') +
      (options.preludes ?? []).map((prelude) => prelude + '\n').join('') + source;
    variants.set(variant, code);
  }
  return code;
}

const assembled = new Map<string, Map<string, string>>();

/** Largest workgroup count per dispatch dimension that every adapter allows. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/** A 1-D dispatch of `count` workgroups, folded into y when it exceeds the per-dimension limit. */
export function grid1d(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIM) return [Math.max(count, 1), 1];
  return [MAX_WORKGROUPS_PER_DIM, Math.ceil(count / MAX_WORKGROUPS_PER_DIM)];
}

export function elementTypeOf(tensor: Tensor, kernel: string): 'f32' | 'f16' {
  if (tensor.dtype === 'f32' || tensor.dtype === 'f16') return tensor.dtype;
  throw new IrisError('bad-input', `${kernel}: expected a float tensor, got ${tensor.dtype}.`);
}

export function expectDType(tensor: Tensor, dtypes: DType[], kernel: string, name: string): void {
  if (!dtypes.includes(tensor.dtype)) {
    throw new IrisError('bad-input', `${kernel}: ${name} must be ${dtypes.join(' or ')}, got ${tensor.dtype}.`);
  }
}

export function shapeError(kernel: string, detail: string): IrisError {
  return new IrisError('tensor-shape', `${kernel}: ${detail}`);
}

/** Product of all dimensions but the last `keep`. */
export function leadingSize(shape: Shape, keep: number): number {
  let n = 1;
  for (let i = 0; i < shape.length - keep; i++) n *= shape[i]!;
  return n;
}
