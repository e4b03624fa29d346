/**
 * Streaming safetensors writer: for the model generator (random-weight checkpoints of real sizes, written
 * without holding a whole file in memory) and for tests that need well-formed or deliberately broken files.
 *
 * Layout: an unsigned 64-bit little-endian N, then N bytes of JSON header, then the tensor data.
 *   header = { "__metadata__": { "format": "pt" }, "<name>": { "dtype", "shape", "data_offsets": [begin, end] }, ... }
 * Offsets count from the first data byte. As Hugging Face's own files (the `safetensors` library's `prepare`:
 * tensors sorted by descending dtype, in its Dtype enum order, then by name) and ../shared/golden: data in header
 * order with no gaps, and the JSON padded with spaces so the data starts 8-byte aligned. The order changes the
 * offsets' digits, so it decides the header's (and the file's) exact size.
 *
 * Typed-array data is written in platform byte order, which is little-endian everywhere Iris runs.
 */
import { IrisError } from '../errors';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

/** The `safetensors` library's Dtype enum order (increasing alignment); files list the largest first. */
const DTYPE_ORDER: readonly SafetensorsDtype[] = ['BOOL', 'U8', 'I8', 'I16', 'F16', 'BF16', 'I32', 'F32', 'F64', 'I64'];

export interface TensorHeader {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** [] is a scalar (one element). */
  readonly shape: readonly number[];
}

export interface PlannedTensor extends TensorHeader {
  /** Byte range within the data section (after the header). */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsPlan {
  /** The 8-byte length prefix and the padded JSON: the first `header.length` bytes of the file. */
  readonly header: Uint8Array;
  /** In file order (dtype descending, then name). */
  readonly tensors: readonly PlannedTensor[];
  readonly fileBytes: number;
}

/** A whole tensor, or its bytes in order as consecutive chunks (a generator keeps memory flat). */
export type TensorData = ArrayBufferView | Iterable<ArrayBufferView>;

/** Where the file goes. `bytes` may be a view of a buffer the producer reuses: copy it if you keep it. */
export interface ByteSink {
  write(bytes: Uint8Array): void | Promise<void>;
}

/** Element count of a shape; [] → 1. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * Encodes any JSON value as a safetensors header: 8-byte length, then the JSON padded with spaces to a multiple
 * of 8 bytes. Exported on its own so tests can build headers that `planSafetensors` would refuse.
 */
export function encodeSafetensorsHeader(json: unknown): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const padded = Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(text, 8);
  return out;
}

/** Sorts the tensors as the `safetensors` library does (dtype descending, then name), assigns contiguous offsets and encodes the header. */
export function planSafetensors(
  tensors: readonly TensorHeader[],
  metadata: Readonly<Record<string, string>> = { format: 'pt' },
): SafetensorsPlan {
  const sorted = [...tensors].sort((a, b) => DTYPE_ORDER.indexOf(b.dtype) - DTYPE_ORDER.indexOf(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const json: Record<string, unknown> = { __metadata__: metadata };
  const planned: PlannedTensor[] = [];
  let offset = 0;
  for (const t of sorted) {
    if (t.name === '__metadata__' || t.name in json) throw new IrisError('bad-input', `safetensors writer: duplicate or reserved tensor name "${t.name}".`);
    if (!(t.dtype in DTYPE_BYTES)) throw new IrisError('bad-input', `safetensors writer: unknown dtype ${String(t.dtype)} for "${t.name}".`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new IrisError('bad-input', `safetensors writer: bad shape [${t.shape.join(', ')}] for "${t.name}".`);
    }
    const end = offset + elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    json[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, end] };
    planned.push({ name: t.name, dtype: t.dtype, shape: [...t.shape], begin: offset, end });
    offset = end;
  }
  const header = encodeSafetensorsHeader(json);
  return { header, tensors: planned, fileBytes: header.length + offset };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Writes a complete safetensors file to `sink`: the header, then each tensor's data in header order. Each
 * tensor's data is only touched when its turn comes, and must come to exactly its planned byte count.
 */
export async function writeSafetensors(
  sink: ByteSink,
  tensors: ReadonlyArray<TensorHeader & { readonly data: TensorData }>,
  metadata?: Readonly<Record<string, string>>,
): Promise<SafetensorsPlan> {
  const plan = planSafetensors(tensors, metadata);
  const byName = new Map(tensors.map((t) => [t.name, t.data]));
  await sink.write(plan.header);
  for (const t of plan.tensors) {
    const data = byName.get(t.name)!;
    const chunks = ArrayBuffer.isView(data) ? [data] : data;
    let written = 0;
    for (const chunk of chunks) {
      written += chunk.byteLength;
      if (written > t.end - t.begin) break;
      await sink.write(bytesOf(chunk));
    }
    if (written !== t.end - t.begin) {
      throw new IrisError(
        'bad-input',
        `safetensors writer: "${t.name}" (${t.dtype} [${t.shape.join(', ')}]) needs ${t.end - t.begin} bytes, its data ${written > t.end - t.begin ? 'has more' : `has ${written}`}.`,
      );
    }
  }
  return plan;
}
