import { IrisError, throwIfAborted } from '../errors';
import { decodePng, isPng, pngUnsupportedReason, readPngHeader } from './png';
import { assertImageSize, assertRgbaImage, type RgbaImage } from './rgba-image';

/**
 * Turning what a web page has into RGBA pixels. `decodeImage` is meant to run INSIDE THE WORKER (decoding a
 * large photo takes long enough to freeze a page); `imageBitmapFromElement` is the one page-side helper, for
 * DOM elements, which cannot be sent to a worker: it makes a transferable ImageBitmap of them.
 *
 * Exactness: PNGs (the built-in decoder's variants) are decoded by png.ts, giving the stored values exactly,
 * as PIL does. Everything else goes through the browser: createImageBitmap + OffscreenCanvas getImageData. That
 * is exact for opaque pixels, but a 2D canvas stores premultiplied alpha, so translucent pixels come back off by
 * about one level and fully transparent ones come back black (measured in Chromium 156). So pass PNGs as
 * Blob / bytes / URL, not as an element or ImageBitmap, when they have alpha.
 */

/** What decodeImage accepts. Strings are URLs (http(s), blob:, data:), fetched from the worker. */
export type ImageInput = ImageBitmap | ImageData | RgbaImage | Blob | ArrayBuffer | ArrayBufferView | string;

export interface DecodeImageOptions {
  readonly signal?: AbortSignal;
}

