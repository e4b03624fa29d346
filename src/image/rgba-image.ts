import { IrisError } from '../errors';

/**
 * Decoded pixels as preprocessing takes them: 8-bit RGBA, row-major, no row padding, colour values NOT
 * premultiplied by alpha. `ImageData` has exactly this shape, so one can be passed where an RgbaImage is expected.
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes: R, G, B, A per pixel. */
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Largest accepted side, in pixels (browsers' own canvas limit is in this range too). */
export const MAX_IMAGE_SIDE = 16384;
/** Largest accepted area: 100 megapixels, i.e. 400 MB as RGBA, which is already a lot for a browser tab. */
export const MAX_IMAGE_PIXELS = 100_000_000;

/** Throws 'bad-image' unless width x height is a usable, non-absurd image size. Call before allocating. */
export function assertImageSize(width: number, height: number, what = 'The image'): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new IrisError('bad-image', `${what} is ${width}x${height} pixels; it has no pixels to look at.`, {
      hint: 'Pass an image that has loaded completely and has a non-zero width and height.',
    });
  }
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS) {
    throw new IrisError(
      'bad-image',
      `${what} is ${width}x${height} pixels, larger than Iris accepts ` +
        `(at most ${MAX_IMAGE_SIDE} pixels per side and ${MAX_IMAGE_PIXELS / 1e6} megapixels).`,
      { hint: 'Scale the image down before passing it in; the models only look at 224x224 pixels anyway.' },
    );
  }
}

/** Throws 'bad-image' unless `image` is a well-formed RgbaImage (size limits and buffer length). */
export function assertRgbaImage(image: RgbaImage, what = 'The image'): void {
  assertImageSize(image.width, image.height, what);
  const expected = image.width * image.height * 4;
  if (image.data.length !== expected) {
    throw new IrisError(
      'bad-image',
      `${what} claims ${image.width}x${image.height} pixels but holds ${image.data.length} bytes, not ${expected}.`,
      { hint: 'Pixel data must be tightly packed 8-bit RGBA, like ImageData.data.' },
    );
  }
}
