import { IrisError } from '../errors';

/**
 * The shape every caption metric takes: for image i, `references[i]` (one or more reference captions)
 * and `candidates[i]` (the one caption being scored), both already tokenized (see ptb-tokenizer.ts).
 */
export function checkCaptionSets(references: readonly (readonly string[])[], candidates: readonly string[]): void {
  if (candidates.length === 0) throw new IrisError('bad-input', 'No captions to score: the candidate list is empty.');
  if (references.length !== candidates.length) {
    throw new IrisError('bad-input', `Got ${candidates.length} candidate captions but reference sets for ${references.length} images; give one of each per image.`);
  }
  references.forEach((refs, i) => {
    if (refs.length === 0) throw new IrisError('bad-input', `Image ${i} has no reference captions; every scored image needs at least one.`);
  });
}

/** Arithmetic mean (numpy.mean of the per-image scores in pycocoevalcap; summation order differs only at 1e-16). */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
