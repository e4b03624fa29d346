import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIrisError, type IrisErrorCode } from '../../src/errors';
import { decodeImage, decodeImageBytes, type ImageInput } from '../../src/image/decode';
import { decodePng } from '../../src/image/png';
import { GOLDEN_DIR } from '../helpers/golden';
import { concatBytes, ihdr, pngChunk, PNG_SIGNATURE } from '../helpers/png-encode';

// Node has no createImageBitmap / OffscreenCanvas, so this covers everything but the browser-decoder path;
// the browser harness should cover that (see the report on the image branch).

// The smallest of the golden preprocessing images.
const smallest = (JSON.parse(readFileSync(join(GOLDEN_DIR, 'preprocess/manifest.json'), 'utf8')) as { images: Array<{ file: string; width: number; height: number }> })
  .images.reduce((a, b) => (b.width * b.height < a.width * a.height ? b : a));
const pngFile = readFileSync(join(GOLDEN_DIR, 'preprocess', smallest.file));
const pngBytes = new Uint8Array(pngFile);

async function errorCode(input: ImageInput, options?: Parameters<typeof decodeImage>[1]): Promise<[IrisErrorCode | undefined, string]> {
  try {
    await decodeImage(input, options);
  } catch (error) {
    return [isIrisError(error) ? error.code : undefined, String(error)];
  }
  throw new Error('expected decodeImage to fail');
}

describe('decodeImage', () => {
  let expected: Uint8Array | Uint8ClampedArray;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    expected = (await decodePng(pngBytes)).data;
    server = createServer((request, response) => {
      if (request.url === '/tiny.png') response.writeHead(200, { 'content-type': 'image/png' }).end(pngFile);
      else response.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['ArrayBuffer', () => pngBytes.slice().buffer],
    ['Uint8Array', () => pngBytes],
    ['Node Buffer (a view at an offset into a pool)', () => Buffer.concat([Buffer.from('xyz'), pngFile]).subarray(3)],
    ['DataView', () => new DataView(pngBytes.slice().buffer)],
    ['Blob', () => new Blob([pngBytes], { type: 'image/png' })],
    ['File', () => new File([pngBytes], 'tiny.png')],
    ['data: URL', () => `data:image/png;base64,${pngFile.toString('base64')}`],
  ] as [string, () => ImageInput][])('decodes a PNG given as %s', async (_, make) => {
    const image = await decodeImage(make());
    expect([image.width, image.height]).toEqual([smallest.width, smallest.height]);
    expect(image.data).toEqual(expected);
  });

  it('fetches an http URL', async () => {
    expect((await decodeImage(`${baseUrl}/tiny.png`)).data).toEqual(expected);
  });

  it('reports HTTP errors and unreachable URLs as download-failed', async () => {
    const [code404, message] = await errorCode(`${baseUrl}/missing.png`);
    expect(code404).toBe('download-failed');
    expect(message).toMatch(/HTTP 404/);
    expect((await errorCode('http://127.0.0.1:1/nothing-listens-here.png'))[0]).toBe('download-failed');
  });

  it('honours an aborted signal', async () => {
    expect((await errorCode(`${baseUrl}/tiny.png`, { signal: AbortSignal.abort() }))[0]).toBe('aborted');
  });

  it('passes decoded RGBA (RgbaImage / ImageData shape) through after checking it', async () => {
    const rgba = { width: 2, height: 1, data: new Uint8ClampedArray([1, 2, 3, 4, 5, 6, 7, 8]) };
    expect(await decodeImage(rgba)).toBe(rgba);
    expect(await errorCode({ width: 2, height: 2, data: new Uint8ClampedArray(8) })).toEqual(['bad-image', expect.stringMatching(/holds 8 bytes/)]);
    expect((await errorCode({ width: 0, height: 0, data: new Uint8ClampedArray(0) }))[0]).toBe('bad-image');
    const p3 = { ...rgba, colorSpace: 'display-p3' };
    expect(await errorCode(p3)).toEqual(['bad-image', expect.stringMatching(/display-p3/)]);
  });

  it('refuses empty, garbage and over-large files with bad-image', async () => {
    expect(await errorCode(new Uint8Array(0))).toEqual(['bad-image', expect.stringMatching(/empty/)]);
    // Not a PNG: in a browser createImageBitmap would reject it; in Node there is no browser decoder at all.
    expect(await errorCode(new TextEncoder().encode('definitely not an image'))).toEqual(['bad-image', expect.stringMatching(/only PNG/)]);
    const huge = concatBytes([PNG_SIGNATURE, ihdr(30000, 30000, 8, 6), pngChunk('IEND', new Uint8Array(0))]);
    expect(await errorCode(huge)).toEqual(['bad-image', expect.stringMatching(/30000x30000.*larger than Iris accepts/)]);
    const hugeInterlaced = concatBytes([PNG_SIGNATURE, ihdr(30000, 30000, 8, 6, 1), pngChunk('IEND', new Uint8Array(0))]);
    expect(await errorCode(hugeInterlaced)).toEqual(['bad-image', expect.stringMatching(/larger than Iris accepts/)]);
  });

  it('hands PNG variants the built-in decoder lacks to the browser decoder', async () => {
    const interlaced = concatBytes([PNG_SIGNATURE, ihdr(4, 4, 8, 2, 1), pngChunk('IEND', new Uint8Array(0))]);
    await expect(decodeImageBytes(interlaced, 'image/png')).rejects.toThrow(/no createImageBitmap/);
  });

  it('refuses inputs it does not understand with bad-input', async () => {
    for (const input of [42, null, {}, { width: 1, height: 1, data: [0, 0, 0, 0] }]) {
      expect((await errorCode(input as unknown as ImageInput))[0]).toBe('bad-input');
    }
  });
});
