/**
 * Zero-shot classification accuracy from a score matrix [N images, C classes] (logits, probabilities
 * or cosine similarities: only the order within a row matters) and the true class of each image.
 * Ties rank the lower class index first (see rankOf); a K of C or more counts every image as a hit.
 */
import { IrisError } from '../errors';
import { checkTopK, rankOf, viewMatrix, type MatrixView, type ScoreMatrix } from './score-matrix';

export interface ClassificationMetrics {
  /** Fraction of images whose true class scores highest. */
  top1: number;
  /** Fraction of images whose true class is among the 5 highest. */
  top5: number;
  /** Top-1 accuracy of each class that has images, averaged over those classes. */
  meanPerClassAccuracy: number;
  /** Number of images. */
  count: number;
}

export function classificationMetrics(scores: ScoreMatrix, labels: readonly number[]): ClassificationMetrics {
  const ranks = trueClassRanks(scores, labels);
  return {
    top1: hitRate(ranks, 1),
    top5: hitRate(ranks, 5),
    meanPerClassAccuracy: perClassMean(ranks, labels),
    count: ranks.length,
  };
}

/** Fraction of images whose true class is among the K highest-scoring classes. */
export function topKAccuracy(scores: ScoreMatrix, labels: readonly number[], k: number): number {
  checkTopK(k);
  return hitRate(trueClassRanks(scores, labels), k);
}

/** Top-1 accuracy per class, averaged over the classes that occur in `labels` (others have no accuracy). */
export function meanPerClassAccuracy(scores: ScoreMatrix, labels: readonly number[]): number {
  return perClassMean(trueClassRanks(scores, labels), labels);
}

function trueClassRanks(scores: ScoreMatrix, labels: readonly number[]): number[] {
  const view: MatrixView = viewMatrix(scores, 'Score matrix');
  if (labels.length !== view.rows) {
    throw new IrisError('bad-input', `Got ${labels.length} labels for ${view.rows} rows of scores; give one true class per image.`);
  }
  return labels.map((label, row) => {
    if (!Number.isInteger(label) || label < 0 || label >= view.cols) {
      throw new IrisError('bad-input', `Label ${label} of image ${row} is not a class index in 0..${view.cols - 1}.`);
    }
    return rankOf((c) => view.at(row, c), view.cols, label);
  });
}

const hitRate = (ranks: readonly number[], k: number): number => ranks.filter((r) => r < k).length / ranks.length;

function perClassMean(ranks: readonly number[], labels: readonly number[]): number {
  const perClass = new Map<number, { hits: number; total: number }>();
  ranks.forEach((rank, i) => {
    const entry = perClass.get(labels[i]) ?? { hits: 0, total: 0 };
    entry.total++;
    if (rank === 0) entry.hits++;
    perClass.set(labels[i], entry);
  });
  let sum = 0;
  for (const { hits, total } of perClass.values()) sum += hits / total;
  return sum / perClass.size;
}
