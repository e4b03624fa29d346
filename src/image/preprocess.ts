import { IrisError } from '../errors';
import type { ImageSize, PreprocessConfig } from './preprocess-config';
import { resizeRGB } from './resize';
import { assertRgbaImage, MAX_IMAGE_PIXELS, type RgbaImage } from './rgba-image';

export {
  DEFAULT_PREPROCESS_CONFIGS,
  parsePreprocessorConfig,
  type ImageProcessorType,
  type ImageSize,
  type PreprocessConfig,
  type ResizeTarget,
} from './preprocess-config';

/**
 * Turns decoded pixels into a model's `pixel_values`, step for step as transformers' CLIPImageProcessor and
 * ViTImageProcessor do it: convert to RGB -> resize (PIL) -> center crop -> rescale -> normalize -> CHW.
 */

/** Tightly packed 8-bit RGB, HWC (the layout PIL and the golden data use). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** PIL's convert('RGB') of an RGBA image: alpha is dropped, not composited onto a background. */
export function rgbaToRgb(image: RgbaImage): RgbImage {
  assertRgbaImage(image);
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * 3);
  const src = image.data;
  for (let i = 0; i < pixels; i++) {
    data[i * 3] = src[i * 4]!;
    data[i * 3 + 1] = src[i * 4 + 1]!;
    data[i * 3 + 2] = src[i * 4 + 2]!;
  }
  return { width: image.width, height: image.height, data };
}

/** Output size of the resize step (transformers' get_resize_output_image_size). */
export function resizeOutputSize(width: number, height: number, cfg: PreprocessConfig): ImageSize {
  if (!('shortestEdge' in cfg.size)) return cfg.size;
  const edge = cfg.size.shortestEdge;
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  // Python's int(edge * long / short): float division, then truncation.
  const newLong = Math.trunc((edge * long) / short);
  return width <= height ? { height: newLong, width: edge } : { height: edge, width: newLong };
}

export function resizeForModel(image: RgbImage, cfg: PreprocessConfig): RgbImage {
  if (!cfg.doResize) return image;
  const { width, height } = resizeOutputSize(image.width, image.height, cfg);
  // A very thin image (say 1 x 16384) grows enormous when its short side goes to 224; refuse it before allocating.
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new IrisError(
      'bad-image',
      `The image is ${image.width}x${image.height} pixels, too thin to preprocess: resizing it gives ${width}x${height}.`,
      { hint: 'Crop it to a less extreme aspect ratio first.' },
    );
  }
  return { width, height, data: resizeRGB(image.data, image.width, image.height, width, height, cfg.resample) };
}

/**
 * transformers' center_crop: top = (H - cropH) // 2, left = (W - cropW) // 2 (floor division). Where the image
 * is smaller than the crop, HF pads with zeros, centred; that is the same as reading zeros outside the image.
 */
export function centerCrop(image: RgbImage, crop: ImageSize): RgbImage {
  const top = Math.floor((image.height - crop.height) / 2);
  const left = Math.floor((image.width - crop.width) / 2);
  const data = new Uint8Array(crop.width * crop.height * 3);
  const x0 = Math.max(0, -left);
  const x1 = Math.min(crop.width, image.width - left);
  for (let y = 0; y < crop.height; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= image.height || x1 <= x0) continue;
    const from = (sy * image.width + left + x0) * 3;
    data.set(image.data.subarray(from, from + (x1 - x0) * 3), (y * crop.width + x0) * 3);
  }
  return { width: crop.width, height: crop.height, data };
}

/** A rectangle of an image in fractions of its width and height (0..1 when inside it), top-left origin. */
export interface ImageRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Which part of a `width`×`height` image the model sees (its input, hence its patch grid), as fractions of
 * the image: the centre crop of the resized image where the config crops (CLIP, GIT), else the whole image
 * (ViT-GPT2 squashes it to a square). The resize scales the whole image, so fractions of the resized image
 * are fractions of the original. A crop larger than the image (zero padding) reaches outside 0..1.
 */
