import { IrisError } from '../errors';
import { assertImageSize, type RgbaImage } from './rgba-image';

/**
 * A small PNG decoder, because browsers cannot give back a PNG's stored RGBA exactly: 2D canvases keep
 * premultiplied alpha, so every translucent pixel loses precision on the way out and fully transparent pixels
 * lose their colour altogether, while PIL (and so Hugging Face) keeps the stored colour and just drops alpha.
 * It also runs in Node, which has DecompressionStream, so the tests use the same code as the worker.
 *
 * Handles what the web mostly serves: non-interlaced, 8-bit gray / RGB / gray+alpha / RGBA, and palette or gray
 * at 1, 2, 4 or 8 bits. Everything else (16-bit samples, Adam7 interlacing) is reported by
 * `pngUnsupportedReason` so callers can hand the file to the browser's decoder instead.
 * Ancillary chunks (gAMA, iCCP, sRGB, ...) are ignored, as PIL ignores them; CRCs are not checked.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const enum ColorType {
  Gray = 0,
  Rgb = 2,
  Palette = 3,
  GrayAlpha = 4,
  Rgba = 6,
}

const SAMPLES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Bit depths the PNG specification allows per colour type. */
const BIT_DEPTHS_ALLOWED: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlaced: boolean;
}

function badPng(message: string, cause?: unknown): IrisError {
  return new IrisError('bad-image', `The PNG image is invalid: ${message}.`, {
    cause,
    hint: 'Re-save the image with an image editor, or use a different image.',
  });
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

interface Chunk {
  readonly type: string;
  readonly data: Uint8Array;
}

function* chunks(bytes: Uint8Array): Generator<Chunk> {
  let offset = 8;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw badPng('the file ends inside a chunk header (truncated download?)');
    const length = readUint32(bytes, offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const start = offset + 8;
    if (start + length + 4 > bytes.length) throw badPng(`the ${type} chunk runs past the end of the file (truncated?)`);
    yield { type, data: bytes.subarray(start, start + length) };
    if (type === 'IEND') return;
    offset = start + length + 4; // skip the CRC
  }
  throw badPng('the file has no IEND chunk (truncated?)');
}

function parseHeader(chunk: Chunk | undefined): PngHeader {
  if (!chunk || chunk.type !== 'IHDR' || chunk.data.length !== 13) throw badPng('it does not start with an IHDR chunk');
  const d = chunk.data;
  const header = {
    width: readUint32(d, 0),
    height: readUint32(d, 4),
    bitDepth: d[8]!,
    colorType: d[9]!,
    interlaced: d[12] === 1,
  };
  if (d[10] !== 0 || d[11] !== 0 || d[12]! > 1) {
    throw badPng('the IHDR chunk names an unknown compression, filter or interlace method');
  }
  if (!BIT_DEPTHS_ALLOWED[header.colorType]?.includes(header.bitDepth)) {
    throw badPng(`colour type ${header.colorType} with bit depth ${header.bitDepth} is not a valid combination`);
  }
  return header;
}

/** Reads and validates the IHDR chunk only; throws 'bad-image' if the bytes are not a well-formed PNG start. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (!isPng(bytes)) throw badPng('the PNG signature is missing');
  return parseHeader(chunks(bytes).next().value);
}

/** Why decodePng cannot handle this (valid) PNG, or undefined if it can. */
export function pngUnsupportedReason(header: PngHeader): string | undefined {
  if (header.interlaced) return 'Adam7-interlaced PNGs are not supported by the built-in decoder';
  if (header.bitDepth === 16) return '16-bit PNGs are not supported by the built-in decoder';
  return undefined;
}

/**
 * Deflate's best case: one 258-byte match per 2 bits of a dynamic-Huffman block, about 1032:1. A header
 * that claims more pixels than its compressed data could ever hold is refused before anything is allocated.
 */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Inflates a zlib stream, reading no more than `expectedSize` bytes (so a malicious file cannot balloon).
 * The output grows as data arrives, so a small file that claims a huge image allocates only what it sends.
 */
async function inflate(compressed: Uint8Array<ArrayBuffer>, expectedSize: number): Promise<Uint8Array> {
  if (expectedSize > compressed.byteLength * MAX_DEFLATE_RATIO + 1024) {
    throw badPng(`its header claims ${expectedSize} bytes of pixel data, more than ${compressed.byteLength} compressed bytes can hold (truncated?)`);
  }
  let out = new Uint8Array(Math.min(expectedSize, Math.max(64 * 1024, compressed.byteLength * 4)));
  const reader = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
  let filled = 0;
  try {
    while (filled < expectedSize) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, expectedSize - filled);
      if (filled + take > out.length) {
        const grown = new Uint8Array(Math.min(expectedSize, Math.max(filled + take, out.length * 2)));
        grown.set(out.subarray(0, filled));
        out = grown;
      }
      out.set(value.subarray(0, take), filled);
      filled += take;
    }
  } catch (error) {
    throw badPng('the compressed image data is corrupt', error);
  }
  // Like browsers, tolerate trailing data after the last row; a short stream is an error.
  await reader.cancel().catch(() => undefined);
  if (filled < expectedSize) throw badPng(`the image data is truncated (${filled} of ${expectedSize} bytes)`);
  return out;
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const dLeft = Math.abs(estimate - left);
  const dUp = Math.abs(estimate - up);
  const dUpLeft = Math.abs(estimate - upLeft);
  if (dLeft <= dUp && dLeft <= dUpLeft) return left;
  return dUp <= dUpLeft ? up : upLeft;
}

