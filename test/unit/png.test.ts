import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import { decodePng, pngUnsupportedReason, readPngHeader } from '../../src/image/png';
import { concatBytes, deflate, encodePng, ihdr, noise, pngChunk, PNG_SIGNATURE } from '../helpers/png-encode';
import { GOLDEN_DIR } from '../helpers/golden';
import { readSafetensors, tensorOf } from '../helpers/safetensors-node';

const GOLDEN = join(GOLDEN_DIR, 'preprocess');
const goldenPng = (name: string) => new Uint8Array(readFileSync(join(GOLDEN, `${name}.png`)));
interface ManifestImage { name: string; width: number; height: number; png_mode: string; clip_resized_hw: [number, number] }
const images = (JSON.parse(readFileSync(join(GOLDEN, 'manifest.json'), 'utf8')) as { images: ManifestImage[] }).images;
const withMode = (mode: string) => images.find((i) => i.png_mode === mode)!;

async function expectBadImage(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isIrisError(error, 'bad-image'), `expected IrisError bad-image, got ${String(error)}`).toBe(true);
  expect((error as Error).message).toMatch(message);
}

/** The RGB bytes of RGBA pixels. */
function rgbOf(image: { data: ArrayLike<number> }): Uint8Array {
  return Uint8Array.from({ length: (image.data.length / 4) * 3 }, (_, i) => image.data[Math.floor(i / 3) * 4 + (i % 3)]!);
}

/** Splits packed pixel bytes into rows. */
function rowsOf(bytes: Uint8Array, height: number): Uint8Array[] {
  const rowBytes = bytes.length / height;
  return Array.from({ length: height }, (_, y) => bytes.subarray(y * rowBytes, (y + 1) * rowBytes));
}

describe('decodePng on the golden files', () => {
  // An image already at the CLIP resize's size: that resize is a copy, so its result is the decoded PNG.
  const unresized = images.find((i) => i.clip_resized_hw[0] === i.height && i.clip_resized_hw[1] === i.width)!;
  it(`${unresized.name} decodes to exactly the pixels transformers saw (its resize is a copy)`, async () => {
    const image = await decodePng(goldenPng(unresized.name));
    const expected = tensorOf(readSafetensors(join(GOLDEN, 'preprocess.safetensors')), `${unresized.name}.clip_resized`, 'U8');
    expect(rgbOf(image)).toEqual(expected.data);
    expect(image.data.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
  });

  it('gray decodes to R = G = B, opaque', async () => {
    const { data } = await decodePng(goldenPng(withMode('L').name));
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] !== data[i + 1] || data[i] !== data[i + 2] || data[i + 3] !== 255) throw new Error(`pixel ${i / 4}`);
    }
  });

  it('RGBA keeps its stored alpha (128..255 per the manifest)', async () => {
    const { data } = await decodePng(goldenPng(withMode('RGBA').name));
    let [min, max] = [255, 0];
    for (let i = 3; i < data.length; i += 4) [min, max] = [Math.min(min, data[i]!), Math.max(max, data[i]!)];
    expect([min, max]).toEqual([128, 255]);
  });
});

