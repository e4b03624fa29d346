/**
 * True labels for a zero-shot classification run, from either
 *  - folder names: "cat/001.jpg" is a cat (the image's parent folder, as torchvision's ImageFolder), or
 *  - a CSV file with the header `file,label` (RFC 4180 quoting, see csv.ts).
 * Class names are sorted (code unit order, like Python's sorted) unless the caller fixes an order.
 */
import { IrisError } from '../errors';
import { parseCsv } from './csv';
import { FileIndex } from './file-names';

export interface LabeledImage {
  /** The image's path (folder form) or its name in the CSV (resolved to a picked path when `files` are given). */
  file: string;
  label: string;
  /** Index of `label` in `classNames`. */
  labelIndex: number;
}

export interface LabeledSet {
  images: LabeledImage[];
  classNames: string[];
}

export interface LabelOptions {
  /** Fix the class order (e.g. the order of the prompts); a label outside it is an error. */
  classNames?: readonly string[];
}

/** Labels from each image's parent folder name. */
export function labelsFromFolders(paths: readonly string[], options: LabelOptions = {}): LabeledSet {
  if (paths.length === 0) throw new IrisError('bad-input', 'No image files given.');
  const seen = new Set<string>();
  const entries = paths.map((path) => {
    const parts = path.replaceAll('\\', '/').split('/').filter((p) => p !== '');
    if (parts.length < 2) throw new IrisError('bad-input', `"${path}" is not inside a class folder; put each image in a folder named after its class.`);
    if (seen.has(path)) throw new IrisError('bad-input', `"${path}" is listed twice.`);
    seen.add(path);
    return { file: path, label: parts[parts.length - 2] };
  });
  return withClassIndices(entries, options, (entry) => `"${entry.file}"`);
}

export interface LabelCsvOptions extends LabelOptions {
  /** Name of the file, for messages (default "labels CSV"). */
  name?: string;
  /** The picked image files: every listed file must be among them. */
  files?: Iterable<string>;
}

/** Labels from a `file,label` CSV. */
export function parseLabelCsv(text: string, options: LabelCsvOptions = {}): LabeledSet {
  const name = options.name ?? 'labels CSV';
  const rows = parseCsv(text, name);
  if (rows.length === 0) throw new IrisError('bad-input', `${name} is empty; expected a "file,label" header and one row per image.`);
  const header = rows[0].fields.map((f) => f.trim().toLowerCase());
  if (header.length !== 2 || header[0] !== 'file' || header[1] !== 'label') {
    throw new IrisError('bad-input', `${name}: line ${rows[0].line}: the header must be "file,label", not "${rows[0].fields.join(',')}".`);
  }
  if (rows.length === 1) throw new IrisError('bad-input', `${name} has a header but no rows.`);

  const picked = options.files === undefined ? undefined : new FileIndex(options.files);
  const firstLine = new Map<string, number>();
  const entries = rows.slice(1).map(({ fields, line }) => {
    const where = `${name}: line ${line}`;
    if (fields.length !== 2) throw new IrisError('bad-input', `${where}: expected 2 fields (file,label), found ${fields.length}.`);
    const [file, label] = fields.map((f) => f.trim());
    if (file === '') throw new IrisError('bad-input', `${where}: the file name is empty.`);
    if (label === '') throw new IrisError('bad-input', `${where}: "${file}" has an empty label.`);
    const earlier = firstLine.get(file);
    if (earlier !== undefined) throw new IrisError('bad-input', `${where}: "${file}" is listed again (first on line ${earlier}).`);
    firstLine.set(file, line);
    if (!picked) return { file, label, line };
    const matches = picked.matches(file);
    if (matches.length === 0) throw new IrisError('bad-input', `${where}: "${file}" is not among the ${picked.size} picked files.`);
    if (matches.length > 1) throw new IrisError('bad-input', `${where}: "${file}" fits several picked files (${matches.slice(0, 3).join(', ')}).`);
    return { file: matches[0], label, line };
  });
  return withClassIndices(entries, options, (entry) => `${name}: line ${entry.line}: "${entry.file}"`);
}

function withClassIndices<T extends { file: string; label: string }>(entries: readonly T[], options: LabelOptions, where: (entry: T) => string): LabeledSet {
  const classNames = options.classNames ? [...options.classNames] : [...new Set(entries.map((e) => e.label))].sort();
  if (new Set(classNames).size !== classNames.length) throw new IrisError('bad-input', 'The class names given contain duplicates.');
  const index = new Map(classNames.map((c, i) => [c, i]));
  const images = entries.map((entry) => {
    const labelIndex = index.get(entry.label);
    if (labelIndex === undefined) throw new IrisError('bad-input', `${where(entry)} has label "${entry.label}", which is not one of the ${classNames.length} classes.`);
    return { file: entry.file, label: entry.label, labelIndex };
  });
  return { images, classNames };
}