/** Decodes any ImageInput to straight RGBA. Never closes an ImageBitmap you pass in: it stays yours. */
export async function decodeImage(input: ImageInput, options: DecodeImageOptions = {}): Promise<RgbaImage> {
  throwIfAborted(options.signal, 'Image decoding');
  if (typeof input === 'string') {
    const blob = await fetchImage(input, options.signal);
    throwIfAborted(options.signal, 'Image decoding');
    return decodeBlob(blob);
  }
  if (typeof ImageBitmap !== 'undefined' && input instanceof ImageBitmap) return bitmapToRgba(input);
  if (input instanceof Blob) return decodeBlob(input);
  if (input instanceof ArrayBuffer) return decodeImageBytes(new Uint8Array(input));
  if (ArrayBuffer.isView(input)) return decodeImageBytes(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  if (isRgbaImage(input)) {
    if ('colorSpace' in input && input.colorSpace !== 'srgb') {
      const message = `The ImageData is in the ${String(input.colorSpace)} colour space; the models expect sRGB.`;
      throw new IrisError('bad-image', message, {
        hint: "Read it with getImageData(x, y, w, h, { colorSpace: 'srgb' }).",
      });
    }
    assertRgbaImage(input);
    return input;
  }
  throw new IrisError('bad-input', `Cannot decode an image from ${describe(input)}.`, {
    hint: 'Pass an ImageBitmap, ImageData, Blob/File, ArrayBuffer of an encoded image, or a URL string. ' +
      'For <img>, <canvas> or <video>, call imageBitmapFromElement on the page first.',
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  return `an object of type ${value.constructor?.name ?? 'unknown'}`;
}

function isRgbaImage(value: unknown): value is RgbaImage {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<RgbaImage>;
  return (
    typeof candidate.width === 'number' &&
    typeof candidate.height === 'number' &&
    (candidate.data instanceof Uint8Array || candidate.data instanceof Uint8ClampedArray)
  );
}

async function fetchImage(url: string, signal: AbortSignal | undefined): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    throwIfAborted(signal, 'Image download');
    throw new IrisError('download-failed', `Could not fetch the image at ${shortUrl(url)}.`, {
      cause: error,
      hint: 'Check the URL and your connection; a cross-origin URL must send CORS headers.',
    });
  }
  if (!response.ok) {
    throw new IrisError('download-failed', `Fetching the image at ${shortUrl(url)} failed with HTTP ${response.status}.`, {
      hint: 'Check that the URL points at an image that exists and is public.',
    });
  }
  try {
    return await response.blob();
  } catch (error) {
    throwIfAborted(signal, 'Image download');
    throw new IrisError('download-failed', `The download of ${shortUrl(url)} broke off.`, { cause: error });
  }
}

function shortUrl(url: string): string {
  return url.length > 100 ? `${url.slice(0, 97)}...` : url; // data: URLs can be megabytes long
}

async function decodeBlob(blob: Blob): Promise<RgbaImage> {
  return decodeImageBytes(new Uint8Array(await blob.arrayBuffer()), blob.type);
}

/** Decodes an encoded image file (PNG, JPEG, WebP, GIF, AVIF, BMP ... whatever the browser can). */
export async function decodeImageBytes(bytes: Uint8Array, mimeType = ''): Promise<RgbaImage> {
  if (bytes.length === 0) {
    throw new IrisError('bad-image', 'The image file is empty (0 bytes).', {
      hint: 'Check that the file was read or downloaded completely.',
    });
  }
  if (isPng(bytes)) {
    const header = readPngHeader(bytes);
    assertImageSize(header.width, header.height, 'The PNG image');
    if (!pngUnsupportedReason(header)) return decodePng(bytes);
  }
  return bitmapToRgbaAndClose(await decodeWithBrowser(bytes, mimeType));
}

async function decodeWithBrowser(bytes: Uint8Array, mimeType: string): Promise<ImageBitmap> {
  if (typeof createImageBitmap === 'undefined') {
    throw new IrisError('bad-image', 'This environment has no createImageBitmap, so only PNG images can be decoded here.', {
      hint: 'Decode in a browser worker, or pass PNG bytes or already-decoded RGBA pixels.',
    });
  }
  try {
    // 'none' keeps the stored colour values: no alpha premultiplication, no ICC conversion (PIL applies neither).
    // EXIF orientation is applied (the default), as transformers' load_image does and as <img> displays it.
    // A Blob cannot be built on SharedArrayBuffer memory, so such views are copied first.
    const owned = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
    const blob = new Blob([owned], { type: mimeType });
    return await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (error) {
    throw new IrisError('bad-image', `The browser could not decode the image${mimeType ? ` (${mimeType})` : ''}.`, {
      cause: error,
      hint: 'The file may be corrupt or in a format this browser cannot read; PNG, JPEG and WebP work everywhere.',
    });
  }
}

function bitmapToRgbaAndClose(bitmap: ImageBitmap): RgbaImage {
  try {
    return bitmapToRgba(bitmap);
  } finally {
    bitmap.close();
  }
}

/** Reads an ImageBitmap's pixels via an OffscreenCanvas (exact for opaque pixels; see the module comment). */
export function bitmapToRgba(bitmap: ImageBitmap): RgbaImage {
  const { width, height } = bitmap;
  if (width === 0 && height === 0) {
    throw new IrisError('bad-image', 'The ImageBitmap is empty (0x0); it may have been closed or transferred away.', {
      hint: 'Transfer each ImageBitmap to the worker once, and decode it before closing it.',
    });
  }
  assertImageSize(width, height, 'The image');
  if (typeof OffscreenCanvas === 'undefined') {
    throw new IrisError('bad-image', 'This environment has no OffscreenCanvas, so ImageBitmaps cannot be read here.');
  }
  const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  if (!context) throw new IrisError('bad-image', 'Could not create a 2D OffscreenCanvas to read the image pixels.');
  context.globalCompositeOperation = 'copy';
  context.drawImage(bitmap, 0, 0);
  try {
    const { data } = context.getImageData(0, 0, width, height, { colorSpace: 'srgb' });
    return { width, height, data };
  } catch (error) {
    throw new IrisError('bad-image', 'The browser does not allow reading these image pixels (cross-origin image).', {
      cause: error,
      hint: "Serve the image with CORS headers and load it with crossOrigin='anonymous', or pass its URL or Blob instead.",
    });
  }
}

/** Elements a page can turn into an ImageBitmap for the worker. */
export type PageImageElement = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement;

/**
 * PAGE SIDE. Makes a transferable ImageBitmap of an <img>, <canvas> or <video> (its current frame); send it with
 * `worker.postMessage(msg, [bitmap])`. Waits for an <img> that is still loading. Translucent pixels are not exact
 * (see the module comment); for PNG files prefer sending the URL or Blob.
 */
export async function imageBitmapFromElement(element: PageImageElement): Promise<ImageBitmap> {
  let width: number;
  let height: number;
  if (element instanceof HTMLImageElement) {
    try {
      if (!element.complete || element.naturalWidth === 0) await element.decode();
    } catch (error) {
      const source = shortUrl(element.currentSrc || element.src);
      throw new IrisError('bad-image', `The <img> could not be loaded or decoded (${source}).`, {
        cause: error,
        hint: 'Check that its src points at a valid image.',
      });
    }
    [width, height] = [element.naturalWidth, element.naturalHeight];
  } else if (element instanceof HTMLVideoElement) {
    if (element.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
      throw new IrisError('bad-image', 'The <video> has no frame to capture yet.', {
        hint: "Wait for its 'loadeddata' event (or seek to a frame) before capturing it.",
      });
    }
    [width, height] = [element.videoWidth, element.videoHeight];
  } else {
    [width, height] = [element.width, element.height];
  }
  assertImageSize(width, height, `The <${element.tagName.toLowerCase()}>`);
  try {
    return await createImageBitmap(element, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (error) {
    throw new IrisError('bad-image', `Could not capture the <${element.tagName.toLowerCase()}> as an image.`, {
      cause: error,
      hint: 'The element may be broken or not ready yet.',
    });
  }
}
