/**
 * What an evaluation run writes out: predicted captions in the COCO results format
 * ([{ "image_id": ..., "caption": ... }], the file pycocoevalcap and the COCO server read), and scores
 * as JSON.
 */
import { IrisError } from '../errors';
import type { ImageId } from './caption-metrics';

export interface CaptionPrediction {
  imageId: ImageId;
  caption: string;
}

export interface CocoResult {
  image_id: ImageId;
  caption: string;
}

/** One entry per image, in the given order; ids keep their type (COCO's are numbers). */
export function toCocoResults(predictions: readonly CaptionPrediction[]): CocoResult[] {
  const seen = new Set<ImageId>();
  return predictions.map(({ imageId, caption }, i) => {
    if (seen.has(imageId)) throw new IrisError('bad-input', `Prediction ${i} repeats image ${JSON.stringify(imageId)}; COCO results hold one caption per image.`);
    seen.add(imageId);
    if (typeof caption !== 'string') throw new IrisError('bad-input', `Prediction ${i} (image ${JSON.stringify(imageId)}) has no caption text.`);
    return { image_id: imageId, caption };
  });
}

export function cocoResultsJson(predictions: readonly CaptionPrediction[]): string {
  return JSON.stringify(toCocoResults(predictions));
}

/**
 * Scores (any plain object of numbers, strings, arrays and objects) as indented JSON. A NaN or infinite
 * number is an error rather than the `null` JSON.stringify would quietly write.
 */
export function scoresJson(scores: object): string {
  return `${JSON.stringify(
    scores,
    (key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new IrisError('bad-input', `Score "${key}" is ${value}, which JSON cannot hold.`);
      return value;
    },
    2,
  )}\n`;
}
