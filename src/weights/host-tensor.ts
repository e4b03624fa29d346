/**
 * A tensor as stored in a checkpoint: raw little-endian bytes on the CPU, plus conversions to what the GPU
 * path uploads. Conversions return a view (no copy) when the stored layout already is the asked-for type.
 */
import { IrisError } from '../errors';
import { bf16ArrayToF32, f16ArrayToF32, f32ArrayToF16 } from '../gpu/half';
import type { SafetensorsDType } from './safetensors';

export interface HostTensor {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** The stored bytes; often a view into the whole downloaded file. */
  readonly bytes: Uint8Array;
}

export function isFloat(dtype: SafetensorsDType): boolean {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16' || dtype === 'F64';
}

/** F32, F16, BF16 or F64 → float32. */
export function toFloat32(t: HostTensor): Float32Array {
  switch (t.dtype) {
    case 'F32':
      return view(t, Float32Array);
    case 'F16':
      return f16ArrayToF32(view(t, Uint16Array));
    case 'BF16':
      return bf16ArrayToF32(view(t, Uint16Array));
    case 'F64':
      return Float32Array.from(view(t, Float64Array));
    default:
      throw notA('a float', t);
  }
}

/** F16 kept as is; F32, BF16 and F64 rounded to IEEE half (bit patterns). */
export function toFloat16Bits(t: HostTensor): Uint16Array {
  return t.dtype === 'F16' ? view(t, Uint16Array) : f32ArrayToF16(toFloat32(t));
}

/** Integer tensors (token ids, masks, I64 buffers) → int32; every value must fit. */
export function toInt32(t: HostTensor): Int32Array {
  switch (t.dtype) {
    case 'I32':
      return view(t, Int32Array);
    case 'I64':
    case 'U64': {
      const wide: BigInt64Array | BigUint64Array = t.dtype === 'I64' ? view(t, BigInt64Array) : view(t, BigUint64Array);
      const out = new Int32Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const v = wide[i]!;
        if (v < -2147483648n || v > 2147483647n) throw new IrisError('bad-input', `Tensor "${t.name}" holds ${v}, which does not fit in int32.`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I16':
      return Int32Array.from(view(t, Int16Array));
    case 'U16':
      return Int32Array.from(view(t, Uint16Array));
    case 'I8':
      return Int32Array.from(view(t, Int8Array));
    case 'U8':
    case 'BOOL':
      return Int32Array.from(t.bytes);
    default:
      throw notA('an integer', t);
  }
}

type TypedArrayClass<T> = { new (buffer: ArrayBuffer, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** A typed view of the bytes; copies first when the offset inside the file is not aligned for the type. */
function view<T>(t: HostTensor, Type: TypedArrayClass<T>): T {
  const aligned = t.bytes.byteOffset % Type.BYTES_PER_ELEMENT === 0 ? t.bytes : t.bytes.slice();
  return new Type(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / Type.BYTES_PER_ELEMENT);
}

function notA(kind: string, t: HostTensor): IrisError {
  return new IrisError('tensor-shape', `Tensor "${t.name}" is ${t.dtype}, not ${kind} tensor.`);
}