describe('decodePng on crafted files (every filter type on every row pattern)', () => {
  const width = 7;
  const height = 6;

  it.each([
    { colorType: 6, channels: 4, name: 'RGBA' },
    { colorType: 2, channels: 3, name: 'RGB' },
    { colorType: 4, channels: 2, name: 'gray+alpha' },
    { colorType: 0, channels: 1, name: 'gray' },
  ] as const)('8-bit $name', async ({ colorType, channels }) => {
    const pixels = noise(width * height * channels, colorType + 7);
    for (const filters of [[0], [1], [2], [3], [4], [4, 3, 2, 1, 0, 4]]) {
      const png = await encodePng({ width, height, colorType, bitDepth: 8, rows: rowsOf(pixels, height), filters, idatChunks: 3 });
      const { data } = await decodePng(png);
      for (let p = 0; p < width * height; p++) {
        const src = pixels.subarray(p * channels, (p + 1) * channels);
        const expected =
          channels === 4 ? [...src] : channels === 3 ? [...src, 255] : channels === 2 ? [src[0], src[0], src[0], src[1]] : [src[0], src[0], src[0], 255];
        expect([...data.subarray(p * 4, p * 4 + 4)]).toEqual(expected);
      }
    }
  });

  it.each([1, 2, 4] as const)('%i-bit gray scales samples to 0..255', async (bitDepth) => {
    const max = (1 << bitDepth) - 1;
    const samples = Array.from({ length: 5 * 3 }, (_, i) => (i * 7) % (max + 1)); // 5 wide: rows end mid-byte
    const rows = rowsOf(packSamples(samples, 5, 3, bitDepth), 3);
    const { data } = await decodePng(await encodePng({ width: 5, height: 3, colorType: 0, bitDepth, rows }));
    samples.forEach((s, p) => expect([...data.subarray(p * 4, p * 4 + 4)]).toEqual([s * (255 / max), s * (255 / max), s * (255 / max), 255]));
  });

  it.each([1, 2, 4, 8] as const)('%i-bit palette with tRNS alpha', async (bitDepth) => {
    const entries = 1 << bitDepth;
    const palette = noise(entries * 3, bitDepth);
    const transparency = new Uint8Array([0, 77]); // only the first two entries are translucent
    const indices = Array.from({ length: 5 * 3 }, (_, i) => (i * 5) % entries);
    const rows = rowsOf(packSamples(indices, 5, 3, bitDepth), 3);
    const { data } = await decodePng(await encodePng({ width: 5, height: 3, colorType: 3, bitDepth, rows, palette, transparency }));
    indices.forEach((index, p) => {
      const alpha = index < 2 ? transparency[index] : 255;
      expect([...data.subarray(p * 4, p * 4 + 4)]).toEqual([...palette.subarray(index * 3, index * 3 + 3), alpha]);
    });
  });

  it('tRNS colour key makes exactly the matching RGB pixels transparent', async () => {
    const pixels = new Uint8Array([10, 20, 30, 10, 20, 31, 10, 20, 30]);
    const transparency = new Uint8Array([0, 10, 0, 20, 0, 30]);
    const png = await encodePng({ width: 3, height: 1, colorType: 2, bitDepth: 8, rows: [pixels], transparency });
    const { data } = await decodePng(png);
    expect([data[3], data[7], data[11]]).toEqual([0, 255, 0]);
  });

  it('ignores image data beyond the last row, as browsers do', async () => {
    const rows = rowsOf(noise(4 * 2 * 3), 2);
    const filteredWithExtraRow = concatBytes([new Uint8Array([0]), rows[0]!, new Uint8Array([0]), rows[1]!, new Uint8Array(13)]);
    const png = await encodePng({ width: 4, height: 2, colorType: 2, bitDepth: 8, rows, compressedOverride: await deflate(filteredWithExtraRow) });
    expect(rgbOf(await decodePng(png))).toEqual(concatBytes(rows));
  });
});

/** Packs samples of `bitDepth` bits MSB-first, each row padded to a whole byte. */
function packSamples(samples: number[], width: number, height: number, bitDepth: number): Uint8Array {
  const rowBytes = Math.ceil((width * bitDepth) / 8);
  const out = new Uint8Array(rowBytes * height);
  samples.forEach((s, i) => {
    const [y, x] = [Math.floor(i / width), i % width];
    const bit = x * bitDepth;
    out[y * rowBytes + (bit >> 3)]! |= s << (8 - bitDepth - (bit & 7));
  });
  return out;
}

describe('decodePng grows its inflate buffer as data arrives', () => {
  it('a highly compressible image far larger than the first allocation decodes exactly', async () => {
    const width = 301;
    const height = 257; // 301 x 257 RGBA: 309 KB of rows from a few hundred compressed bytes
    const rows = Array.from({ length: height }, (_, y) => new Uint8Array(width * 4).fill(y % 7 === 0 ? 200 : 17));
    const image = await decodePng(await encodePng({ width, height, colorType: 6, bitDepth: 8, rows, filters: rows.map(() => 0) }));
    expect([image.width, image.height]).toEqual([width, height]);
    for (const y of [0, 1, 7, height - 1]) expect(image.data[(y * width + width - 1) * 4]).toBe(rows[y]![0]);
  });
});

