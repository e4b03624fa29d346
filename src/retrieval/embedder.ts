/**
 * What the index needs from a model: images → pixel values on the CPU (one at a time, so a batch of large
 * photos never sits decoded in memory together), pixel values → unit-length embeddings in batches on the
 * GPU, and texts → unit-length embeddings.
 */
import { preprocess } from '../image/preprocess';
import type { RgbaImage } from '../image/rgba-image';
import { l2Normalize } from '../nn/similarity';
import type { ZeroShotClassifier } from '../tasks/zero-shot';

export interface Embedder {
  readonly dim: number;
  preprocess(image: RgbaImage): Float32Array;
  /** pixel values of `count` images, concatenated → L2-normalised embeddings [count, dim]. */
  embedPixels(pixels: Float32Array, count: number): Promise<Float32Array>;
  /** L2-normalised embeddings [texts, dim]. */
  embedTexts(texts: readonly string[]): Promise<Float32Array>;
}

export function clipEmbedder(classifier: ZeroShotClassifier): Embedder {
  const dim = classifier.dim;
  return {
    dim,
    preprocess: (image) => preprocess(image, classifier.preprocessConfig),
    embedPixels: async (pixels, count) => l2Normalize((await classifier.model.encodeImages(pixels, count)).embeds, dim),
    embedTexts: (texts) => classifier.embedTexts(texts),
  };
}
