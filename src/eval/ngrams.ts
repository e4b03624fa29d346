/** Word splitting and n-gram counting shared by BLEU and CIDEr-D (pycocoevalcap's `precook`). */

/** Python's str.split() with no argument: split on any run of white space, no empty words. */
export function splitWords(sentence: string): string[] {
  return sentence.split(/[\p{White_Space}\x1c-\x1f]+/u).filter((w) => w !== '');
}

/**
 * Counts every n-gram of 1..maxN words. Keys are the words joined by a space (split words contain no
 * white space, so the key is unambiguous); insertion order is 1-grams first, left to right, as in
 * Python, which keeps floating-point sums in the same order.
 */
export function countNgrams(words: readonly string[], maxN: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxN; n++) {
    for (let i = 0; i + n <= words.length; i++) {
      const key = words.slice(i, i + n).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** The number of words in an n-gram key. */
export function ngramOrder(key: string): number {
  let n = 1;
  for (const c of key) if (c === ' ') n++;
  return n;
}