describe('decodePng rejects broken and unsupported files with bad-image', () => {
  const rgbRows = rowsOf(noise(4 * 4 * 3), 4);
  const validRgb = () => encodePng({ width: 4, height: 4, colorType: 2, bitDepth: 8, rows: rgbRows });

  it('not a PNG', async () => {
    await expectBadImage(decodePng(new TextEncoder().encode('GIF89a, not a png at all')), /signature/);
  });

  it('truncated file', async () => {
    const png = await validRgb();
    await expectBadImage(decodePng(png.subarray(0, png.length - 20)), /truncated|past the end|IEND/);
    await expectBadImage(decodePng(png.subarray(0, 30)), /truncated|past the end/);
  });

  it('truncated image data', async () => {
    const short = await deflate(new Uint8Array(2 * 13)); // two rows of a four-row image
    await expectBadImage(decodePng(await encodePng({ width: 4, height: 4, colorType: 2, bitDepth: 8, rows: rgbRows, compressedOverride: short })), /truncated/);
  });

  it('corrupt compressed data', async () => {
    const png = await encodePng({ width: 4, height: 4, colorType: 2, bitDepth: 8, rows: rgbRows, compressedOverride: noise(40, 3) });
    await expectBadImage(decodePng(png), /corrupt/);
  });

  it('unknown row filter', async () => {
    const filtered = concatBytes(rgbRows.map((r) => concatBytes([new Uint8Array([5]), r])));
    const png = await encodePng({ width: 4, height: 4, colorType: 2, bitDepth: 8, rows: rgbRows, compressedOverride: await deflate(filtered) });
    await expectBadImage(decodePng(png), /unknown filter type 5/);
  });

  it('zero width or height', async () => {
    const png = concatBytes([PNG_SIGNATURE, ihdr(0, 10, 8, 2), pngChunk('IEND', new Uint8Array(0))]);
    await expectBadImage(decodePng(png), /0x10/);
  });

  it('absurdly large, refused from the header before inflating anything', async () => {
    for (const [w, h] of [[20000, 1], [1, 16385], [10001, 10001]]) {
      const png = concatBytes([PNG_SIGNATURE, ihdr(w, h, 8, 2), pngChunk('IDAT', noise(10)), pngChunk('IEND', new Uint8Array(0))]);
      await expectBadImage(decodePng(png), /larger than Iris accepts/);
    }
  });

  it('a small file claiming a big image is refused from its compressed size, before the claim is allocated', async () => {
    // 9,000 x 9,000 RGB is within the size limits (81 MP) but would inflate to 243 MB, from a few dozen bytes.
    const idat = await deflate(new Uint8Array(64));
    const png = concatBytes([PNG_SIGNATURE, ihdr(9000, 9000, 8, 2), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]);
    expect(png.byteLength).toBeLessThan(100);
    await expectBadImage(decodePng(png), new RegExp(`claims ${9000 * (9000 * 3 + 1)} bytes of pixel data, more than ${idat.byteLength} compressed bytes can hold`));
  });

  it('palette image without PLTE', async () => {
    const png = await encodePng({ width: 4, height: 1, colorType: 3, bitDepth: 8, rows: [new Uint8Array(4)] });
    await expectBadImage(decodePng(png), /PLTE/);
  });

  it('invalid colour type / bit depth combination', async () => {
    const png = concatBytes([PNG_SIGNATURE, ihdr(4, 4, 4, 2), pngChunk('IEND', new Uint8Array(0))]);
    await expectBadImage(decodePng(png), /not a valid combination/);
  });

  it('interlaced and 16-bit files are named as unsupported (decode.ts sends them to the browser)', async () => {
    const interlaced = concatBytes([PNG_SIGNATURE, ihdr(4, 4, 8, 2, 1), pngChunk('IEND', new Uint8Array(0))]);
    const sixteen = concatBytes([PNG_SIGNATURE, ihdr(4, 4, 16, 6), pngChunk('IEND', new Uint8Array(0))]);
    expect(pngUnsupportedReason(readPngHeader(interlaced))).toMatch(/interlaced/);
    expect(pngUnsupportedReason(readPngHeader(sixteen))).toMatch(/16-bit/);
    await expectBadImage(decodePng(interlaced), /interlaced/);
    await expectBadImage(decodePng(sixteen), /16-bit/);
    expect(pngUnsupportedReason(readPngHeader(await validRgb()))).toBeUndefined();
  });
});
