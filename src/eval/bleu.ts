/**
 * BLEU-1..N exactly as pycocoevalcap's Bleu(4) scores captions (bleu_scorer.py, option "closest").
 *
 * Per image: clipped n-gram matches ("correct") against the maximum count over its references, and
 * the number of candidate n-grams ("guess"); the reference length is the one closest to the candidate's
 * (the shorter on a tie). Corpus BLEU sums matches, guesses and lengths over all images first.
 * Smoothing as in the original: every precision is (correct + 1e-15) / (guess + 1e-9), so a missing
 * n-gram order gives a tiny value instead of log(0), and a perfect match scores just under 1
 * (0.9999999997 for 7 words). BLEU-n is the geometric mean of precisions 1..n times the brevity
 * penalty exp(1 − ref/cand) when the candidate is shorter, with cand/ref computed with the same constants.
 */
import { checkCaptionSets } from './caption-sets';
import { countNgrams, ngramOrder, splitWords } from './ngrams';

/** Added to matched counts ("tiny" in bleu_scorer.py). */
const NUMERATOR_EPSILON = 1e-15;
/** Added to candidate counts and lengths ("small" in bleu_scorer.py). */
const DENOMINATOR_EPSILON = 1e-9;

export interface BleuResult {
  /** corpus[n-1] = corpus BLEU-n. */
  corpus: number[];
  /** perImage[i][n-1] = BLEU-n of image i on its own. */
  perImage: number[][];
}

interface SentenceStats {
  candidateLength: number;
  referenceLength: number;
  correct: number[];
  guess: number[];
}

export function bleuScores(references: readonly (readonly string[])[], candidates: readonly string[], maxN = 4): BleuResult {
  checkCaptionSets(references, candidates);
  const stats = candidates.map((candidate, i) => sentenceStats(references[i], candidate, maxN));
  const total: SentenceStats = { candidateLength: 0, referenceLength: 0, correct: new Array(maxN).fill(0), guess: new Array(maxN).fill(0) };
  for (const s of stats) {
    total.candidateLength += s.candidateLength;
    total.referenceLength += s.referenceLength;
    for (let k = 0; k < maxN; k++) {
      total.correct[k] += s.correct[k];
      total.guess[k] += s.guess[k];
    }
  }
  return { corpus: bleuFromStats(total), perImage: stats.map(bleuFromStats) };
}

function sentenceStats(references: readonly string[], candidate: string, maxN: number): SentenceStats {
  const maxRefCounts = new Map<string, number>();
  const refLengths: number[] = [];
  for (const ref of references) {
    const words = splitWords(ref);
    refLengths.push(words.length);
    for (const [ngram, count] of countNgrams(words, maxN)) maxRefCounts.set(ngram, Math.max(maxRefCounts.get(ngram) ?? 0, count));
  }
  const words = splitWords(candidate);
  const correct = new Array<number>(maxN).fill(0);
  for (const [ngram, count] of countNgrams(words, maxN)) correct[ngramOrder(ngram) - 1] += Math.min(maxRefCounts.get(ngram) ?? 0, count);
  const guess = Array.from({ length: maxN }, (_, k) => Math.max(0, words.length - k));
  return { candidateLength: words.length, referenceLength: closestLength(refLengths, words.length), correct, guess };
}

/** The reference length closest to the candidate's; on a tie the shorter one (Python's min over (|diff|, len)). */
function closestLength(lengths: readonly number[], target: number): number {
  let best = lengths[0];
  for (const l of lengths) {
    const d = Math.abs(l - target);
    const bestD = Math.abs(best - target);
    if (d < bestD || (d === bestD && l < best)) best = l;
  }
  return best;
}

function bleuFromStats(s: SentenceStats): number[] {
  const scores: number[] = [];
  let product = 1;
  for (let k = 0; k < s.correct.length; k++) {
    product *= (s.correct[k] + NUMERATOR_EPSILON) / (s.guess[k] + DENOMINATOR_EPSILON);
    scores.push(product ** (1 / (k + 1)));
  }
  const ratio = (s.candidateLength + NUMERATOR_EPSILON) / (s.referenceLength + DENOMINATOR_EPSILON);
  if (ratio < 1) {
    const brevityPenalty = Math.exp(1 - 1 / ratio);
    return scores.map((b) => b * brevityPenalty);
  }
  return scores;
}
