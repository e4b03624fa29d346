import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../src/image/png';
import {
  DEFAULT_PREPROCESS_CONFIGS,
  centerCrop,
  modelInputRegion,
  preprocess,
  preprocessBatch,
  resizeForModel,
  resizeOutputSize,
  rgbaToRgb,
  writePixelValues,
  type PreprocessConfig,
  type RgbImage,
} from '../../src/image/preprocess';
import { GOLDEN_DIR } from '../helpers/golden';
import { readSafetensors, tensorOf } from '../helpers/safetensors-node';

const GOLDEN = join(GOLDEN_DIR, 'preprocess');

interface ManifestImage {
  name: string;
  file: string;
  width: number;
  height: number;
  png_mode: string;
  clip_resized_hw: [number, number];
}
interface Manifest {
  tolerance: string;
  images: ManifestImage[];
}

const manifest = JSON.parse(readFileSync(join(GOLDEN, 'manifest.json'), 'utf8')) as Manifest;
const golden = readSafetensors(join(GOLDEN, 'preprocess.safetensors'));

// The manifest's tolerance: uint8 max |diff| <= 1 and mean < 0.001; pixel_values max |diff| <= 1/255/min(std).
const UINT8_MAX_DIFF = 1;
const UINT8_MEAN_DIFF = 0.001;
const PIXEL_MAX_DIFF = { clip: 0.0151, vit: 0.0079 };

/**
 * The processors as the golden set ran them (transformers' defaults at the golden sizes): CLIP's shortest edge
 * is the short side of a resized image, its crop and ViT's resize target the sides of their pixel_values.
 */
const sides = (name: string): { height: number; width: number } => {
  const [, height, width] = tensorOf(golden, name, 'F32').shape as [number, number, number];
  return { height, width };
};
const probe = manifest.images[0]!;
const CLIP: PreprocessConfig = {
  ...DEFAULT_PREPROCESS_CONFIGS.CLIPImageProcessor,
  size: { shortestEdge: Math.min(...probe.clip_resized_hw) },
  cropSize: sides(`${probe.name}.clip_pixel_values`),
};
const VIT: PreprocessConfig = { ...DEFAULT_PREPROCESS_CONFIGS.ViTImageProcessor, size: sides(`${probe.name}.vit_pixel_values`) };
/** The defaults themselves, for the rules below (analytic: transformers' formulas at 224). */
const DEFAULT_CLIP = DEFAULT_PREPROCESS_CONFIGS.CLIPImageProcessor;
const DEFAULT_VIT = DEFAULT_PREPROCESS_CONFIGS.ViTImageProcessor;

interface DiffStats {
  max: number;
  mean: number;
}

function diffStats(actual: ArrayLike<number>, expected: ArrayLike<number>): DiffStats {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / actual.length };
}

const report: string[] = [];
function record(image: string, what: string, stats: DiffStats): void {
  report.push(`${image.padEnd(18)} ${what.padEnd(18)} max ${stats.max.toExponential(2)}  mean ${stats.mean.toExponential(2)}`);
}

async function loadPng(file: string) {
  return decodePng(new Uint8Array(readFileSync(join(GOLDEN, file))));
}

function expectImage(actual: RgbImage, name: string, label: string): void {
  const expected = tensorOf(golden, name, 'U8');
  expect([actual.height, actual.width, 3]).toEqual(expected.shape);
  const stats = diffStats(actual.data, expected.data);
  record(name.split('.')[0]!, label, stats);
  expect(stats.max).toBeLessThanOrEqual(UINT8_MAX_DIFF);
  expect(stats.mean).toBeLessThan(UINT8_MEAN_DIFF);
}

function expectPixelValues(actual: Float32Array, name: string, label: string, maxDiff: number): void {
  const expected = tensorOf(golden, name, 'F32');
  expect(actual.length).toBe(expected.data.length);
  const stats = diffStats(actual, expected.data);
  record(name.split('.')[0]!, label, stats);
  expect(stats.max).toBeLessThanOrEqual(maxDiff);
}

