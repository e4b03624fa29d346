/**
 * The COCO caption metrics for a set of images in one call: PTB tokenization (as pycocoevalcap's
 * COCOEvalCap does before scoring), then BLEU-1..4, ROUGE-L and CIDEr-D, for the corpus and per image.
 */
import { IrisError } from '../errors';
import { bleuScores } from './bleu';
import { ciderDScores } from './cider';
import { ptbTokenizeAll } from './ptb-tokenizer';
import { rougeLScores } from './rouge';

export type ImageId = string | number;

export interface CaptionEvalItem {
  imageId: ImageId;
  /** The human reference captions of this image (at least one). */
  references: readonly string[];
  /** The caption being scored. */
  candidate: string;
}

export interface CaptionScores {
  bleu1: number;
  bleu2: number;
  bleu3: number;
  bleu4: number;
  rougeL: number;
  ciderD: number;
}

export interface CaptionMetrics {
  corpus: CaptionScores;
  perImage: (CaptionScores & { imageId: ImageId })[];
}

export interface CaptionMetricOptions {
  /** Run the PTB tokenizer first (default true). Pass false for captions that are already tokenized. */
  tokenize?: boolean;
}

export function scoreCaptions(items: readonly CaptionEvalItem[], options: CaptionMetricOptions = {}): CaptionMetrics {
  if (items.length === 0) throw new IrisError('bad-input', 'No captions to score: the list of images is empty.');
  const seen = new Set<ImageId>();
  for (const item of items) {
    if (seen.has(item.imageId)) throw new IrisError('bad-input', `Image id ${JSON.stringify(item.imageId)} appears twice; score each image once.`);
    seen.add(item.imageId);
    if (item.references.length === 0) throw new IrisError('bad-input', `Image ${JSON.stringify(item.imageId)} has no reference captions.`);
  }

  let references = items.map((item) => item.references);
  let candidates = items.map((item) => item.candidate);
  if (options.tokenize ?? true) {
    // One stream for all references and one for all candidates, like pycocoevalcap (gts, then res).
    const flat = ptbTokenizeAll(references.flat());
    let next = 0;
    references = references.map((refs) => flat.slice(next, (next += refs.length)));
    candidates = ptbTokenizeAll(candidates);
  }

  const bleu = bleuScores(references, candidates, 4);
  const rouge = rougeLScores(references, candidates);
  const cider = ciderDScores(references, candidates);
  const scoresOf = (b: number[], r: number, c: number): CaptionScores => ({ bleu1: b[0], bleu2: b[1], bleu3: b[2], bleu4: b[3], rougeL: r, ciderD: c });
  return {
    corpus: scoresOf(bleu.corpus, rouge.corpus, cider.corpus),
    perImage: items.map((item, i) => ({ imageId: item.imageId, ...scoresOf(bleu.perImage[i], rouge.perImage[i], cider.perImage[i]) })),
  };
}
