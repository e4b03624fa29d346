/**
 * Test-only PNG writer, to make files with known pixels: every filter type, every colour type and bit depth the
 * decoder handles, and deliberately broken variants. Written from the PNG specification.
 */

export interface PngSpec {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Unfiltered scanlines, packed as the PNG spec says (sub-byte samples MSB first, rows padded to a byte). */
  rows: Uint8Array[];
  /** Filter type per row (0-4); cycles through 0..4 when omitted. */
  filters?: number[];
  palette?: Uint8Array;
  transparency?: Uint8Array;
  interlace?: 0 | 1;
  /** Split the compressed stream into this many IDAT chunks. */
  idatChunks?: number;
  /** Replace the compressed stream, e.g. with garbage. */
  compressedOverride?: Uint8Array;
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function predictor(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0: return 0;
    case 1: return left;
    case 2: return up;
    case 3: return (left + up) >> 1;
    default: {
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
  }
}

/** The filtered image stream: each row prefixed with its filter byte, bytes replaced by residuals. */
export function filterRows(rows: Uint8Array[], bytesPerPixel: number, filters: number[]): Uint8Array {
  const rowBytes = rows[0]?.length ?? 0;
  const out = new Uint8Array(rows.length * (rowBytes + 1));
  rows.forEach((row, y) => {
    const filter = filters[y % filters.length]!;
    const prev = y > 0 ? rows[y - 1]! : new Uint8Array(rowBytes);
    out[y * (rowBytes + 1)] = filter;
    for (let i = 0; i < rowBytes; i++) {
      const left = i >= bytesPerPixel ? row[i - bytesPerPixel]! : 0;
      const upLeft = i >= bytesPerPixel ? prev[i - bytesPerPixel]! : 0;
      out[y * (rowBytes + 1) + 1 + i] = (row[i]! - predictor(filter, left, prev[i]!, upLeft)) & 0xff;
    }
  });
  return out;
}

export async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}

export function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([bitDepth, colorType, 0, 0, interlace], 8);
  return pngChunk('IHDR', data);
}

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function encodePng(spec: PngSpec): Promise<Uint8Array> {
  const bytesPerPixel = Math.max(1, (CHANNELS[spec.colorType] * spec.bitDepth) >> 3);
  const filtered = filterRows(spec.rows, bytesPerPixel, spec.filters ?? [0, 1, 2, 3, 4]);
  const compressed = spec.compressedOverride ?? (await deflate(filtered));
  const pieces = spec.idatChunks ?? 1;
  const size = Math.ceil(compressed.length / pieces);
  const idat = Array.from({ length: pieces }, (_, i) => pngChunk('IDAT', compressed.subarray(i * size, (i + 1) * size)));
  return concatBytes([
    PNG_SIGNATURE,
    ihdr(spec.width, spec.height, spec.bitDepth, spec.colorType, spec.interlace ?? 0),
    ...(spec.palette ? [pngChunk('PLTE', spec.palette)] : []),
    ...(spec.transparency ? [pngChunk('tRNS', spec.transparency)] : []),
    ...idat,
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** Deterministic pseudo-random bytes (so failures reproduce). */
export function noise(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}
