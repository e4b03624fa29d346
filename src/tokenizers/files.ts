/**
 * Parsing of the tokenizer files a checkpoint ships (vocab.json + merges.txt, vocab.txt, or HF's
 * tokenizer.json), given as text. No I/O here: the weights loader fetches the files.
 * Anything malformed becomes an IrisError('tokenizer') that names the file and the problem.
 */

import { IrisError } from '../errors';
import type { AddedToken } from './added-tokens';
import type { Merge } from './bpe';

/** Byte-level BPE (CLIP, GPT-2): vocab.json + merges.txt, or a tokenizer.json with a BPE model. */
export type BpeFiles = { vocabJson: string; mergesTxt: string } | { tokenizerJson: string };
/** WordPiece (BERT): vocab.txt, or a tokenizer.json with a WordPiece model. */
export type WordPieceFiles = { vocabTxt: string } | { tokenizerJson: string };

export interface BpeDefinition {
  vocab: Map<string, number>;
  merges: Merge[];
  /** From tokenizer.json; null when built from vocab.json + merges.txt (the tokenizer knows its defaults). */
  addedTokens: AddedToken[] | null;
  /** tokenizer.json's model.end_of_word_suffix, if it names one. */
  endOfWordSuffix: string | null;
}

export interface WordPieceDefinition {
  vocab: Map<string, number>;
  addedTokens: AddedToken[] | null;
  unkToken: string | null;
  maxInputCharsPerWord: number | null;
}

const REDOWNLOAD =
  'Re-download the tokenizer files from the model repository (a truncated download or an HTML error page is the usual cause).';

function fail(model: string, problem: string, hint = REDOWNLOAD): never {
  throw new IrisError('tokenizer', `${model} tokenizer: ${problem}`, { hint });
}

/** Throws unless `files` has the named string fields; catches a missing fetch result early. */
function requireText(model: string, files: object, field: string, fileName: string): string {
  const text = (files as Record<string, unknown>)[field];
  if (typeof text !== 'string') {
    fail(model, `${fileName} is missing (expected its text in "${field}", got ${typeof text}).`);
  }
  if (text.trim() === '') fail(model, `${fileName} is empty.`);
  return text;
}

export function readBpeFiles(model: string, files: BpeFiles): BpeDefinition {
  const given: unknown = files; // callers may be untyped JavaScript
  if (isObject(given) && 'tokenizerJson' in given) {
    return readBpeTokenizerJson(model, requireText(model, given, 'tokenizerJson', 'tokenizer.json'));
  }
  if (!isObject(given) || !('vocabJson' in given) || !('mergesTxt' in given)) {
    fail(model, 'expected {vocabJson, mergesTxt} or {tokenizerJson}.', 'Pass the text of those files.');
  }
  const vocabJson = parseJson(model, 'vocab.json', requireText(model, given, 'vocabJson', 'vocab.json'));
  const vocab = toVocabMap(model, 'vocab.json', vocabJson);
  const merges = parseMergesTxt(model, requireText(model, given, 'mergesTxt', 'merges.txt'));
  return { vocab, merges, addedTokens: null, endOfWordSuffix: null };
}

export function readWordPieceFiles(model: string, files: WordPieceFiles): WordPieceDefinition {
  const given: unknown = files;
  if (isObject(given) && 'tokenizerJson' in given) {
    return readWordPieceTokenizerJson(model, requireText(model, given, 'tokenizerJson', 'tokenizer.json'));
  }
  if (!isObject(given) || !('vocabTxt' in given)) {
    fail(model, 'expected {vocabTxt} or {tokenizerJson}.', 'Pass the text of one of those files.');
  }
  const vocab = parseVocabTxt(model, requireText(model, given, 'vocabTxt', 'vocab.txt'));
  return { vocab, addedTokens: null, unkToken: null, maxInputCharsPerWord: null };
}

/** merges.txt: an optional "#version" line, then one "left right" pair per line, highest priority first. */
export function parseMergesTxt(model: string, text: string): Merge[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // the final newline ends the last line, it does not start a new one
  const merges: Merge[] = [];
  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('#version')) return;
    merges.push(parseMerge(model, 'merges.txt', line, `line ${index + 1}`));
  });
  if (merges.length === 0) fail(model, 'merges.txt has no merges.');
  return merges;
}

function parseMerge(model: string, fileName: string, line: string, where: string): Merge {
  const parts = line.split(' ');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    fail(model, `${fileName} ${where} is not a merge of the form "left right": ${JSON.stringify(line.slice(0, 80))}.`);
  }
  return [parts[0]!, parts[1]!];
}

