/**
 * CLIP's tokenizer, exactly as HF's CLIPTokenizerFast (what CLIPProcessor.from_pretrained loads):
 *   1. added tokens <|startoftext|> / <|endoftext|> map straight to their ids;
 *   2. normalize: NFC, every whitespace run -> one space, lower-case;
 *   3. pre-tokenize with CLIP's regex (contractions, letter runs, single digits, other symbol runs;
 *      whitespace is dropped);
 *   4. byte-level BPE per word, '</w>' marking the word's end;
 *   5. frame with BOS 49406 ... EOS 49407.
 * Not done: OpenAI's ftfy.fix_text / html.unescape clean-up (the slow tokenizer's), see the tests.
 */

import { AddedTokenPipeline, type AddedToken } from './added-tokens';
import { encodeTextBatch, type TextBatch, type TextBatchOptions } from './batch';
import { BpeModel, type Merge } from './bpe';
import { fromByteLevel } from './byte-level';
import { cleanUpTokenizationSpaces, lowercaseCharwise, pushAll, stripLikePython } from './text';
import type { DecodeOptions, EncodeOptions, Tokenizer } from './types';
import { Vocabulary, VocabularyTokenizer } from './vocabulary';

export const CLIP_BOS_TOKEN = '<|startoftext|>';
export const CLIP_EOS_TOKEN = '<|endoftext|>';
export const CLIP_END_OF_WORD = '</w>';
/** CLIP's text encoder has 77 positions. */
export const CLIP_MAX_LENGTH = 77;

// \p{White_Space} instead of \s: HF's regex engine (Oniguruma) and Python's `regex` mean White_Space by
// \s, while JavaScript's \s also matches U+FEFF and misses U+0085.
const WORD_PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}]+/gu;

/** HF CLIPTokenizerFast's normalizer: NFC, collapse whitespace runs to one space, lower-case. */
export function normalizeClipText(text: string): string {
  return lowercaseCharwise(text.normalize('NFC').replace(/\p{White_Space}+/gu, ' '));
}

export interface ClipTokenizerSpec {
  vocab: ReadonlyMap<string, number>;
  merges: readonly Merge[];
  /** Defaults to <|startoftext|> and <|endoftext|> from the vocab, special and matched after normalization. */
  addedTokens?: readonly AddedToken[];
}

/** CLIP's batch options: maxLength defaults to 77. */
export type ClipBatchOptions = TextBatchOptions;

/** A CLIP batch: padded with EOS (49407) like HF; the EOS that CLIP pools is at lengths[i] - 1. */
export type ClipBatch = TextBatch;

export class ClipTokenizer extends VocabularyTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly bpe: BpeModel;
  private readonly addedTokens: AddedTokenPipeline;

  constructor({ vocab, merges, addedTokens }: ClipTokenizerSpec) {
    const added = addedTokens ?? defaultAddedTokens(vocab);
    super(new Vocabulary('CLIP', vocab, added));
    this.bosId = this.vocabulary.requireId(CLIP_BOS_TOKEN);
    this.eosId = this.vocabulary.requireId(CLIP_EOS_TOKEN);
    this.padId = this.eosId;
    this.vocabSize = this.vocabulary.size;
    this.bpe = new BpeModel('CLIP', vocab, merges, CLIP_END_OF_WORD);
    this.addedTokens = new AddedTokenPipeline(added, normalizeClipText, WORD_PATTERN);
  }

  /** Token ids of `text`, framed by BOS and EOS unless addSpecialTokens is false; never truncated. */
  encode(text: string, { addSpecialTokens = true }: EncodeOptions = {}): number[] {
    const ids: number[] = addSpecialTokens ? [this.bosId] : [];
    for (const piece of this.addedTokens.pieces(text)) {
      if (typeof piece === 'number') ids.push(piece);
      else pushAll(ids, this.bpe.encodeWord(piece));
    }
    if (addSpecialTokens) ids.push(this.eosId);
    return ids;
  }

  /**
   * What CLIPProcessor(text=texts, padding='max_length', truncation=True) gives, for the default options:
   * each text as BOS … EOS, cut to 76 ids + EOS, padded with EOS to 77.
   */
  encodeBatch(texts: readonly string[], options: ClipBatchOptions = {}): ClipBatch {
    return encodeTextBatch(this, texts, CLIP_MAX_LENGTH, options);
  }

  /**
   * Text of `ids` as CLIPTokenizerFast.decode: byte-level decoding, every '</w>' becomes a space, ends are
   * trimmed. Ids outside the vocab are skipped, as HF does.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const { skipSpecialTokens = false, cleanUpTokenizationSpaces: cleanUp = false } = options;
    const symbols = this.vocabulary.tokensOf(ids, skipSpecialTokens).join('');
    const text = stripLikePython(fromByteLevel(symbols).replaceAll(CLIP_END_OF_WORD, ' '));
    return cleanUp ? cleanUpTokenizationSpaces(text) : text;
  }
}

/**
 * CLIP's two added tokens, used when no tokenizer.json says otherwise. Matched after normalization, because
 * transformers' CLIPTokenizer wraps them in AddedToken(...) whose default is normalized=True.
 */
function defaultAddedTokens(vocab: ReadonlyMap<string, number>): AddedToken[] {
  return [CLIP_BOS_TOKEN, CLIP_EOS_TOKEN]
    .filter((content) => vocab.has(content))
    .map((content) => ({ content, id: vocab.get(content)!, special: true, normalized: true }));
}