describe.each(manifest.images)('golden preprocessing: $name', (entry) => {
  it('decodes the PNG at its stated size', async () => {
    const image = await loadPng(entry.file);
    expect([image.width, image.height]).toEqual([entry.width, entry.height]);
  });

  it('CLIPImageProcessor: resize, crop and pixel_values match transformers', async () => {
    const rgb = rgbaToRgb(await loadPng(entry.file));
    expect(resizeOutputSize(rgb.width, rgb.height, CLIP)).toEqual({
      height: entry.clip_resized_hw[0],
      width: entry.clip_resized_hw[1],
    });
    const resized = resizeForModel(rgb, CLIP);
    expectImage(resized, `${entry.name}.clip_resized`, 'clip resized u8');
    const cropped = centerCrop(resized, CLIP.cropSize);
    expectImage(cropped, `${entry.name}.clip_cropped`, 'clip cropped u8');
    expectPixelValues(preprocess(await loadPng(entry.file), CLIP), `${entry.name}.clip_pixel_values`, 'clip pixel_values', PIXEL_MAX_DIFF.clip);
  });

  it('ViTImageProcessor: resize and pixel_values match transformers', async () => {
    const image = await loadPng(entry.file);
    const resized = resizeForModel(rgbaToRgb(image), VIT);
    expectImage(resized, `${entry.name}.vit_resized`, 'vit resized u8');
    expectPixelValues(preprocess(image, VIT), `${entry.name}.vit_pixel_values`, 'vit pixel_values', PIXEL_MAX_DIFF.vit);
  });
});

describe('resizeRGB against PIL', () => {
  // Stricter than the manifest's tolerance: resize.ts claims to reproduce Pillow's integer arithmetic exactly.
  it.each(manifest.images)('$name: bicubic and bilinear resizes are bit-exact', async ({ name, file }) => {
    const rgb = rgbaToRgb(await loadPng(file));
    expect(resizeForModel(rgb, CLIP).data).toEqual(tensorOf(golden, `${name}.clip_resized`, 'U8').data);
    expect(resizeForModel(rgb, VIT).data).toEqual(tensorOf(golden, `${name}.vit_resized`, 'U8').data);
  });
});

describe('pixel_values from the golden uint8 crops', () => {
  // Isolates rescale + normalize from resizing: HF's arithmetic is float64 * 1/255 -> float32, then float32 ops.
  it.each(manifest.images)('$name: rescale/normalize is bit-exact', ({ name }) => {
    for (const [setting, cfg, cropKey] of [
      ['clip', CLIP, 'clip_cropped'],
      ['vit', VIT, 'vit_resized'],
    ] as const) {
      const crop = tensorOf(golden, `${name}.${cropKey}`, 'U8');
      const [height, width, channels] = crop.shape as [number, number, number];
      const out = new Float32Array(channels * height * width);
      writePixelValues({ width, height, data: crop.data }, cfg, out);
      expect(diffStats(out, tensorOf(golden, `${name}.${setting}_pixel_values`, 'F32').data).max).toBe(0);
    }
  });
});

describe('batches', () => {
  it('stacks images as [B, 3, H, W] in input order', async () => {
    const entries = manifest.images.slice(0, 3); // several images of different sizes and modes
    const images = await Promise.all(entries.map((e) => loadPng(e.file)));
    const batch = preprocessBatch(images, CLIP);
    const one = tensorOf(golden, `${entries[0]!.name}.clip_pixel_values`, 'F32');
    expect(batch.shape).toEqual([entries.length, ...one.shape]);
    entries.forEach(({ name: n }, i) => {
      const plane = one.data.length;
      const row = batch.data.subarray(i * plane, (i + 1) * plane);
      expect(diffStats(row, tensorOf(golden, `${n}.clip_pixel_values`, 'F32').data).max).toBeLessThanOrEqual(PIXEL_MAX_DIFF.clip);
    });
  });

  it('refuses images that preprocess to different sizes', async () => {
    const noCrop: PreprocessConfig = { ...CLIP, doCenterCrop: false };
    const [a, b] = manifest.images;
    const other = manifest.images.find((e) => e.clip_resized_hw.join() !== a!.clip_resized_hw.join()) ?? b!;
    const images = await Promise.all([a!.file, other.file].map(loadPng));
    expect(() => preprocessBatch(images, noCrop)).toThrow(/same size/);
    expect(() => preprocessBatch([], CLIP)).toThrow(/at least one image/);
  });
});

