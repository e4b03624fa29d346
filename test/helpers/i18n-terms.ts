// The words that stay in Latin letters in the Chinese UI: proper nouns (products, models, formats, metrics,
// programs), units and literal names (API calls, URL parts). The Chinese catalogue's values and the demo's
// visible text in Chinese may contain ASCII-letter words from this list only (plus, on the page, the model
// catalogue's own labels and repo names, which are names). Words are runs of letters and digits.
export const LATIN_TERMS = new Set([
  // products, platforms, browsers
  'Iris', 'WebGPU', 'GPU', 'Hugging', 'Face', 'Hub', 'huggingface', 'co', 'IndexedDB', 'Chrome', 'Edge', 'Safari',
  'Firefox', 'Windows', 'macOS', 'ChromeOS', 'Android', 'iOS', 'iPadOS', 'Linux', 'Vulkan', 'Java', 'Stanford', 'CoreNLP',
  'pycocoevalcap',
  // models
  'CLIP', 'GIT', 'ViT', 'GPT2',
  // formats and metrics
  'PNG', 'JPEG', 'WebP', 'CSV', 'JSON', 'COCO', 'BLEU', 'ROUGE', 'L', 'CIDEr', 'D', 'METEOR', 'SPICE', 'Top', 'P', 'NaN',
  'safetensors', 'id',
  // units and GPU terms
  'MB', 'KB', 'GB', 'B', 'ms', 's', 'f16', 'f32', 'shader',
  // literal names: the API calls and URL schemes quoted in the "no WebGPU" reasons
  'navigator', 'gpu', 'requestAdapter', 'https', 'http', 'localhost',
  // the labels CSV's header (file,label), the file config.json, the page's ?hub= parameter, a repo id's pattern
  'file', 'label', 'config', 'json', 'hub', 'org', 'name', 'revision',
]);

/** The ASCII-letter words of a text (runs of letters and digits that start with a letter). */
export function latinWords(text: string): string[] {
  return text.match(/[A-Za-z][A-Za-z0-9]*/g) ?? [];
}

/** A catalogue value as a person reads it: tags gone, <code> contents (literal names) gone, placeholders gone. */
export function readableText(value: string): string {
  return value.replace(/<code>[\s\S]*?<\/code>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/\{\w+(?::[^{}]*)?\}/g, ' ');
}