/**
 * Undoes the per-row prediction filters. `raw` holds `height` rows of (1 filter byte + rowBytes); returns the
 * rows without their filter bytes. `step` is the byte distance to the "left" neighbour (bytes per pixel, min 1).
 * One loop per filter type, since this runs over every byte of the image.
 */
function unfilter(raw: Uint8Array, height: number, rowBytes: number, step: number): Uint8Array {
  const rows = new Uint8Array(height * rowBytes);
  const zeroRow = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)]!;
    const src = raw.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const cur = rows.subarray(y * rowBytes, (y + 1) * rowBytes);
    const up = y > 0 ? rows.subarray((y - 1) * rowBytes, y * rowBytes) : zeroRow;
    const leftEdge = Math.min(step, rowBytes); // bytes with no left neighbour
    switch (filter) {
      case 0:
        cur.set(src);
        break;
      case 1: // Sub: left
        cur.set(src.subarray(0, leftEdge));
        for (let i = step; i < rowBytes; i++) cur[i] = src[i]! + cur[i - step]!;
        break;
      case 2: // Up: above
        for (let i = 0; i < rowBytes; i++) cur[i] = src[i]! + up[i]!;
        break;
      case 3: // Average: floor((left + above) / 2)
        for (let i = 0; i < leftEdge; i++) cur[i] = src[i]! + (up[i]! >> 1);
        for (let i = step; i < rowBytes; i++) cur[i] = src[i]! + ((cur[i - step]! + up[i]!) >> 1);
        break;
      case 4: // Paeth: left, above or above-left, whichever is closest to left + above - above-left
        for (let i = 0; i < leftEdge; i++) cur[i] = src[i]! + up[i]!; // paeth(0, up, 0) = up
        for (let i = step; i < rowBytes; i++) cur[i] = src[i]! + paeth(cur[i - step]!, up[i]!, up[i - step]!);
        break;
      default:
        throw badPng(`row ${y} uses unknown filter type ${filter}`);
    }
  }
  return rows; // Uint8Array stores wrap modulo 256, which is the arithmetic PNG filters use
}

/** Sample `x` of a row of `bitDepth`-bit samples (1, 2, 4 or 8), as its raw integer value. */
function sampleAt(rows: Uint8Array, rowStart: number, x: number, bitDepth: number): number {
  if (bitDepth === 8) return rows[rowStart + x]!;
  const bitOffset = x * bitDepth;
  const byte = rows[rowStart + (bitOffset >> 3)]!;
  return (byte >> (8 - bitDepth - (bitOffset & 7))) & ((1 << bitDepth) - 1);
}

interface Extras {
  readonly palette: Uint8Array | undefined;
  readonly transparency: Uint8Array | undefined;
}

