/**
 * Whether a downloaded (or cached) non-weight file is what its name says: JSON files parse, text files
 * (vocab.txt, merges.txt) are UTF-8, and neither is a web page. Checked before a file is marked complete
 * and again when it is read from the cache, so a login page or a cut-short body is never served as a config.
 * Safetensors files have their own, stricter parser.
 */
const HTML_START = /^\s*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i;

/** Why `bytes` cannot be `file`, or undefined when it can. */
export function contentProblem(file: string, bytes: Uint8Array): string | undefined {
  const name = file.split('/').at(-1)!.toLowerCase();
  const textual = name.endsWith('.json') || name.endsWith('.txt');
  let text: string;
  try {
    // Only the head of a binary file is looked at (for an HTML page posing as it).
    text = new TextDecoder('utf-8', { fatal: textual }).decode(textual ? bytes : bytes.subarray(0, 1024));
  } catch {
    return 'it is not UTF-8 text';
  }
  if (HTML_START.test(text.slice(0, 1024))) return 'it is an HTML page (a login page or a network portal?), not the file';
  if (!name.endsWith('.json')) return undefined;
  try {
    JSON.parse(text);
  } catch (cause) {
    return `it is not valid JSON (${(cause as Error).message}); the body may have been cut short`;
  }
  return undefined;
}
