/**
 * Iris tokenizers: CLIP (byte-level BPE), GPT-2 (byte-level BPE) and BERT uncased (WordPiece), each
 * matching Hugging Face's ids exactly. Build them from the text of the checkpoint's files; fetching the
 * files is the weights loader's job. Bad files throw IrisError('tokenizer').
 *
 *   const clip = loadClipTokenizer({ vocabJson, mergesTxt });   // or { tokenizerJson }
 *   const { inputIds, attentionMask } = clip.encodeBatch(labels.map((l) => `a photo of a ${l}.`));
 */

import { IrisError } from '../errors';
import { BertTokenizer } from './bert';
import { CLIP_END_OF_WORD, ClipTokenizer } from './clip';
import { readBpeFiles, readWordPieceFiles, type BpeFiles, type WordPieceFiles } from './files';
import { Gpt2Tokenizer } from './gpt2';

export type { AddedToken } from './added-tokens';
export { BertTokenizer, BERT_MAX_LENGTH, normalizeBertText, type BertTokenizerSpec } from './bert';
export { encodeTextBatch, type TextBatch, type TextBatchOptions } from './batch';
export {
  ClipTokenizer,
  normalizeClipText,
  CLIP_MAX_LENGTH,
  type ClipBatch,
  type ClipBatchOptions,
  type ClipTokenizerSpec,
} from './clip';
export type { BpeFiles, WordPieceFiles } from './files';
export { Gpt2Tokenizer, type Gpt2TokenizerSpec } from './gpt2';
export type { DecodeOptions, EncodeOptions, Tokenizer } from './types';

/** CLIP tokenizer from vocab.json + merges.txt, or tokenizer.json (openai/clip-vit-base-patch32, -patch16). */
export function loadClipTokenizer(files: BpeFiles): ClipTokenizer {
  const { vocab, merges, addedTokens, endOfWordSuffix } = readBpeFiles('CLIP', files);
  if (endOfWordSuffix !== null && endOfWordSuffix !== CLIP_END_OF_WORD) {
    const suffix = JSON.stringify(endOfWordSuffix);
    throw new IrisError('tokenizer', `CLIP tokenizer: tokenizer.json has end_of_word_suffix ${suffix}, CLIP uses "</w>".`, {
      hint: 'This tokenizer.json is not a CLIP one; pass the file from the CLIP checkpoint.',
    });
  }
  return new ClipTokenizer({ vocab, merges, ...(addedTokens && { addedTokens }) });
}

/** GPT-2 tokenizer from vocab.json + merges.txt, or tokenizer.json (checkpoints that ship only that). */
export function loadGpt2Tokenizer(files: BpeFiles): Gpt2Tokenizer {
  const { vocab, merges, addedTokens, endOfWordSuffix } = readBpeFiles('GPT-2', files);
  if (endOfWordSuffix) {
    const suffix = JSON.stringify(endOfWordSuffix);
    throw new IrisError('tokenizer', `GPT-2 tokenizer: tokenizer.json has end_of_word_suffix ${suffix}, GPT-2 uses none.`, {
      hint: 'This tokenizer.json is not a GPT-2 one; pass the file from the GPT-2 checkpoint.',
    });
  }
  return new Gpt2Tokenizer({ vocab, merges, ...(addedTokens && { addedTokens }) });
}

/** BERT uncased WordPiece tokenizer from vocab.txt, or tokenizer.json (microsoft/git-base-coco). */
export function loadBertTokenizer(files: WordPieceFiles, options: { contextLength?: number } = {}): BertTokenizer {
  const { vocab, addedTokens, unkToken, maxInputCharsPerWord } = readWordPieceFiles('BERT', files);
  return new BertTokenizer({
    vocab,
    ...options,
    ...(addedTokens && { addedTokens }),
    ...(unkToken !== null && { unkToken }),
    ...(maxInputCharsPerWord !== null && { maxInputCharsPerWord }),
  });
}