export function modelInputRegion(width: number, height: number, cfg: PreprocessConfig): ImageRegion {
  if (!cfg.doCenterCrop) return { x: 0, y: 0, width: 1, height: 1 };
  const resized = cfg.doResize ? resizeOutputSize(width, height, cfg) : { width, height };
  const { cropSize } = cfg;
  const top = Math.floor((resized.height - cropSize.height) / 2);
  const left = Math.floor((resized.width - cropSize.width) / 2);
  return { x: left / resized.width, y: top / resized.height, width: cropSize.width / resized.width, height: cropSize.height / resized.height };
}

/**
 * The float32 value each byte becomes in channel `c`, computed with HF's exact arithmetic: rescale in float64
 * then cast to float32; normalize in float32. (fround after each double op equals the float32 op here.)
 */
function channelTable(cfg: PreprocessConfig, c: 0 | 1 | 2): Float32Array {
  const table = new Float32Array(256);
  const mean = Math.fround(cfg.imageMean[c]);
  const std = Math.fround(cfg.imageStd[c]);
  for (let v = 0; v < 256; v++) {
    let x = cfg.doRescale ? Math.fround(v * cfg.rescaleFactor) : v;
    if (cfg.doNormalize) x = Math.fround(Math.fround(x - mean) / std);
    table[v] = x;
  }
  return table;
}

/** Rescale + normalize an RGB image into CHW float32, writing at `out[offset ...]`. */
export function writePixelValues(image: RgbImage, cfg: PreprocessConfig, out: Float32Array, offset = 0): void {
  const plane = image.width * image.height;
  for (const c of [0, 1, 2] as const) {
    const table = channelTable(cfg, c);
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) out[base + i] = table[image.data[i * 3 + c]!]!;
  }
}

/** The RGB image right before rescale/normalize: converted, resized and (if configured) center-cropped. */
export function prepareRgb(image: RgbaImage, cfg: PreprocessConfig): RgbImage {
  const resized = resizeForModel(rgbaToRgb(image), cfg);
  return cfg.doCenterCrop ? centerCrop(resized, cfg.cropSize) : resized;
}

/** pixel_values for one image: Float32Array of shape [3, H, W] (H, W from the config, e.g. 224 x 224). */
export function preprocess(image: RgbaImage, cfg: PreprocessConfig): Float32Array {
  const rgb = prepareRgb(image, cfg);
  const out = new Float32Array(3 * rgb.width * rgb.height);
  writePixelValues(rgb, cfg, out);
  return out;
}

export interface PixelBatch {
  /** Float32 NCHW data. */
  readonly data: Float32Array;
  readonly shape: readonly [batch: number, channels: 3, height: number, width: number];
}

/** pixel_values for several images: [B, 3, H, W]. All images must come out the same size (crop or fixed size). */
export function preprocessBatch(images: readonly RgbaImage[], cfg: PreprocessConfig): PixelBatch {
  if (images.length === 0) throw new IrisError('bad-input', 'preprocessBatch needs at least one image.');
  const prepared = images.map((image, i) => {
    try {
      return prepareRgb(image, cfg);
    } catch (error) {
      if (error instanceof IrisError) throw new IrisError(error.code, `Image ${i}: ${error.message}`, { cause: error });
      throw error;
    }
  });
  const { width, height } = prepared[0]!;
  const mismatch = prepared.findIndex((p) => p.width !== width || p.height !== height);
  if (mismatch >= 0) {
    throw new IrisError(
      'bad-input',
      `Images in a batch must preprocess to the same size: image 0 gives ${width}x${height}, ` +
        `image ${mismatch} gives ${prepared[mismatch]!.width}x${prepared[mismatch]!.height}.`,
      { hint: 'Use a config with center crop or a fixed {height, width} size, or preprocess the images one by one.' },
    );
  }
  const plane = 3 * width * height;
  const data = new Float32Array(images.length * plane);
  prepared.forEach((rgb, i) => writePixelValues(rgb, cfg, data, i * plane));
  return { data, shape: [images.length, 3, height, width] };
}
