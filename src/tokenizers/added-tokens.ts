/**
 * Added tokens (<|endoftext|>, [CLS], ...) are matched in the raw text before any other processing and
 * map straight to their id; the text between them is tokenized normally. This mirrors HF's
 * AddedVocabulary: leftmost match wins, and at one position the longest token wins.
 */

export interface AddedToken {
  readonly content: string;
  readonly id: number;
  /** Special tokens are dropped by decode({skipSpecialTokens: true}). */
  readonly special: boolean;
  /** Matched in the normalized text (after lower-casing etc.) rather than in the raw text. */
  readonly normalized: boolean;
}

/** A piece of input: text still to tokenize, or the id of an added token found in it. */
export type Piece = string | number;

export class AddedTokenSplitter {
  private readonly pattern: RegExp | null;
  private readonly idOfContent: Map<string, number>;

  constructor(tokens: readonly AddedToken[]) {
    this.idOfContent = new Map(tokens.map((token) => [token.content, token.id]));
    const contents = [...this.idOfContent.keys()].filter((content) => content.length > 0);
    // Longest first, so that at one position the alternation prefers the longest token.
    contents.sort((a, b) => b.length - a.length);
    this.pattern = contents.length > 0 ? new RegExp(contents.map(escapeRegExp).join('|'), 'gu') : null;
  }

  /** Splits text into text pieces (never empty) and added-token ids, in order. */
  split(text: string): Piece[] {
    if (!this.pattern) return text ? [text] : [];
    const pieces: Piece[] = [];
    let start = 0;
    for (const match of text.matchAll(this.pattern)) {
      if (match.index > start) pieces.push(text.slice(start, match.index));
      pieces.push(this.idOfContent.get(match[0])!);
      start = match.index + match[0].length;
    }
    if (start < text.length) pieces.push(text.slice(start));
    return pieces;
  }
}

/**
 * HF's pipeline around the added tokens: raw-matched tokens first, then the normalizer on the text between
 * them, then normalized-matched tokens, then the pre-tokenizer's `wordPattern`. Yields ids of added tokens
 * and the words left to the model (BPE, WordPiece), in order.
 */
export class AddedTokenPipeline {
  private readonly raw: AddedTokenSplitter;
  private readonly normalizedTokens: AddedTokenSplitter;

  constructor(
    tokens: readonly AddedToken[],
    private readonly normalize: (text: string) => string,
    private readonly wordPattern: RegExp,
  ) {
    this.raw = new AddedTokenSplitter(tokens.filter((token) => !token.normalized));
    this.normalizedTokens = new AddedTokenSplitter(tokens.filter((token) => token.normalized));
  }

  *pieces(text: string): Generator<Piece> {
    for (const rawPiece of this.raw.split(text)) {
      if (typeof rawPiece === 'number') {
        yield rawPiece;
        continue;
      }
      for (const piece of this.normalizedTokens.split(this.normalize(rawPiece))) {
        if (typeof piece === 'number') yield piece;
        else for (const [word] of piece.matchAll(this.wordPattern)) yield word;
      }
    }
  }
}

// Escapes only syntax characters: with the 'u' flag any other escaped character is a SyntaxError.
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
