/**
 * GPT-2's byte-level BPE, exactly as HF's GPT2Tokenizer with its defaults (no prefix space, no BOS/EOS
 * added): the text is split with GPT-2's regex, each piece is BPE'd over its UTF-8 bytes. Nothing is
 * normalized, so decode(encode(text)) === text for every string.
 */

import { AddedTokenPipeline, type AddedToken } from './added-tokens';
import { BpeModel, type Merge } from './bpe';
import { fromByteLevel } from './byte-level';
import { cleanUpTokenizationSpaces, pushAll } from './text';
import type { DecodeOptions, Tokenizer } from './types';
import { Vocabulary, VocabularyTokenizer } from './vocabulary';

export const GPT2_END_OF_TEXT = '<|endoftext|>';

// Contractions, then optionally-space-prefixed runs of letters / digits / other symbols, then whitespace:
// a whitespace run before a word leaves its last space to prefix that word ("a  b" -> "a", " ", " b").
// \p{White_Space} instead of \s: that is what \s means in the regex engines HF uses (see clip.ts).
const WORD_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

export interface Gpt2TokenizerSpec {
  vocab: ReadonlyMap<string, number>;
  merges: readonly Merge[];
  /** Defaults to <|endoftext|> from the vocab, special. */
  addedTokens?: readonly AddedToken[];
}

export class Gpt2Tokenizer extends VocabularyTokenizer implements Tokenizer {
  readonly vocabSize: number;
  /** GPT-2 uses <|endoftext|> (50256) for BOS, EOS and padding alike. */
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  private readonly bpe: BpeModel;
  private readonly addedTokens: AddedTokenPipeline;

  constructor({ vocab, merges, addedTokens }: Gpt2TokenizerSpec) {
    const added = addedTokens ?? defaultAddedTokens(vocab);
    super(new Vocabulary('GPT-2', vocab, added));
    this.eosId = this.vocabulary.requireId(GPT2_END_OF_TEXT);
    this.bosId = this.eosId;
    this.padId = this.eosId;
    this.vocabSize = this.vocabulary.size;
    this.bpe = new BpeModel('GPT-2', vocab, merges);
    // GPT-2 has no normalizer, so "matched after normalization" is the same as matching the raw text.
    this.addedTokens = new AddedTokenPipeline(added, (text) => text, WORD_PATTERN);
  }

  /** Token ids of `text`; like HF's GPT2Tokenizer, no BOS/EOS is added (so no options apply). */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const piece of this.addedTokens.pieces(text)) {
      if (typeof piece === 'number') ids.push(piece);
      else pushAll(ids, this.bpe.encodeWord(piece));
    }
    return ids;
  }

  /**
   * UTF-8 text of `ids`. Bytes that do not form valid UTF-8 (a generation stopped mid-character) become
   * U+FFFD, as with HF's errors='replace'. Ids outside the vocab are skipped, as HF does.
   */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const { skipSpecialTokens = false, cleanUpTokenizationSpaces: cleanUp = false } = options;
    const text = fromByteLevel(this.vocabulary.tokensOf(ids, skipSpecialTokens).join(''));
    return cleanUp ? cleanUpTokenizationSpaces(text) : text;
  }
}

function defaultAddedTokens(vocab: ReadonlyMap<string, number>): AddedToken[] {
  const id = vocab.get(GPT2_END_OF_TEXT);
  return id === undefined ? [] : [{ content: GPT2_END_OF_TEXT, id, special: true, normalized: true }];
}
