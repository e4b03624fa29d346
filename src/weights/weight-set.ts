/**
 * The tensors of a checkpoint by their Hugging Face state_dict names: what a model asks for when it builds
 * its parameters. Missing or wrongly shaped tensors are typed errors that name the tensor; names the model
 * never asks for (e.g. old `position_ids` buffers) are simply ignored.
 */
import { IrisError } from '../errors';
import type { Gpu } from '../gpu/gpu';
import type { Tensor } from '../gpu/tensor';
import { isFloat, toFloat16Bits, toFloat32, type HostTensor } from './host-tensor';
import { parseSafetensors } from './safetensors';

export interface UploadOptions {
  /**
   * 'weight': a matmul weight; stays f16 on a shader-f16 device when stored as F16 (or, with `preferF16`,
   * when stored as F32/BF16), else f32. 'f32': LayerNorm parameters, biases, embeddings — always f32.
   */
  as: 'weight' | 'f32';
  /** Also store F32/BF16 checkpoints' weights as f16 where the device supports it. */
  preferF16?: boolean;
}

/** The part of Gpu an upload needs (a fake in Node tests). */
export type WeightGpu = Pick<Gpu, 'upload' | 'features'>;

export class WeightSet {
  private readonly aliases = new Map<string, string>();

  /** `source` names the checkpoint in error messages (e.g. "openai/clip-vit-base-patch32 model.safetensors"). */
  constructor(
    private readonly tensors: ReadonlyMap<string, HostTensor>,
    readonly source: string,
  ) {}

  /** Parses whole safetensors files (shards are merged; a name in two shards is an error). */
  static fromFiles(files: { file: string; bytes: Uint8Array }[], source: string): WeightSet {
    const all = new Map<string, HostTensor>();
    for (const { file, bytes } of files) {
      for (const [name, tensor] of parseSafetensors(bytes, file).tensors) {
        if (all.has(name)) throw new IrisError('safetensors-invalid', `${source}: tensor "${name}" is stored twice (again in ${file}).`);
        all.set(name, tensor);
      }
    }
    return new WeightSet(all, source);
  }

  /** Every stored tensor name (aliases not included). */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }

  /**
   * Tied weights: when `name` is not stored, read `target` instead (GPT-2's `lm_head.weight` →
   * `transformer.wte.weight`). A stored `name` wins, since it is then the checkpoint's own copy.
   */
  alias(name: string, target: string): this {
    this.aliases.set(name, target);
    return this;
  }

  get(name: string, expectedShape?: readonly number[]): HostTensor {
    const stored = this.lookup(name);
    if (!stored) {
      const target = this.aliases.get(name);
      const tied = target === undefined ? '' : ` (nor "${target}", which it is tied to)`;
      throw new IrisError('tensor-missing', `${this.source} has no tensor "${name}"${tied}.`, {
        hint: 'The checkpoint does not match the model its config.json describes.',
      });
    }
    if (expectedShape && !sameShape(stored.shape, expectedShape)) {
      throw new IrisError('tensor-shape', `${this.source}: tensor "${name}" has shape [${stored.shape.join(', ')}], the model expects [${expectedShape.join(', ')}].`, {
        hint: 'config.json and the weights disagree.',
      });
    }
    return stored;
  }

  /** Uploads one float tensor into its own GPU buffer, as the dtype `options` choose (see UploadOptions). */
  upload(gpu: WeightGpu, name: string, expectedShape: readonly number[], options: UploadOptions): Tensor {
    const t = this.get(name, expectedShape);
    if (!isFloat(t.dtype)) throw new IrisError('tensor-shape', `${this.source}: tensor "${name}" is ${t.dtype}; the model needs a float tensor.`);
    const asF16 = options.as === 'weight' && gpu.features.f16 && (t.dtype === 'F16' || options.preferF16 === true);
    return asF16 ? gpu.upload(toFloat16Bits(t), expectedShape, 'f16', name) : gpu.upload(toFloat32(t), expectedShape, 'f32', name);
  }

  private lookup(name: string): HostTensor | undefined {
    const target = this.aliases.get(name);
    return this.tensors.get(name) ?? (target === undefined ? undefined : this.tensors.get(target));
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
