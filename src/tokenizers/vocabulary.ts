/** Token <-> id lookups over a vocab plus its added tokens (the added tokens win, as in HF). */

import { IrisError } from '../errors';
import type { AddedToken } from './added-tokens';

export class Vocabulary {
  /** Largest id + 1. */
  readonly size: number;
  readonly specialIds: ReadonlySet<number>;
  private readonly idOfToken: Map<string, number>;
  private readonly tokenOfId = new Map<number, string>();

  constructor(
    private readonly model: string,
    vocab: ReadonlyMap<string, number>,
    addedTokens: readonly AddedToken[],
  ) {
    this.idOfToken = new Map(vocab);
    for (const { content, id } of addedTokens) this.idOfToken.set(content, id);
    for (const [token, id] of vocab) this.tokenOfId.set(id, token);
    for (const { content, id } of addedTokens) this.tokenOfId.set(id, content);
    this.specialIds = new Set(addedTokens.filter((token) => token.special).map((token) => token.id));
    let maxId = -1;
    for (const id of this.tokenOfId.keys()) maxId = Math.max(maxId, id);
    this.size = maxId + 1;
  }

  id(token: string): number | undefined {
    return this.idOfToken.get(token);
  }

  token(id: number): string | undefined {
    return this.tokenOfId.get(id);
  }

  /** The tokens of `ids` in order; ids outside the vocab are skipped (as HF does), specials on request. */
  tokensOf(ids: ArrayLike<number>, skipSpecialTokens: boolean): string[] {
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (skipSpecialTokens && this.specialIds.has(id)) continue;
      const token = this.tokenOfId.get(id);
      if (token !== undefined) tokens.push(token);
    }
    return tokens;
  }

  /** The id of a token the model cannot work without. */
  requireId(token: string): number {
    const id = this.idOfToken.get(token);
    if (id === undefined) {
      throw new IrisError('tokenizer', `${this.model} tokenizer: the vocab has no ${token} token.`, {
        hint: `This vocab is not a ${this.model} vocab; pass the tokenizer files that ship with the checkpoint.`,
      });
    }
    return id;
  }
}

/** The vocabulary lookups every Iris tokenizer exposes, over its Vocabulary. */
export abstract class VocabularyTokenizer {
  constructor(protected readonly vocabulary: Vocabulary) {}

  idToToken(id: number): string | undefined {
    return this.vocabulary.token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.vocabulary.id(token);
  }
}
