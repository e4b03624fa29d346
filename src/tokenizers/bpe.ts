/**
 * Byte-level byte-pair encoding of a single pre-tokenized word (the part CLIP and GPT-2 share).
 *
 * Start from one symbol per character and keep applying the merge with the lowest rank (earliest line of
 * merges.txt), leftmost first, until no adjacent pair has a merge. That is the order HF `tokenizers`
 * uses; a min-heap over a linked list of symbols keeps it O(n log n) even for very long "words".
 */

import { IrisError } from '../errors';
import { BYTE_TO_CHAR, toByteLevel } from './byte-level';

export type Merge = readonly [left: string, right: string];

/** Words repeat a lot ("a", "photo", "of"), so results are memoized; the cap bounds memory on huge inputs. */
const MAX_CACHED_WORDS = 100_000;

export class BpeModel {
  private readonly rankOfPair = new Map<string, number>();
  private readonly cache = new Map<string, readonly number[]>();

  /**
   * @param model 'CLIP' or 'GPT-2', for error messages
   * @param vocab token -> id
   * @param merges merge rules, highest priority first
   * @param endOfWordSuffix appended to a word's last character before merging ('</w>' for CLIP, '' for GPT-2)
   */
  constructor(
    private readonly model: string,
    private readonly vocab: ReadonlyMap<string, number>,
    merges: readonly Merge[],
    private readonly endOfWordSuffix = '',
  ) {
    merges.forEach(([left, right], rank) => {
      // Like HF, refuse merges whose parts or result are not tokens: the files do not belong together.
      for (const token of [left, right, left + right]) {
        if (!vocab.has(token)) {
          const problem = `merge #${rank + 1} ("${left} ${right}") uses "${token}", which is not in the vocab.`;
          throw new IrisError('tokenizer', `${model} tokenizer: ${problem}`, {
            hint: 'vocab and merges must come from the same checkpoint; re-download both files.',
          });
        }
      }
      // A repeated merge keeps its last rank, as in HF's fast and slow tokenizers (both build a map from the list).
      this.rankOfPair.set(pairKey(left, right), rank);
    });
    // Every byte must be a token (also as a word end), or some inputs could not be encoded at all.
    for (const token of BYTE_TO_CHAR.flatMap((char) => [char, char + endOfWordSuffix])) {
      if (!vocab.has(token)) {
        throw new IrisError('tokenizer', `${model} tokenizer: the vocab lacks the byte-level token "${token}".`, {
          hint: 'This is not a byte-level BPE vocab; pass the vocab.json (or tokenizer.json) shipped with the checkpoint.',
        });
      }
    }
  }

  /** Token ids for one pre-tokenized word (plain text; it is spelled in byte-level characters here). */
  encodeWord(word: string): readonly number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;

    const symbols = [...toByteLevel(word)];
    if (symbols.length === 0) return [];
    symbols[symbols.length - 1] += this.endOfWordSuffix;
    const ids = this.mergeSymbols(symbols).map((token) => this.idOf(token));

    if (this.cache.size >= MAX_CACHED_WORDS) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  private idOf(token: string): number {
    const id = this.vocab.get(token);
    // Unreachable with validated files: every byte character is in the vocab and merges produce tokens.
    if (id === undefined) {
      throw new IrisError('tokenizer', `${this.model} tokenizer: BPE produced "${token}", which is not in the vocab.`);
    }
    return id;
  }

  private mergeSymbols(symbols: string[]): string[] {
    const count = symbols.length;
    // Doubly linked list over `symbols`; a merge folds the right symbol into the left one.
    const next = Int32Array.from({ length: count }, (_, i) => (i + 1 < count ? i + 1 : -1));
    const prev = Int32Array.from({ length: count }, (_, i) => i - 1);
    const alive = new Uint8Array(count).fill(1);
    const queue = new MinHeap<Candidate>((a, b) => a.rank - b.rank || a.left - b.left);

    const consider = (left: number): void => {
      const right = next[left];
      if (right < 0) return;
      const rank = this.rankOfPair.get(pairKey(symbols[left], symbols[right]));
      if (rank !== undefined) queue.push({ rank, left, right, rightSymbol: symbols[right] });
    };
    for (let i = 0; i + 1 < count; i++) consider(i);

    for (let candidate = queue.pop(); candidate; candidate = queue.pop()) {
      const { left, right } = candidate;
      // Skip stale entries: a neighbour has been merged away or has grown since this pair was queued.
      if (!alive[left] || next[left] !== right || symbols[right] !== candidate.rightSymbol) continue;
      symbols[left] += symbols[right];
      alive[right] = 0;
      next[left] = next[right];
      if (next[left] >= 0) prev[next[left]] = left;
      if (prev[left] >= 0) consider(prev[left]);
      consider(left);
    }

    const merged: string[] = [];
    for (let i = 0; i >= 0; i = next[i]) merged.push(symbols[i]); // symbol 0 is never merged away
    return merged;
  }
}

interface Candidate {
  rank: number;
  left: number;
  right: number;
  rightSymbol: string;
}

// Symbols never contain a space (byte-level maps ' ' to 'Ġ'), so a space is a safe separator.
function pairKey(left: string, right: string): string {
  return `${left} ${right}`;
}

/** Minimal binary min-heap. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i], items[parent]) >= 0) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.compare(items[left], items[smallest]) < 0) smallest = left;
      if (right < items.length && this.compare(items[right], items[smallest]) < 0) smallest = right;
      if (smallest === i) return top;
      [items[i], items[smallest]] = [items[smallest], items[i]];
      i = smallest;
    }
  }
}