describe('pipeline rules', () => {
  it('shortest edge -> 224, other edge int(224 * long / short)', () => {
    const size = (w: number, h: number) => resizeOutputSize(w, h, DEFAULT_CLIP);
    expect(size(640, 480)).toEqual({ height: 224, width: 298 }); // 298.67 truncated
    expect(size(480, 640)).toEqual({ height: 298, width: 224 });
    expect(size(50, 37)).toEqual({ height: 224, width: 302 });
    expect(size(300, 1000)).toEqual({ height: 746, width: 224 });
    expect(size(224, 224)).toEqual({ height: 224, width: 224 });
    expect(size(1, 16384)).toEqual({ height: 3670016, width: 224 });
    expect(resizeOutputSize(640, 480, DEFAULT_VIT)).toEqual({ height: 224, width: 224 });
  });

  it('center crop takes top = (H - h) // 2, left = (W - w) // 2', () => {
    const image: RgbImage = { width: 5, height: 4, data: Uint8Array.from({ length: 60 }, (_, i) => i) };
    const crop = centerCrop(image, { height: 1, width: 2 });
    // top = 3 // 2 = 1, left = 3 // 2 = 1 -> pixels (1,1) and (1,2)
    expect([...crop.data]).toEqual([...image.data.subarray(18, 24)]);
  });

  it('center crop pads with zeros, centred as transformers does, when the image is smaller', () => {
    const px = (v: number) => [v, v, v];
    const image: RgbImage = { width: 3, height: 1, data: new Uint8Array([...px(1), ...px(2), ...px(3)]) };
    const crop = centerCrop(image, { height: 4, width: 2 });
    // top = (1 - 4) // 2 = -2 (floor): the row lands at y = 2; left = (3 - 2) // 2 = 0.
    expect([...crop.data]).toEqual([...px(0), ...px(0), ...px(0), ...px(0), ...px(1), ...px(2), ...px(0), ...px(0)]);
    const wide = centerCrop(image, { height: 1, width: 6 }); // left = (3 - 6) // 2 = -2
    expect([...wide.data]).toEqual([...px(0), ...px(0), ...px(1), ...px(2), ...px(3), ...px(0)]);
  });

  it('padded pixels become (0 - mean) / std like any zero byte', () => {
    const tinyNoResize: PreprocessConfig = { ...DEFAULT_CLIP, doResize: false };
    const out = preprocess({ width: 1, height: 1, data: new Uint8Array([255, 255, 255, 255]) }, tinyNoResize);
    expect(out.length).toBe(3 * 224 * 224);
    expect(out[0]).toBeCloseTo((0 - DEFAULT_CLIP.imageMean[0]) / DEFAULT_CLIP.imageStd[0], 6);
    expect(out[112 * 224 + 112]).toBeCloseTo((1 - DEFAULT_CLIP.imageMean[0]) / DEFAULT_CLIP.imageStd[0], 6);
  });

  it('the region the model sees: the centre crop of the resized image, or all of it without a crop', () => {
    // 640×480 -> 298×224, crop 224×224 at left = (298 - 224) // 2 = 37.
    expect(modelInputRegion(640, 480, DEFAULT_CLIP)).toEqual({ x: 37 / 298, y: 0, width: 224 / 298, height: 1 });
    expect(modelInputRegion(480, 640, DEFAULT_CLIP)).toEqual({ x: 0, y: 37 / 298, width: 1, height: 224 / 298 });
    expect(modelInputRegion(300, 300, DEFAULT_CLIP)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
    expect(modelInputRegion(640, 480, DEFAULT_VIT)).toEqual({ x: 0, y: 0, width: 1, height: 1 }); // squashed, not cropped
    // No resize, image smaller than the crop: the grid reaches past the image (zero padding).
    expect(modelInputRegion(112, 224, { ...DEFAULT_CLIP, doResize: false })).toEqual({ x: -56 / 112, y: 0, width: 2, height: 1 });
  });

  it('drops alpha instead of compositing', () => {
    const seeThrough = { width: 1, height: 1, data: new Uint8Array([200, 100, 50, 0]) };
    expect([...rgbaToRgb(seeThrough).data]).toEqual([200, 100, 50]);
  });

  it('refuses images so thin that the shortest-edge resize would be enormous', () => {
    const sliver = { width: 1, height: 16384, data: new Uint8Array(16384 * 4) };
    expect(() => preprocess(sliver, DEFAULT_CLIP)).toThrow(/too thin.*224x3670016/);
    expect(preprocess(sliver, DEFAULT_VIT).length).toBe(3 * 224 * 224); // a fixed-size resize is fine
  });

  it('rejects malformed RgbaImages with bad-image', () => {
    expect(() => preprocess({ width: 2, height: 2, data: new Uint8Array(15) }, DEFAULT_CLIP)).toThrow(/holds 15 bytes/);
    expect(() => preprocess({ width: 0, height: 2, data: new Uint8Array(0) }, DEFAULT_CLIP)).toThrow(/no pixels/);
  });
});

afterAll(() => {
  if (report.length > 0) console.log(`max / mean |diff| against transformers 4.57.6 + Pillow 12.3:\n${report.join('\n')}`);
});
