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

import { IrisError } from '../errors';
import { AddedTokenPipeline, type AddedToken } from './added-tokens';
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

export interface ClipBatchOptions {
  /** Row length for 'max_length' padding and the truncation limit. Default 77. */
  maxLength?: number;
  /** 'max_length' (default): every row is maxLength long. 'longest': rows are as long as the longest text. */
  padding?: 'max_length' | 'longest';
  /** Cut texts longer than maxLength to maxLength - 1 ids + EOS (default true); false throws instead. */
  truncation?: boolean;
}

/**
 * A batch in row-major layout, ready for a GPU buffer: row i is
 * inputIds.subarray(i * sequenceLength, (i + 1) * sequenceLength), padded with EOS (49407) like HF.
 */
export interface ClipBatch {
  batchSize: number;
  sequenceLength: number;
  /** batchSize × sequenceLength token ids. */
  inputIds: Int32Array;
  /** batchSize × sequenceLength; 1 for real ids (BOS and EOS included), 0 for padding. */
  attentionMask: Uint8Array;
  /** Real ids per row; the EOS that CLIP pools is at lengths[i] - 1. */
  lengths: Int32Array;
}

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
    const { maxLength = CLIP_MAX_LENGTH, padding = 'max_length', truncation = true } = options;
    if (!Number.isSafeInteger(maxLength) || maxLength < 2) {
      throw new IrisError('bad-input', `maxLength must be an integer >= 2 (room for BOS and EOS), got ${maxLength}.`);
    }
    const rows = texts.map((text, index) => {
      const ids = this.encode(text);
      if (ids.length <= maxLength) return ids;
      if (!truncation) {
        const problem = `Text ${index} is ${ids.length} tokens long, more than maxLength ${maxLength}.`;
        throw new IrisError('bad-input', problem, {
          hint: 'Shorten it, or pass truncation: true to keep its first tokens.',
        });
      }
      // Same as HF: keep the first maxLength - 2 text tokens between BOS and EOS.
      return [...ids.slice(0, maxLength - 1), this.eosId];
    });

    const batchSize = rows.length;
    const longest = rows.reduce((length, row) => Math.max(length, row.length), 0);
    const sequenceLength = padding === 'max_length' ? maxLength : longest;
    const inputIds = new Int32Array(batchSize * sequenceLength).fill(this.padId);
    const attentionMask = new Uint8Array(batchSize * sequenceLength);
    const lengths = new Int32Array(batchSize);
    rows.forEach((row, i) => {
      inputIds.set(row, i * sequenceLength);
      attentionMask.fill(1, i * sequenceLength, i * sequenceLength + row.length);
      lengths[i] = row.length;
    });
    return { batchSize, sequenceLength, inputIds, attentionMask, lengths };
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
