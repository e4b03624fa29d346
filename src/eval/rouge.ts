/**
 * ROUGE-L exactly as pycocoevalcap's Rouge scores captions (rouge.py): for each image, the longest
 * common subsequence (LCS) of the candidate with each reference gives precision LCS/|candidate| and
 * recall LCS/|reference|; the best precision and the best recall (possibly from different references)
 * combine as F = (1 + β²)·P·R / (R + β²·P) with β = 1.2, or 0 if either is 0. The corpus score is the
 * mean over images. Words are split on single spaces (Python's split(" ")), so an empty caption counts
 * as one empty word, as it does there.
 */
import { checkCaptionSets, mean } from './caption-sets';

const BETA = 1.2;

export interface RougeResult {
  corpus: number;
  perImage: number[];
}

export function rougeLScores(references: readonly (readonly string[])[], candidates: readonly string[]): RougeResult {
  checkCaptionSets(references, candidates);
  const perImage = candidates.map((candidate, i) => rougeL(candidate, references[i]));
  return { corpus: mean(perImage), perImage };
}

function rougeL(candidate: string, references: readonly string[]): number {
  const candidateWords = candidate.split(' ');
  let bestPrecision = -Infinity;
  let bestRecall = -Infinity;
  for (const reference of references) {
    const referenceWords = reference.split(' ');
    const lcs = lcsLength(referenceWords, candidateWords);
    bestPrecision = Math.max(bestPrecision, lcs / candidateWords.length);
    bestRecall = Math.max(bestRecall, lcs / referenceWords.length);
  }
  if (bestPrecision === 0 || bestRecall === 0) return 0;
  const beta2 = BETA ** 2;
  return ((1 + beta2) * bestPrecision * bestRecall) / (bestRecall + beta2 * bestPrecision);
}

/** Length of the longest common subsequence of two word lists (one row of the DP table at a time). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    previous = current;
  }
  return previous[b.length];
}