/** vocab.txt (WordPiece): one token per line; the line number (from 0) is the id. */
export function parseVocabTxt(model: string, text: string): Map<string, number> {
  if (text.trimStart().startsWith('{')) {
    fail(model, 'vocab.txt looks like JSON.', 'Pass vocab.txt (one token per line), or the JSON as {tokenizerJson}.');
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  // Trailing whitespace (and '\r') is not part of a token, as in HF's reader.
  return new Map(lines.map((line, id) => [line.replace(/\p{White_Space}+$/u, ''), id]));
}

function parseJson(model: string, fileName: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(model, `${fileName} is not valid JSON (${(error as Error).message}).`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toVocabMap(model: string, where: string, value: unknown): Map<string, number> {
  if (!isObject(value)) fail(model, `${where} must be an object mapping tokens to ids.`);
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(value)) {
    if (!Number.isSafeInteger(id) || (id as number) < 0) {
      fail(model, `${where} maps ${JSON.stringify(token)} to ${JSON.stringify(id)}; ids must be non-negative integers.`);
    }
    vocab.set(token, id as number);
  }
  if (vocab.size === 0) fail(model, `${where} is empty.`);
  return vocab;
}

type JsonObject = Record<string, unknown>;

/** The parsed tokenizer.json and its "model" section, checked to be of the expected type. */
function readTokenizerJsonModel(model: string, text: string, expectedType: string): { json: JsonObject; body: JsonObject } {
  const json = parseJson(model, 'tokenizer.json', text);
  if (!isObject(json) || !isObject(json.model)) fail(model, 'tokenizer.json has no "model" object.');
  const body = json.model;
  if (body.type !== undefined && body.type !== expectedType) {
    fail(
      model,
      `tokenizer.json describes a ${String(body.type)} model, expected ${expectedType}.`,
      'Pass the tokenizer.json of the matching checkpoint.',
    );
  }
  return { json, body };
}

function readBpeTokenizerJson(model: string, text: string): BpeDefinition {
  const { json, body } = readTokenizerJsonModel(model, text, 'BPE');
  const vocab = toVocabMap(model, 'tokenizer.json model.vocab', body.vocab);
  if (!Array.isArray(body.merges) || body.merges.length === 0) {
    fail(model, 'tokenizer.json model.merges must be a non-empty array.');
  }
  // Older files spell a merge "left right"; newer ones ["left", "right"] (which allows spaces in tokens).
  const merges = body.merges.map((merge: unknown, index: number): Merge => {
    if (typeof merge === 'string') return parseMerge(model, 'tokenizer.json', merge, `model.merges[${index}]`);
    if (Array.isArray(merge) && merge.length === 2 && merge.every((part) => typeof part === 'string' && part !== '')) {
      return [merge[0] as string, merge[1] as string];
    }
    return fail(model, `tokenizer.json model.merges[${index}] is neither "left right" nor ["left", "right"].`);
  });
  const suffix = body.end_of_word_suffix;
  return {
    vocab,
    merges,
    addedTokens: readAddedTokens(model, json.added_tokens),
    endOfWordSuffix: typeof suffix === 'string' ? suffix : null,
  };
}

function readWordPieceTokenizerJson(model: string, text: string): WordPieceDefinition {
  const { json, body } = readTokenizerJsonModel(model, text, 'WordPiece');
  const normalizer = json.normalizer;
  if (isObject(normalizer) && normalizer.type === 'BertNormalizer' && normalizer.lowercase === false) {
    fail(
      model,
      'tokenizer.json is for a cased BERT; Iris implements the uncased one.',
      'Use an uncased checkpoint such as microsoft/git-base-coco.',
    );
  }
  if (body.continuing_subword_prefix !== undefined && body.continuing_subword_prefix !== '##') {
    const prefix = JSON.stringify(body.continuing_subword_prefix);
    fail(model, `tokenizer.json uses continuing_subword_prefix ${prefix}; only "##" is supported.`);
  }
  const maxChars = body.max_input_chars_per_word;
  return {
    vocab: toVocabMap(model, 'tokenizer.json model.vocab', body.vocab),
    addedTokens: readAddedTokens(model, json.added_tokens),
    unkToken: typeof body.unk_token === 'string' ? body.unk_token : null,
    maxInputCharsPerWord: Number.isSafeInteger(maxChars) && (maxChars as number) > 0 ? (maxChars as number) : null,
  };
}

function readAddedTokens(model: string, value: unknown): AddedToken[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) fail(model, 'tokenizer.json "added_tokens" must be an array.');
  return value.map((entry: unknown, index: number): AddedToken => {
    if (!isObject(entry) || typeof entry.content !== 'string' || !Number.isSafeInteger(entry.id) || (entry.id as number) < 0) {
      return fail(model, `tokenizer.json added_tokens[${index}] needs a string "content" and a non-negative integer "id".`);
    }
    const special = entry.special === true;
    // HF's default: special tokens match the raw text, other added tokens the normalized text.
    const normalized = typeof entry.normalized === 'boolean' ? entry.normalized : !special;
    return { content: entry.content, id: entry.id as number, special, normalized };
  });
}
