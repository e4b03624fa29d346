import { readFileSync } from 'node:fs';

/**
 * Test-only reader for the golden .safetensors files (the production parser lives in src/weights/).
 * Format: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the data.
 */

export type GoldenTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'U8'; shape: number[]; data: Uint8Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array };

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function readSafetensors(path: string): Map<string, GoldenTensor> {
  const file = readFileSync(path);
  const headerLength = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.toString('utf8', 8, 8 + headerLength)) as Record<string, HeaderEntry>;
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, GoldenTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [begin, end] = entry.data_offsets;
    // Copy into a fresh buffer so typed arrays are aligned regardless of where the tensor sits in the file.
    const bytes = new Uint8Array(file.subarray(dataStart + begin, dataStart + end));
    const { buffer } = bytes;
    if (entry.dtype === 'F32') tensors.set(name, { dtype: 'F32', shape: entry.shape, data: new Float32Array(buffer) });
    else if (entry.dtype === 'U8') tensors.set(name, { dtype: 'U8', shape: entry.shape, data: bytes });
    else if (entry.dtype === 'I64') tensors.set(name, { dtype: 'I64', shape: entry.shape, data: new BigInt64Array(buffer) });
    else throw new Error(`readSafetensors: unsupported dtype ${entry.dtype} for ${name}`);
  }
  return tensors;
}

/** The tensor `name`, which must exist and have the given dtype. */
export function tensorOf<D extends GoldenTensor['dtype']>(
  tensors: Map<string, GoldenTensor>,
  name: string,
  dtype: D,
): Extract<GoldenTensor, { dtype: D }> {
  const tensor = tensors.get(name);
  if (!tensor) throw new Error(`golden tensor ${name} is missing`);
  if (tensor.dtype !== dtype) throw new Error(`golden tensor ${name} is ${tensor.dtype}, expected ${dtype}`);
  return tensor as Extract<GoldenTensor, { dtype: D }>;
}
