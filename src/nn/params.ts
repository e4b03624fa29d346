/**
 * What a model needs from a checkpoint: named tensors uploaded to the GPU with their expected shapes
 * checked. `matmul` weights may stay f16 (where the device has shader-f16 and the checkpoint is half);
 * everything else (LayerNorm, biases, embeddings read by gathers) is f32.
 */
import { IrisError } from '../errors';
import type { Gpu } from '../gpu/gpu';
import { Recorder } from '../gpu/recorder';
import { transpose, transposeShader } from '../kernels/transpose';
import type { ShaderSpec } from '../gpu/pipelines';
import type { Tensor } from '../gpu/tensor';
import { toFloat16Bits, toFloat32 } from '../weights/host-tensor';
import type { WeightSet } from '../weights/weight-set';

export type ParameterKind = 'matmul' | 'f32';

export interface HostTensor {
  shape: number[];
  /** Values widened to float32 (f16/bf16 checkpoints are converted). */
  data: Float32Array;
}

/**
 * How a 2-D matmul weight is stored on the GPU. 'transposed' turns a checkpoint's [rows, cols] into
 * [cols, rows] on the GPU: GPT-2's Conv1D [in, out] becomes nn.Linear's [out, in], the layout the
 * decoding-step GEMV reads fastest (a subgroup streams one contiguous row per output).
 */
export interface UploadOptions {
  transposed?: boolean;
}

export interface ParameterSource {
  readonly gpu: Gpu;
  has(name: string): boolean;
  /** Host copy of a tensor (for fusing q|k|v or reading scalars); throws 'tensor-missing' / 'tensor-shape'. */
  host(name: string, shape: readonly number[]): HostTensor;
  /** Uploads a tensor of the checkpoint's `shape`; throws 'tensor-missing' / 'tensor-shape' naming it. */
  upload(name: string, shape: readonly number[], kind: ParameterKind, options?: UploadOptions): Tensor;
  /** Uploads host data built from several tensors (e.g. fused q|k|v), with the same dtype policy. */
  uploadHost(data: Float32Array, shape: readonly number[], kind: ParameterKind, label: string, options?: UploadOptions): Tensor;
  /**
   * Resolves once the GPU work of the uploads (transposes) has run; rejects with the IrisError of the
   * first that failed (out of memory, device lost). The tensors are usable before: the queue orders them.
   */
  settled(): Promise<void>;
  /** The pipelines that uploads with `transposed` run, to compile ahead of the model's load. */
  layoutSpecs(): ShaderSpec[];
  /** Frees every tensor uploaded through this source (unloading the model). */
  release(): void;
}

export interface ParameterOptions {
  /**
   * Matmul weights on the GPU: 'auto' keeps f16 checkpoints f16 where the device has shader-f16 (else f32),
   * 'f16' also halves f32/bf16 checkpoints on such devices, 'f32' always widens.
   */
  matmulPrecision?: 'auto' | 'f16' | 'f32';
}

/** A ParameterSource over a checkpoint's WeightSet, applying one precision policy to every matmul weight. */
export function parametersFrom(weights: WeightSet, gpu: Gpu, options: ParameterOptions = {}): ParameterSource {
  const precision = options.matmulPrecision ?? 'auto';
  const storedHalf = weights.names().some((n) => { const t = weights.get(n); return t.dtype === 'F16'; });
  const matmulF16 = gpu.features.f16 && (precision === 'f16' || (precision === 'auto' && storedHalf));
  const dtypeFor = (kind: ParameterKind) => (kind === 'matmul' && matmulF16 ? 'f16' : 'f32');
  const uploaded: Tensor[] = [];
  const pending: Promise<void>[] = [];
  const keep = (t: Tensor, options: UploadOptions = {}) => {
    if (options.transposed) {
      if (t.shape.length !== 2) throw new IrisError('tensor-shape', `A transposed weight must be 2-D; got [${t.shape}].`);
      const rec = new Recorder(gpu, 'weight layout');
      const out = transpose(rec, t, { out: gpu.weight([t.shape[1]!, t.shape[0]!], t.dtype, `${t.buffer.label}ᵀ`) });
      rec.releaseAfterSubmit(t);
      const submitted = rec.submit();
      submitted.catch(() => {}); // settled() reports it; `out` is usable at once (the queue orders the work)
      pending.push(submitted);
      t = out;
    }
    uploaded.push(t);
    return t;
  };
  return {
    gpu,
    has: (name) => weights.has(name),
    host: (name, shape) => {
      const t = weights.get(name, shape);
      return { shape: [...t.shape], data: toFloat32(t) };
    },
    upload: (name, shape, kind, options) => {
      const t = weights.get(name, shape);
      return keep(dtypeFor(kind) === 'f16' ? gpu.upload(toFloat16Bits(t), shape, 'f16', name) : gpu.upload(toFloat32(t), shape, 'f32', name), options);
    },
    uploadHost: (data, shape, kind, label, options) => keep(gpu.upload(data, shape, dtypeFor(kind), label), options),
    layoutSpecs: () => [transposeShader(dtypeFor('matmul'))],
    settled: async () => {
      await Promise.all(pending.splice(0));
    },
    release: () => {
      for (const t of uploaded.splice(0)) t.release();
    },
  };
}
