/**
 * Image-text retrieval Recall@K from a similarity matrix [images, texts], where each text belongs to
 * exactly one image and an image may have several texts (COCO: 5 captions per image).
 *  - text → image: a caption is a hit if its own image is among the K most similar images;
 *  - image → text: an image is a hit if ANY of its captions is among the K most similar texts.
 * Ties rank the lower index first (see rankOf); a K at least the number of candidates always hits.
 */
import { IrisError } from '../errors';
import { checkTopK, rankOf, viewMatrix, type ScoreMatrix } from './score-matrix';

export interface RetrievalMetrics {
  /** Recall@K for each requested K: fraction of images with a correct text in their top K texts. */
  imageToText: Record<number, number>;
  /** Recall@K for each requested K: fraction of texts whose image is in their top K images. */
  textToImage: Record<number, number>;
  images: number;
  texts: number;
}

/**
 * @param similarity [images, texts] similarities (higher = more similar)
 * @param imageOfText for each text (column), the index of its image (row)
 * @param ks the K values (default 1, 5, 10)
 */
export function retrievalRecall(similarity: ScoreMatrix, imageOfText: readonly number[], ks: readonly number[] = [1, 5, 10]): RetrievalMetrics {
  const view = viewMatrix(similarity, 'Similarity matrix');
  if (ks.length === 0) throw new IrisError('bad-input', 'Give at least one K for Recall@K.');
  ks.forEach(checkTopK);
  if (imageOfText.length !== view.cols) {
    throw new IrisError('bad-input', `Got the image of ${imageOfText.length} texts but the similarity matrix has ${view.cols} text columns.`);
  }
  const textsOfImage: number[][] = Array.from({ length: view.rows }, () => []);
  imageOfText.forEach((image, text) => {
    if (!Number.isInteger(image) || image < 0 || image >= view.rows) {
      throw new IrisError('bad-input', `Text ${text} belongs to image ${image}, which is not a row index in 0..${view.rows - 1}.`);
    }
    textsOfImage[image].push(text);
  });
  textsOfImage.forEach((texts, image) => {
    if (texts.length === 0) throw new IrisError('bad-input', `Image ${image} has no matching text, so image→text recall is undefined for it.`);
  });

  // The best-ranked correct text of an image is its highest-scoring one (lowest index on a tie).
  const imageRanks = textsOfImage.map((texts, image) => {
    const row = (t: number): number => view.at(image, t);
    const best = texts.reduce((a, b) => (row(b) > row(a) || (row(b) === row(a) && b < a) ? b : a));
    return rankOf(row, view.cols, best);
  });
  const textRanks = imageOfText.map((image, text) => rankOf((i) => view.at(i, text), view.rows, image));

  const recall = (ranks: readonly number[]): Record<number, number> =>
    Object.fromEntries(ks.map((k) => [k, ranks.filter((r) => r < k).length / ranks.length]));
  return { imageToText: recall(imageRanks), textToImage: recall(textRanks), images: view.rows, texts: view.cols };
}
