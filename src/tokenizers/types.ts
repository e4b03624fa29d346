/** What every Iris tokenizer offers; the model code only needs this. */
export interface Tokenizer {
  /** Number of ids the model's embedding table must cover (largest id + 1). */
  readonly vocabSize: number;
  /** First id of a sequence: CLIP <|startoftext|>, BERT [CLS], GPT-2 <|endoftext|>. */
  readonly bosId: number;
  /** Last id / generation stop: CLIP and GPT-2 <|endoftext|>, BERT [SEP]. */
  readonly eosId: number;
  /** Id used to pad batches: CLIP and GPT-2 <|endoftext|>, BERT [PAD]. */
  readonly padId: number;
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** The vocab string for an id ('photo</w>', 'Ġcat', '##ing'), or undefined if out of range. */
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
}

export interface EncodeOptions {
  /** Add the model's framing ids (CLIP BOS/EOS, BERT [CLS]/[SEP]; GPT-2 adds none). Default true. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (<|endoftext|>, [CLS], [SEP], [PAD], [UNK], ...). Default false, like HF. */
  skipSpecialTokens?: boolean;
  /**
   * HF's clean_up_tokenization_spaces (" ." -> ".", " n't" -> "n't", ...). Default true for BERT
   * (its tokens are joined by spaces), false for CLIP and GPT-2 (byte-level decoding is exact).
   */
  cleanUpTokenizationSpaces?: boolean;
}
