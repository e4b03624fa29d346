/** Small text helpers that make JavaScript's string functions behave like the Rust/Python ones HF uses. */

/**
 * Lower-cases one character at a time, like HF's Lowercase / BertNormalizer (Rust char::to_lowercase).
 * JavaScript's toLowerCase is the same except that it turns a word-final capital sigma into 'ς';
 * HF always gives 'σ'.
 */
export function lowercaseCharwise(text: string): string {
  return text.replaceAll('Σ', 'σ').toLowerCase();
}

/**
 * Python's str.strip(): removes Unicode White_Space plus the separators U+001C..U+001F at both ends.
 * (JavaScript's trim() also removes U+FEFF and keeps U+0085.)
 */
export function stripLikePython(text: string): string {
  // Scanned from both ends: a regex anchored at $ retries from every position and is quadratic in the
  // whitespace run. Every White_Space character is in the BMP, one UTF-16 unit.
  let start = 0;
  let end = text.length;
  while (start < end && PYTHON_SPACE.test(text[start]!)) start++;
  while (end > start && PYTHON_SPACE.test(text[end - 1]!)) end--;
  return text.slice(start, end);
}

const PYTHON_SPACE = /^[\p{White_Space}\x1c-\x1f]$/u;

/** HF's clean_up_tokenization: glue punctuation and English contractions back onto the previous word. */
export function cleanUpTokenizationSpaces(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** Appends `items` to `target` without spreading (a spread of a huge array overflows the call stack). */
export function pushAll(target: number[], items: readonly number[]): void {
  for (const item of items) target.push(item);
}
