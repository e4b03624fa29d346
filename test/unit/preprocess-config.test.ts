import { describe, expect, it } from 'vitest';
import { isIrisError } from '../../src/errors';
import { DEFAULT_PREPROCESS_CONFIGS, parsePreprocessorConfig, type ImageProcessorType } from '../../src/image/preprocess';

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

function badConfigMessage(json: unknown, fallback?: ImageProcessorType): string {
  try {
    parsePreprocessorConfig(json, fallback);
  } catch (error) {
    expect(isIrisError(error, 'bad-config')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a bad-config error');
}

describe('parsePreprocessorConfig', () => {
  it('openai/clip-vit-base-patch32 style (old FeatureExtractor name, bare-number sizes)', () => {
    const cfg = parsePreprocessorConfig({
      crop_size: 224,
      do_center_crop: true,
      do_normalize: true,
      do_resize: true,
      feature_extractor_type: 'CLIPFeatureExtractor',
      image_mean: CLIP_MEAN,
      image_std: CLIP_STD,
      resample: 3,
      size: 224,
    });
    expect(cfg).toEqual(DEFAULT_PREPROCESS_CONFIGS.CLIPImageProcessor);
    expect(cfg.size).toEqual({ shortestEdge: 224 }); // CLIP reads a bare size as the shortest edge
    expect(cfg.cropSize).toEqual({ height: 224, width: 224 });
  });

  it('microsoft/git-base-coco style (dict sizes, image_processor_type)', () => {
    const cfg = parsePreprocessorConfig({
      crop_size: { height: 224, width: 224 },
      do_center_crop: true,
      do_convert_rgb: true,
      do_normalize: true,
      do_rescale: true,
      do_resize: true,
      image_mean: CLIP_MEAN,
      image_processor_type: 'CLIPImageProcessor',
      image_std: CLIP_STD,
      processor_class: 'GitProcessor',
      resample: 3,
      rescale_factor: 0.00392156862745098,
      size: { shortest_edge: 224 },
    });
    expect(cfg).toEqual({ ...DEFAULT_PREPROCESS_CONFIGS.CLIPImageProcessor, rescaleFactor: 0.00392156862745098 });
  });

  it('nlpconnect/vit-gpt2-image-captioning style (ViT, bare size means a square)', () => {
    const cfg = parsePreprocessorConfig({
      do_normalize: true,
      do_resize: true,
      feature_extractor_type: 'ViTFeatureExtractor',
      image_mean: [0.5, 0.5, 0.5],
      image_std: [0.5, 0.5, 0.5],
      resample: 2,
      size: 224,
    });
    expect(cfg).toEqual(DEFAULT_PREPROCESS_CONFIGS.ViTImageProcessor);
    expect(cfg.size).toEqual({ height: 224, width: 224 });
    expect(cfg.doCenterCrop).toBe(false);
  });

  it('fills missing and null fields with the class defaults; the fallback type applies only when none is named', () => {
    expect(parsePreprocessorConfig({}, 'CLIPImageProcessor')).toEqual(DEFAULT_PREPROCESS_CONFIGS.CLIPImageProcessor);
    expect(parsePreprocessorConfig({ size: null, image_mean: null }, 'ViTImageProcessor')).toEqual(DEFAULT_PREPROCESS_CONFIGS.ViTImageProcessor);
    expect(parsePreprocessorConfig({ image_processor_type: 'ViTImageProcessor' }, 'CLIPImageProcessor').processorType).toBe('ViTImageProcessor');
    expect(parsePreprocessorConfig({ image_processor_type: 'CLIPImageProcessorFast' }).processorType).toBe('CLIPImageProcessor');
  });

  it('reads every field', () => {
    const cfg = parsePreprocessorConfig({
      image_processor_type: 'CLIPImageProcessor',
      do_resize: false,
      size: [300, 200],
      resample: 2,
      do_center_crop: false,
      crop_size: { height: 100, width: 120 },
      do_rescale: false,
      rescale_factor: 0.5,
      do_normalize: false,
      image_mean: 0.25, // a bare float applies to all three channels
      image_std: [1, 2, 3],
      do_convert_rgb: false,
    });
    expect(cfg).toEqual({
      processorType: 'CLIPImageProcessor',
      doResize: false,
      size: { height: 300, width: 200 },
      resample: 'bilinear',
      doCenterCrop: false,
      cropSize: { height: 100, width: 120 },
      doRescale: false,
      rescaleFactor: 0.5,
      doNormalize: false,
      imageMean: [0.25, 0.25, 0.25],
      imageStd: [1, 2, 3],
      doConvertRgb: false,
    });
  });

  it('BlipImageProcessor: a bare size is a square, BICUBIC and OpenAI CLIP mean/std by default, no crop', () => {
    const cfg = parsePreprocessorConfig({ image_processor_type: 'BlipImageProcessor', size: 96, do_center_crop: true });
    expect(cfg.size).toEqual({ height: 96, width: 96 });
    expect(cfg.doCenterCrop).toBe(false);
    expect(cfg.resample).toBe(DEFAULT_PREPROCESS_CONFIGS.BlipImageProcessor.resample);
    expect(cfg.imageMean).toEqual(DEFAULT_PREPROCESS_CONFIGS.CLIPImageProcessor.imageMean);
  });

  it('ignores crop settings for ViT, which has no crop step', () => {
    const cfg = parsePreprocessorConfig({ do_center_crop: true, crop_size: 100 }, 'ViTImageProcessor');
    expect(cfg.doCenterCrop).toBe(false);
  });

  it('rejects what transformers rejects or Iris does not implement, with bad-config', () => {
    expect(badConfigMessage('nope')).toMatch(/not a JSON object/);
    expect(badConfigMessage({})).toMatch(/no image_processor_type/);
    expect(badConfigMessage({ image_processor_type: 'DonutImageProcessor' })).toMatch(/DonutImageProcessor.*not supported/);
    expect(badConfigMessage({ size: { shortest_edge: 384 } }, 'BlipImageProcessor')).toMatch(/height, width/);
    expect(badConfigMessage({ resample: 1 }, 'CLIPImageProcessor')).toMatch(/LANCZOS/);
    expect(badConfigMessage({ resample: 'bicubic' }, 'CLIPImageProcessor')).toMatch(/resample/);
    expect(badConfigMessage({ size: { longest_edge: 224 } }, 'CLIPImageProcessor')).toMatch(/size/);
    expect(badConfigMessage({ size: { shortest_edge: 0 } }, 'CLIPImageProcessor')).toMatch(/positive integer/);
    expect(badConfigMessage({ size: { shortest_edge: 224 } }, 'ViTImageProcessor')).toMatch(/height, width/);
    expect(badConfigMessage({ crop_size: { shortest_edge: 224 } }, 'CLIPImageProcessor')).toMatch(/crop_size/);
    expect(badConfigMessage({ image_std: [0.5, 0, 0.5] }, 'CLIPImageProcessor')).toMatch(/must not contain 0/);
    expect(badConfigMessage({ image_mean: [0.5, 0.5] }, 'CLIPImageProcessor')).toMatch(/3 numbers/);
    expect(badConfigMessage({ do_resize: 'yes' }, 'CLIPImageProcessor')).toMatch(/do_resize/);
    expect(badConfigMessage({ rescale_factor: '1/255' }, 'CLIPImageProcessor')).toMatch(/rescale_factor/);
  });
});
