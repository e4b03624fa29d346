/**
 * CIDEr-D exactly as pycocoevalcap's Cider scores captions (cider_scorer.py, n = 4, σ = 6).
 *
 * Each caption becomes, per n-gram order 1..4, a TF-IDF vector: term count × (log(#images) − log(max(1,
 * df))), where df counts the images whose references contain the n-gram. So the IDF comes from the
 * references of the evaluated set itself, and a one-image set scores 0 everywhere (log 1 = 0). Per order,
 * the candidate is compared with each reference by a clipped cosine, Σ min(c, r)·r / (|c|·|r|) (the
 * "-D" clipping: repeating a word cannot earn more than the reference has), damped by the Gaussian
 * length penalty exp(−δ²/2σ²). The orders are averaged, then the references, then ×10. Corpus score:
 * the mean over images.
 *
 * A quirk kept for exactness: the original's δ is the difference in *bigram* counts (its `length` adds
 * the counts of the n-grams at index 1), which equals the word-count difference unless a caption is empty.
 */
import { checkCaptionSets, mean } from './caption-sets';
import { countNgrams, ngramOrder, splitWords } from './ngrams';

export interface CiderOptions {
  /** Highest n-gram order (default 4). */
  n?: number;
  /** Standard deviation of the length penalty, in words (default 6). */
  sigma?: number;
}

export interface CiderResult {
  corpus: number;
  perImage: number[];
}

interface TfIdf {
  vectors: Map<string, number>[]; // per order
  norms: number[]; // per order
  bigramCount: number;
}

export function ciderDScores(references: readonly (readonly string[])[], candidates: readonly string[], options: CiderOptions = {}): CiderResult {
  checkCaptionSets(references, candidates);
  const maxN = options.n ?? 4;
  const sigma = options.sigma ?? 6;
  const refCounts = references.map((refs) => refs.map((r) => countNgrams(splitWords(r), maxN)));
  const candidateCounts = candidates.map((c) => countNgrams(splitWords(c), maxN));

  const documentFrequency = new Map<string, number>();
  for (const refs of refCounts) {
    const seen = new Set<string>();
    for (const counts of refs) for (const ngram of counts.keys()) seen.add(ngram);
    for (const ngram of seen) documentFrequency.set(ngram, (documentFrequency.get(ngram) ?? 0) + 1);
  }
  const logImageCount = Math.log(references.length);

  const tfIdf = (counts: Map<string, number>): TfIdf => {
    const vectors = Array.from({ length: maxN }, () => new Map<string, number>());
    const squaredNorms = new Array<number>(maxN).fill(0);
    let bigramCount = 0;
    for (const [ngram, termFrequency] of counts) {
      const order = ngramOrder(ngram) - 1;
      const weight = termFrequency * (logImageCount - Math.log(Math.max(1, documentFrequency.get(ngram) ?? 0)));
      vectors[order].set(ngram, weight);
      squaredNorms[order] += weight ** 2;
      if (order === 1) bigramCount += termFrequency;
    }
    return { vectors, norms: squaredNorms.map(Math.sqrt), bigramCount };
  };

  const similarity = (cand: TfIdf, ref: TfIdf): number[] => {
    const delta = cand.bigramCount - ref.bigramCount;
    const lengthPenalty = Math.E ** (-(delta ** 2) / (2 * sigma ** 2));
    return cand.vectors.map((vector, order) => {
      let value = 0;
      for (const [ngram, c] of vector) {
        const r = ref.vectors[order].get(ngram) ?? 0;
        value += Math.min(c, r) * r;
      }
      if (cand.norms[order] !== 0 && ref.norms[order] !== 0) value /= cand.norms[order] * ref.norms[order];
      return value * lengthPenalty;
    });
  };

  const perImage = candidateCounts.map((counts, i) => {
    const cand = tfIdf(counts);
    const sums = new Array<number>(maxN).fill(0);
    for (const refCount of refCounts[i]) {
      similarity(cand, tfIdf(refCount)).forEach((v, order) => (sums[order] += v));
    }
    return (mean(sums) / refCounts[i].length) * 10;
  });
  return { corpus: mean(perImage), perImage };
}
