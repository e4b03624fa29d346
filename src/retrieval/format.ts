/**
 * The export file of an index (`.irisindex`), self-describing and little-endian:
 *
 *   bytes 0..7    "IRISVIX1"
 *   bytes 8..11   u32 length H of the JSON header
 *   H bytes       UTF-8 JSON: { format: 1, name, model, dim, precision, count, keys[], versions[] },
 *                 padded with spaces so that the vectors start at a multiple of 8
 *   the vectors   count × dim values, f16 bits or f32 as `precision` says, row i for keys[i]
 */
import { IrisError } from '../errors';
import type { VectorData } from './table';
import type { VectorPrecision } from './types';

const MAGIC = 'IRISVIX1';
export const EXPORT_MIME_TYPE = 'application/x-iris-index';

export interface ExportedIndex {
  name: string;
  model: string;
  dim: number;
  precision: VectorPrecision;
  keys: string[];
  versions: string[];
  vectors: VectorData;
}

export function encodeIndexFile(index: ExportedIndex): Blob {
  const { name, model, dim, precision, keys, versions } = index;
  let json = JSON.stringify({ format: 1, name, model, dim, precision, count: keys.length, keys, versions });
  const encoder = new TextEncoder();
  let header = encoder.encode(json);
  const padding = (8 - ((12 + header.length) % 8)) % 8;
  if (padding) header = encoder.encode((json += ' '.repeat(padding)));
  const prefix = new Uint8Array(12);
  prefix.set(encoder.encode(MAGIC));
  new DataView(prefix.buffer).setUint32(8, header.length, true);
  const vectors = index.vectors.slice(0, keys.length * dim);
  return new Blob([prefix, header, vectors], { type: EXPORT_MIME_TYPE });
}

export async function decodeIndexFile(blob: Blob): Promise<ExportedIndex> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const invalid = (detail: string) =>
    new IrisError('bad-input', `This is not an Iris index export (${detail}).`, { hint: 'Import a file made by index.export().' });
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw invalid('wrong signature');
  const headerLength = new DataView(bytes.buffer).getUint32(8, true);
  if (12 + headerLength > bytes.length) throw invalid('truncated header');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as Record<string, unknown>;
  } catch {
    throw invalid('unreadable header');
  }
  const { format, name, model, dim, precision, count, keys, versions } = header;
  if (format !== 1) throw invalid(`format ${String(format)}; this version of Iris reads format 1`);
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (typeof model !== 'string' || !isCount(dim) || dim === 0 || (precision !== 'f16' && precision !== 'f32') || !isCount(count)) throw invalid('bad header fields');
  if (!isStrings(keys) || !isStrings(versions) || keys.length !== count || versions.length !== count) throw invalid('keys and versions do not match the count');
  if (new Set(keys).size !== keys.length) throw invalid('duplicate keys');
  const start = 12 + headerLength;
  const byteLength = count * dim * (precision === 'f16' ? 2 : 4);
  if (bytes.length !== start + byteLength) throw invalid(`expected ${byteLength} bytes of vectors, found ${bytes.length - start}`);
  const raw = bytes.slice(start).buffer;
  const vectors = precision === 'f16' ? new Uint16Array(raw) : new Float32Array(raw);
  return { name: typeof name === 'string' ? name : '', model, dim, precision, keys, versions, vectors };
}
