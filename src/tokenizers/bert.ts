/**
 * BERT's uncased WordPiece tokenizer, exactly as HF's BertTokenizerFast (microsoft/git-base-coco):
 *   1. [CLS] / [SEP] / [PAD] / [UNK] / [MASK] written in the text map straight to their ids;
 *   2. normalize: drop control characters, whitespace -> ' ', space out CJK ideographs, strip accents
 *      (NFD, drop nonspacing marks), lower-case;
 *   3. split on whitespace and around every punctuation character;
 *   4. WordPiece: greedy longest-prefix match against the vocab, continuations spelled '##…';
 *      a word with an unknown piece, or longer than 100 characters, becomes [UNK];
 *   5. frame as [CLS] … [SEP].
 * `encodeBatch` pads with [PAD] and truncates to the model's context (BERT's 512; Chinese-CLIP reads 52).
 */

import { AddedTokenPipeline, type AddedToken } from './added-tokens';
import { encodeTextBatch, type TextBatch, type TextBatchOptions } from './batch';
import { cleanUpTokenizationSpaces, lowercaseCharwise, pushAll, stripLikePython } from './text';
import type { DecodeOptions, EncodeOptions, Tokenizer } from './types';
import { Vocabulary, VocabularyTokenizer } from './vocabulary';

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const CONTINUATION_PREFIX = '##';
const DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;
/** BERT's 512 positions: transformers' model_max_length for bert-base. */
export const BERT_MAX_LENGTH = 512;

// Control and format characters (Unicode category C) except \t \n \r, plus U+FFFD: deleted.
const DROPPED_CHARS = /(?![\t\n\r])\p{C}|\uFFFD/gu;
// The CJK ideograph blocks HF's BertNormalizer spaces out (0x2B920, not 0x2B820, is HF's Rust value).
const CJK_IDEOGRAPH =
  /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;
// BERT punctuation = ASCII punctuation (which includes symbols like $ + < = > ^ ` | ~) or Unicode P*.
const PUNCTUATION = String.raw`!-\/:-@\[-\x60{-~\p{P}`; // \x60 is the backtick
// A word is one punctuation character or a run of anything that is neither punctuation nor whitespace.
const WORD_PATTERN = new RegExp(String.raw`[${PUNCTUATION}]|[^${PUNCTUATION}\p{White_Space}]+`, 'gu');

/** HF BertNormalizer(clean_text, handle_chinese_chars, strip_accents, lowercase), in its order. */
export function normalizeBertText(text: string): string {
  const cleaned = text.replace(DROPPED_CHARS, '').replace(/\p{White_Space}/gu, ' ');
  const spacedCjk = cleaned.replace(CJK_IDEOGRAPH, ' $& ');
  const withoutAccents = spacedCjk.normalize('NFD').replace(/\p{Mn}/gu, '');
  return lowercaseCharwise(withoutAccents);
}

export interface BertTokenizerSpec {
  vocab: ReadonlyMap<string, number>;
  /** Defaults to [PAD] [UNK] [CLS] [SEP] [MASK] from the vocab: special, matched in the raw text. */
  addedTokens?: readonly AddedToken[];
  /** Default '[UNK]'. */
  unkToken?: string;
  /** Longer words become [UNK] without trying. Default 100. */
  maxInputCharsPerWord?: number;
  /** Tokens the model reads: encodeBatch's default maxLength. Default 512. */
  contextLength?: number;
}

export class BertTokenizer extends VocabularyTokenizer implements Tokenizer {
  readonly vocabSize: number;
  /** [CLS] (101): starts every sequence, and is GIT's decoder start token. */
  readonly bosId: number;
  /** [SEP] (102): ends every sequence; GIT stops generating at it. */
  readonly eosId: number;
  /** [PAD] (0). */
  readonly padId: number;
  readonly unkId: number;
  /** encodeBatch's default row length and truncation limit. */
  readonly contextLength: number;
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly addedTokens: AddedTokenPipeline;
  private readonly maxInputCharsPerWord: number;

  constructor(spec: BertTokenizerSpec) {
    const { vocab, addedTokens, unkToken = '[UNK]', maxInputCharsPerWord = DEFAULT_MAX_INPUT_CHARS_PER_WORD, contextLength = BERT_MAX_LENGTH } = spec;
    const added = addedTokens ?? defaultAddedTokens(vocab);
    super(new Vocabulary('BERT', vocab, added));
    this.vocab = vocab;
    this.bosId = this.vocabulary.requireId('[CLS]');
    this.eosId = this.vocabulary.requireId('[SEP]');
    this.padId = this.vocabulary.requireId('[PAD]');
    this.unkId = this.vocabulary.requireId(unkToken);
    this.vocabSize = this.vocabulary.size;
    this.maxInputCharsPerWord = maxInputCharsPerWord;
    this.contextLength = contextLength;
    this.addedTokens = new AddedTokenPipeline(added, normalizeBertText, WORD_PATTERN);
  }

  /** Token ids of `text` as [CLS] … [SEP] (without them if addSpecialTokens is false). */
  encode(text: string, { addSpecialTokens = true }: EncodeOptions = {}): number[] {
    const ids: number[] = addSpecialTokens ? [this.bosId] : [];
    for (const piece of this.addedTokens.pieces(text)) {
      if (typeof piece === 'number') ids.push(piece);
      else pushAll(ids, this.wordPiece(piece));
    }
    if (addSpecialTokens) ids.push(this.eosId);
    return ids;
  }

  /**
   * What the tokenizer called with padding='max_length', truncation=True, max_length=contextLength gives, for
   * the default options: [CLS] … [SEP], cut to contextLength - 1 ids + [SEP], padded with [PAD].
   */
  encodeBatch(texts: readonly string[], options: TextBatchOptions = {}): TextBatch {
    return encodeTextBatch(this, texts, this.contextLength, options);
  }

  /** Greedy longest-match-first split of one word into vocab pieces; all-or-nothing. */
  private wordPiece(word: string): number[] {
    const chars = [...word];
    if (chars.length > this.maxInputCharsPerWord) return [this.unkId];
    const ids: number[] = [];
    for (let start = 0; start < chars.length; ) {
      let end = chars.length;
      let id: number | undefined;
      for (; end > start; end--) {
        const piece = chars.slice(start, end).join('');
        id = this.vocab.get(start > 0 ? CONTINUATION_PREFIX + piece : piece);
        if (id !== undefined) break;
      }
      if (id === undefined) return [this.unkId];
      ids.push(id);
      start = end;
    }
    return ids;
  }

  /**
   * Text of `ids` as BertTokenizerFast.decode: tokens joined by spaces, '##' pieces glued to the previous
   * one, then (by default) HF's clean-up of spaces before punctuation and contractions.
   * Ids outside the vocab are skipped, as HF does.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const { skipSpecialTokens = false, cleanUpTokenizationSpaces: cleanUp = true } = options;
    const tokens = this.vocabulary.tokensOf(ids, skipSpecialTokens);
    const text = stripLikePython(tokens.join(' ').replaceAll(` ${CONTINUATION_PREFIX}`, ''));
    return cleanUp ? cleanUpTokenizationSpaces(text) : text;
  }
}

function defaultAddedTokens(vocab: ReadonlyMap<string, number>): AddedToken[] {
  return SPECIAL_TOKENS.filter((content) => vocab.has(content)).map((content) => ({
    content,
    id: vocab.get(content)!,
    special: true,
    normalized: false,
  }));
}
