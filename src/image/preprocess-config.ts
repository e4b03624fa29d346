import { IrisError } from '../errors';
import type { ResampleFilter } from './resize';

/**
 * Reads a Hugging Face `preprocessor_config.json` the way transformers' slow (PIL) image processors read it:
 * a missing (or null) field takes that processor class's constructor default, and `size` / `crop_size`
 * shorthands (a bare number, a [height, width] list) expand exactly as transformers' get_size_dict expands them.
 */

/** BlipImageProcessor resizes to height × width like ViTImageProcessor, with its own defaults (384, bicubic, CLIP mean/std). */
export type ImageProcessorType = 'CLIPImageProcessor' | 'ViTImageProcessor' | 'BlipImageProcessor';

export interface ImageSize {
  readonly height: number;
  readonly width: number;
}

/** Resize so the shorter side becomes `shortestEdge` (aspect kept), or to exactly height x width. */
export type ResizeTarget = { readonly shortestEdge: number } | ImageSize;

export interface PreprocessConfig {
  readonly processorType: ImageProcessorType;
  readonly doResize: boolean;
  readonly size: ResizeTarget;
  readonly resample: ResampleFilter;
  readonly doCenterCrop: boolean;
  /** Used only when doCenterCrop is true. */
  readonly cropSize: ImageSize;
  readonly doRescale: boolean;
  readonly rescaleFactor: number;
  readonly doNormalize: boolean;
  readonly imageMean: readonly [number, number, number];
  readonly imageStd: readonly [number, number, number];
  /**
   * Recorded for completeness. Preprocessing always works on RGB (alpha dropped, gray replicated): with it off,
   * transformers itself fails on RGBA or gray input because mean/std have three entries, so for every input it
   * accepts the result is the same.
   */
  readonly doConvertRgb: boolean;
}

const IMAGENET_STANDARD_MEAN = [0.5, 0.5, 0.5] as const;
const IMAGENET_STANDARD_STD = [0.5, 0.5, 0.5] as const;

/** Constructor defaults of transformers' CLIPImageProcessor and ViTImageProcessor. */
export const DEFAULT_PREPROCESS_CONFIGS: Record<ImageProcessorType, PreprocessConfig> = {
  CLIPImageProcessor: {
    processorType: 'CLIPImageProcessor',
    doResize: true,
    size: { shortestEdge: 224 },
    resample: 'bicubic',
    doCenterCrop: true,
    cropSize: { height: 224, width: 224 },
    doRescale: true,
    rescaleFactor: 1 / 255,
    doNormalize: true,
    imageMean: [0.48145466, 0.4578275, 0.40821073], // transformers' OPENAI_CLIP_MEAN
    imageStd: [0.26862954, 0.26130258, 0.27577711], // and OPENAI_CLIP_STD
    doConvertRgb: true,
  },
  ViTImageProcessor: {
    processorType: 'ViTImageProcessor',
    doResize: true,
    size: { height: 224, width: 224 },
    resample: 'bilinear',
    doCenterCrop: false, // ViTImageProcessor has no crop step; crop fields in its JSON are ignored, as HF does
    cropSize: { height: 224, width: 224 },
    doRescale: true,
    rescaleFactor: 1 / 255,
    doNormalize: true,
    imageMean: IMAGENET_STANDARD_MEAN,
    imageStd: IMAGENET_STANDARD_STD,
    doConvertRgb: false, // HF default is None (falsy)
  },
  BlipImageProcessor: {
    processorType: 'BlipImageProcessor',
    doResize: true,
    size: { height: 384, width: 384 },
    resample: 'bicubic',
    doCenterCrop: false, // no crop step, as ViTImageProcessor
    cropSize: { height: 384, width: 384 },
    doRescale: true,
    rescaleFactor: 1 / 255,
    doNormalize: true,
    imageMean: [0.48145466, 0.4578275, 0.40821073], // OPENAI_CLIP_MEAN, as CLIPImageProcessor
    imageStd: [0.26862954, 0.26130258, 0.27577711],
    doConvertRgb: true,
  },
};

function badConfig(message: string): IrisError {
  return new IrisError('bad-config', `preprocessor_config.json: ${message}.`, {
    hint: "Check the model's preprocessor_config.json against its Hugging Face repository.",
  });
}

/** Maps the class names found in configs (old FeatureExtractor names, *Fast variants) to the processor we emulate. */
function processorTypeOf(name: string): ImageProcessorType | undefined {
  const base = name.replace(/Fast$/, '').replace(/FeatureExtractor$/, 'ImageProcessor');
  return base === 'CLIPImageProcessor' || base === 'ViTImageProcessor' || base === 'BlipImageProcessor' ? base : undefined;
}

type Json = Record<string, unknown>;

function present(json: Json, key: string): boolean {
  return json[key] !== undefined && json[key] !== null;
}

function readBoolean(json: Json, key: string, fallback: boolean): boolean {
  if (!present(json, key)) return fallback;
  if (typeof json[key] !== 'boolean') throw badConfig(`${key} must be true or false, got ${JSON.stringify(json[key])}`);
  return json[key];
}

function readPositiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw badConfig(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The largest resize or crop side a config may ask for: real processors use 224 to about 1024, and a
 * hostile 20,000 would make gigabytes from a 2×2 image.
 */
export const MAX_PROCESSOR_SIDE = 4096;

function readSide(value: unknown, what: string): number {
  const n = readPositiveInt(value, what);
  if (n > MAX_PROCESSOR_SIDE) throw badConfig(`${what} is ${n} pixels; Iris allows at most ${MAX_PROCESSOR_SIDE} (real image processors use 224 to about 1024)`);
  return n;
}

/** transformers' get_size_dict: a number is a square (defaultToSquare) or the shortest edge; a list is [h, w]. */
function readSize(value: unknown, what: string, defaultToSquare: boolean): ResizeTarget {
  if (typeof value === 'number') {
    const n = readSide(value, what);
    return defaultToSquare ? { height: n, width: n } : { shortestEdge: n };
  }
  if (Array.isArray(value) && value.length === 2) {
    return { height: readSide(value[0], `${what}[0]`), width: readSide(value[1], `${what}[1]`) };
  }
  if (typeof value === 'object' && value !== null) {
    const dict = value as Json;
    // Checked before height/width to follow CLIPImageProcessor.resize; longest_edge is ignored there too.
    if ('shortest_edge' in dict) return { shortestEdge: readSide(dict.shortest_edge, `${what}.shortest_edge`) };
    if ('height' in dict && 'width' in dict) {
      return { height: readSide(dict.height, `${what}.height`), width: readSide(dict.width, `${what}.width`) };
    }
  }
  const forms = 'a number, [height, width], {shortest_edge} or {height, width}';
  throw badConfig(`${what} must be ${forms}; got ${JSON.stringify(value)}`);
}

/** PIL's resampling constants as they appear in `resample`. */
const PIL_RESAMPLE: Record<number, ResampleFilter | string> = {
  0: 'NEAREST',
  1: 'LANCZOS',
  2: 'bilinear',
  3: 'bicubic',
  4: 'BOX',
  5: 'HAMMING',
};

function readResample(json: Json, fallback: ResampleFilter): ResampleFilter {
  if (!present(json, 'resample')) return fallback;
  const filter = PIL_RESAMPLE[json.resample as number];
  if (filter === 'bilinear' || filter === 'bicubic') return filter;
  const name = filter ? ` (PIL ${filter})` : '';
  const given = `resample=${JSON.stringify(json.resample)}${name}`;
  throw badConfig(`${given} is not supported; Iris implements 2 (BILINEAR) and 3 (BICUBIC)`);
}

type PerChannel = readonly [number, number, number];

function readPerChannel(json: Json, key: string, fallback: PerChannel): PerChannel {
  if (!present(json, key)) return fallback;
  const value = json[key];
  const list = typeof value === 'number' ? [value, value, value] : value; // a bare float applies to every channel
  if (!Array.isArray(list) || list.length !== 3 || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw badConfig(`${key} must be a number or a list of 3 numbers (R, G, B), got ${JSON.stringify(value)}`);
  }
  return [list[0], list[1], list[2]];
}

/**
 * Parses a preprocessor_config.json object. The processor class comes from `image_processor_type` (or the older
 * `feature_extractor_type`); `fallbackType` is used when the file names none. Throws IrisError 'bad-config'.
 */
export function parsePreprocessorConfig(json: unknown, fallbackType?: ImageProcessorType): PreprocessConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw badConfig('the file is not a JSON object');
  const cfg = json as Json;
  const named = cfg.image_processor_type ?? cfg.feature_extractor_type;
  let processorType = fallbackType;
  if (named !== undefined && named !== null) {
    processorType = typeof named === 'string' ? processorTypeOf(named) : undefined;
    if (!processorType) {
      const supported = 'Iris supports CLIPImageProcessor, ViTImageProcessor and BlipImageProcessor';
      throw badConfig(`image processor ${JSON.stringify(named)} is not supported; ${supported}`);
    }
  }
  if (!processorType) throw badConfig('it names no image_processor_type, and the caller gave no fallback');

  const defaults = DEFAULT_PREPROCESS_CONFIGS[processorType];
  const isClip = processorType === 'CLIPImageProcessor';
  const size = present(cfg, 'size') ? readSize(cfg.size, 'size', !isClip) : defaults.size;
  if (!isClip && 'shortestEdge' in size) throw badConfig(`${processorType} needs size as {height, width}`);

  let cropSize = defaults.cropSize;
  if (isClip && present(cfg, 'crop_size')) {
    const crop = readSize(cfg.crop_size, 'crop_size', true);
    if ('shortestEdge' in crop) throw badConfig('crop_size must be a number or {height, width}');
    cropSize = crop;
  }

  const rescaleFactor = present(cfg, 'rescale_factor') ? cfg.rescale_factor : defaults.rescaleFactor;
  if (typeof rescaleFactor !== 'number' || !Number.isFinite(rescaleFactor)) {
    throw badConfig(`rescale_factor must be a number, got ${JSON.stringify(rescaleFactor)}`);
  }
  const imageStd = readPerChannel(cfg, 'image_std', defaults.imageStd);
  if (imageStd.some((s) => s === 0)) throw badConfig('image_std must not contain 0');

  return {
    processorType,
    doResize: readBoolean(cfg, 'do_resize', defaults.doResize),
    size,
    resample: readResample(cfg, defaults.resample),
    doCenterCrop: isClip && readBoolean(cfg, 'do_center_crop', defaults.doCenterCrop),
    cropSize,
    doRescale: readBoolean(cfg, 'do_rescale', defaults.doRescale),
    rescaleFactor,
    doNormalize: readBoolean(cfg, 'do_normalize', defaults.doNormalize),
    imageMean: readPerChannel(cfg, 'image_mean', defaults.imageMean),
    imageStd,
    doConvertRgb: readBoolean(cfg, 'do_convert_rgb', defaults.doConvertRgb),
  };
}