function toRgba(rows: Uint8Array, header: PngHeader, rowBytes: number, extras: Extras): Uint8Array {
  const { width, height, bitDepth, colorType } = header;
  const pixels = width * height;
  const out = new Uint8Array(pixels * 4);
  const { palette, transparency } = extras;
  // tRNS for gray / RGB names one colour (16-bit fields) that is fully transparent; -1 matches nothing.
  const key = (i: number) =>
    transparency && transparency.length >= 2 * i + 2 ? (transparency[2 * i]! << 8) | transparency[2 * i + 1]! : -1;

  switch (colorType) {
    case ColorType.Rgba: // rows are already RGBA when there is no row padding (8-bit)
      out.set(rows);
      break;
    case ColorType.Rgb: {
      for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 3, o += 4) {
        out[o] = rows[i]!;
        out[o + 1] = rows[i + 1]!;
        out[o + 2] = rows[i + 2]!;
        out[o + 3] = 255;
      }
      if (transparency) {
        const [keyR, keyG, keyB] = [key(0), key(1), key(2)];
        for (let o = 0; o < out.length; o += 4) {
          if (out[o] === keyR && out[o + 1] === keyG && out[o + 2] === keyB) out[o + 3] = 0;
        }
      }
      break;
    }
    case ColorType.GrayAlpha:
      for (let p = 0; p < pixels; p++) {
        out[p * 4] = out[p * 4 + 1] = out[p * 4 + 2] = rows[p * 2]!;
        out[p * 4 + 3] = rows[p * 2 + 1]!;
      }
      break;
    case ColorType.Gray: {
      const keyGray = key(0);
      const scale = 255 / ((1 << bitDepth) - 1); // 1-bit 0/1 -> 0/255, 4-bit 0..15 -> 0..255 in steps of 17
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const v = sampleAt(rows, y * rowBytes, x, bitDepth);
          const o = (y * width + x) * 4;
          out[o] = out[o + 1] = out[o + 2] = v * scale;
          out[o + 3] = v === keyGray ? 0 : 255;
        }
      }
      break;
    }
    default: // Palette
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const index = sampleAt(rows, y * rowBytes, x, bitDepth);
          const o = (y * width + x) * 4;
          if (index * 3 + 2 < palette!.length) out.set(palette!.subarray(index * 3, index * 3 + 3), o);
          // (an index past the palette stays black, as browsers show it)
          out[o + 3] = transparency && index < transparency.length ? transparency[index]! : 255;
        }
      }
  }
  return out;
}

/**
 * Decodes a PNG file to straight (non-premultiplied) RGBA, exactly as stored. Throws IrisError 'bad-image' for
 * malformed, truncated or over-large files and for the variants `pngUnsupportedReason` names.
 */
export async function decodePng(bytes: Uint8Array): Promise<RgbaImage> {
  if (!isPng(bytes)) throw badPng('the PNG signature is missing');
  const iterator = chunks(bytes);
  const header = parseHeader(iterator.next().value);
  assertImageSize(header.width, header.height, 'The PNG image'); // before inflating anything
  const unsupported = pngUnsupportedReason(header);
  if (unsupported) {
    throw new IrisError('bad-image', `Cannot decode this PNG: ${unsupported}.`, {
      hint: 'Decode it in the browser (pass it to the worker as a Blob there), or re-save it as an 8-bit PNG.',
    });
  }

  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (const chunk of iterator) {
    if (chunk.type === 'PLTE') palette = chunk.data;
    else if (chunk.type === 'tRNS') transparency = chunk.data;
    else if (chunk.type === 'IDAT') idat.push(chunk.data);
  }
  if (header.colorType === ColorType.Palette && (!palette || palette.length === 0 || palette.length % 3 !== 0)) {
    throw badPng('a palette image has no valid PLTE chunk');
  }
  if (idat.length === 0) throw badPng('it has no image data (IDAT chunk)');

  const compressed = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  idat.reduce((offset, c) => (compressed.set(c, offset), offset + c.length), 0);

  const bitsPerPixel = SAMPLES_PER_PIXEL[header.colorType]! * header.bitDepth;
  const rowBytes = Math.ceil((header.width * bitsPerPixel) / 8);
  const raw = await inflate(compressed, header.height * (rowBytes + 1));
  const rows = unfilter(raw, header.height, rowBytes, Math.max(1, bitsPerPixel >> 3));
  const data = toRgba(rows, header, rowBytes, { palette, transparency });
  return { width: header.width, height: header.height, data };
}
