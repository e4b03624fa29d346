/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`, then the data
 * section, where offsets are relative to its start. Everything here is validated before any size read from
 * the file is trusted; each failure is a 'safetensors-invalid' error naming the file and the reason.
 */
import { IrisError } from '../errors';
import type { HostTensor } from './host-tensor';

export const DTYPE_BYTES = {
  F64: 8, F32: 4, F16: 2, BF16: 2, F8_E4M3: 1, F8_E5M2: 1,
  I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
} as const;

export type SafetensorsDType = keyof typeof DTYPE_BYTES;

export function isSafetensorsFile(file: string): boolean {
  return file.endsWith('.safetensors');
}

/** Real headers are a few hundred KB at most; anything larger is a corrupt or hostile file. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Byte range inside the data section (which starts at `8 + headerLength`). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  headerLength: number;
  /** Absolute byte offset of the data section. */
  dataStart: number;
  /** Sorted by `begin`; contiguous, covering the whole data section. */
  tensors: TensorEntry[];
  metadata: Record<string, string>;
}

function invalid(file: string, reason: string): IrisError {
  return new IrisError('safetensors-invalid', `${file} is not a valid safetensors file: ${reason}.`, {
    hint: 'The download may be corrupt, or the file is not a safetensors checkpoint.',
  });
}

/** The header length from the file's first 8 bytes, checked against the whole file's size. */
export function readHeaderLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.byteLength < 8) throw invalid(file, `the file is ${fileSize} bytes, too short for the 8-byte header length`);
  const length = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) throw invalid(file, `the header length ${length} is absurd (over ${MAX_HEADER_BYTES / 2 ** 20} MiB)`);
  const n = Number(length);
  if (8 + n > fileSize) throw invalid(file, `the header length ${n} is larger than the file (${fileSize} bytes)`);
  if (n < 2) throw invalid(file, `the header length ${n} cannot hold a JSON object`);
  return n;
}

/** Parses the JSON header (the `headerLength` bytes after the first 8) and checks it against the file size. */
export function parseHeader(json: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const headerLength = json.byteLength;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (cause) {
    throw invalid(file, `the header is not valid JSON (${(cause as Error).message})`);
  }
  if (!isObject(parsed)) throw invalid(file, 'the header is not a JSON object');
  // JSON.parse keeps the last of two equal keys; the format forbids them, so they are looked for.
  const duplicate = duplicateTopLevelKey(json, Object.keys(parsed).length);
  if (duplicate !== undefined) throw invalid(file, `tensor ${JSON.stringify(duplicate)} is listed twice in the header`);

  const metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string')) throw invalid(file, '__metadata__ must map strings to strings');
      Object.assign(metadata, value);
    } else {
      tensors.push(parseEntry(name, value, file));
    }
  }

  // Tensors must tile the data section exactly: sorted by offset, each starts where the previous ended.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '';
  for (const t of tensors) {
    if (t.begin < cursor) throw invalid(file, `tensor "${t.name}" (bytes ${t.begin}..${t.end}) overlaps tensor "${previous}"`);
    if (t.begin > cursor) throw invalid(file, `${t.begin - cursor} unused bytes before tensor "${t.name}" (tensors must be contiguous)`);
    cursor = t.end;
    previous = t.name;
  }
  const dataLength = fileSize - 8 - headerLength;
  if (cursor > dataLength) throw invalid(file, `truncated: the tensors need ${cursor} data bytes but the file has ${dataLength}`);
  if (cursor < dataLength) throw invalid(file, `${dataLength - cursor} unused bytes after the last tensor (tensors must be contiguous)`);
  return { headerLength, dataStart: 8 + headerLength, tensors, metadata };
}

function parseEntry(name: string, value: unknown, file: string): TensorEntry {
  if (!isObject(value)) throw invalid(file, `tensor "${name}" is not an object`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) throw invalid(file, `tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isSafeCount)) throw invalid(file, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeCount) || offsets[0] > offsets[1]) {
    throw invalid(file, `tensor "${name}" has data_offsets ${JSON.stringify(offsets)} out of range`);
  }
  const [begin, end] = offsets as [number, number];
  let bytes = DTYPE_BYTES[dtype as SafetensorsDType];
  for (const d of shape as number[]) bytes *= d; // exceeds the span (and stops mattering) long before it loses precision
  if (bytes !== end - begin) {
    throw invalid(file, `tensor "${name}" is ${dtype} [${shape.join(', ')}] = ${bytes} bytes, but its data_offsets span ${end - begin}`);
  }
  return { name, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end };
}

/** A whole safetensors file in memory: its header and its tensors as views into `bytes` (no copies). */
export function parseSafetensors(bytes: Uint8Array, file: string): { header: SafetensorsHeader; tensors: Map<string, HostTensor> } {
  const headerLength = readHeaderLength(bytes.subarray(0, 8), bytes.byteLength, file);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), bytes.byteLength, file);
  const tensors = new Map<string, HostTensor>();
  for (const t of header.tensors) {
    tensors.set(t.name, { name: t.name, dtype: t.dtype, shape: t.shape, bytes: bytes.subarray(header.dataStart + t.begin, header.dataStart + t.end) });
  }
  return { header, tensors };
}

/**
 * A key the (already valid) JSON object `json` names twice at its top level, or undefined. One pass over
 * the text: only when it finds more keys than JSON.parse kept (`keptKeys`) are the keys compared.
 */
function duplicateTopLevelKey(json: Uint8Array, keptKeys: number): string | undefined {
  const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, OPEN = [0x7b, 0x5b], CLOSE = [0x7d, 0x5d];
  const keys: [number, number][] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (c === QUOTE) {
      const start = i;
      for (i++; json[i] !== QUOTE; i++) if (json[i] === BACKSLASH) i++;
      if (depth === 1 && expectKey) keys.push([start, i + 1]);
      expectKey = false;
    } else if (OPEN.includes(c)) {
      depth++;
      expectKey = depth === 1;
    } else if (CLOSE.includes(c)) {
      depth--;
    } else if (c === COMMA && depth === 1) {
      expectKey = true;
    }
  }
  if (keys.length === keptKeys) return undefined;
  const decoder = new TextDecoder();
  const seen = new Set<string>();
  for (const [start, end] of keys) {
    const key = JSON.parse(decoder.decode(json.subarray(start, end))) as string;
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSafeCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
