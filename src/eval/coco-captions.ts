/**
 * Reads a COCO-format captions file (like captions_val2014.json): `images` [{ id, file_name }] and
 * `annotations` [{ image_id, caption }], other fields ignored. Anything that would make an evaluation
 * silently wrong is an IrisError('bad-input') that names the entry: bad JSON, missing or mistyped
 * fields, duplicate image ids / file names / annotation ids, captions of unknown images, images without
 * captions, and (given the picked files) images whose file is not there.
 */
import { IrisError } from '../errors';
import type { ImageId } from './caption-metrics';
import { FileIndex } from './file-names';

export interface CocoImage {
  id: ImageId;
  fileName: string;
  /** The reference captions, in file order. */
  captions: string[];
  /** The picked file it names (only when `files` were given). */
  file?: string;
}

export interface CocoCaptionOptions {
  /** Name of the file, for messages (default "captions file"). */
  name?: string;
  /** The picked image files (relative paths or names): every image's file_name must be among them. */
  files?: Iterable<string>;
}

/** Parses the JSON text (or an already parsed value) into images with their captions, in file order. */
export function parseCocoCaptions(json: string | unknown, options: CocoCaptionOptions = {}): CocoImage[] {
  const name = options.name ?? 'captions file';
  const fail = (message: string): never => {
    throw new IrisError('bad-input', `${name}: ${message}`);
  };

  let root: unknown = json;
  if (typeof json === 'string') {
    try {
      root = JSON.parse(json);
    } catch (error) {
      fail(`not valid JSON (${(error as Error).message}).`);
    }
  }
  if (!isObject(root)) return fail('expected a JSON object with "images" and "annotations".');
  const images = root.images;
  const annotations = root.annotations;
  if (!Array.isArray(images)) return fail('"images" is missing or not an array.');
  if (!Array.isArray(annotations)) return fail('"annotations" is missing or not an array.');
  if (images.length === 0) fail('"images" is empty.');

  const byId = new Map<ImageId, { image: CocoImage; index: number }>();
  const fileNames = new Map<string, number>();
  const result = images.map((entry: unknown, index): CocoImage => {
    const where = `images[${index}]`;
    if (!isObject(entry)) return fail(`${where} is not an object.`);
    const id = entry.id;
    if (!isImageId(id)) return fail(`${where} has ${describeValue(id)} as "id"; expected a whole number or a non-empty string.`);
    const fileName = entry.file_name;
    if (typeof fileName !== 'string' || fileName.trim() === '') return fail(`${where} (id ${show(id)}) has ${describeValue(fileName)} as "file_name".`);
    const earlier = byId.get(id);
    if (earlier) fail(`${where} repeats image id ${show(id)} (first used by images[${earlier.index}]).`);
    const earlierFile = fileNames.get(fileName);
    if (earlierFile !== undefined) fail(`${where} (id ${show(id)}) repeats file_name "${fileName}" (first used by images[${earlierFile}]).`);
    const image: CocoImage = { id, fileName, captions: [] };
    byId.set(id, { image, index });
    fileNames.set(fileName, index);
    return image;
  });

  const annotationIds = new Map<unknown, number>();
  annotations.forEach((entry: unknown, index) => {
    const where = `annotations[${index}]`;
    if (!isObject(entry)) return fail(`${where} is not an object.`);
    const imageId = entry.image_id;
    if (!isImageId(imageId)) return fail(`${where} has ${describeValue(imageId)} as "image_id".`);
    const owner = byId.get(imageId);
    if (!owner) return fail(`${where} is a caption of image_id ${show(imageId)}, which is not in "images".`);
    const caption = entry.caption;
    if (typeof caption !== 'string') return fail(`${where} (image_id ${show(imageId)}) has ${describeValue(caption)} as "caption".`);
    if (caption.trim() === '') fail(`${where} (image_id ${show(imageId)}) has an empty caption.`);
    if ('id' in entry) {
      const earlier = annotationIds.get(entry.id);
      if (earlier !== undefined) fail(`${where} repeats annotation id ${show(entry.id)} (first used by annotations[${earlier}]).`);
      annotationIds.set(entry.id, index);
    }
    owner.image.captions.push(caption);
  });

  const picked = options.files === undefined ? undefined : new FileIndex(options.files);
  result.forEach((image, index) => {
    const where = `images[${index}] (id ${show(image.id)}, "${image.fileName}")`;
    if (image.captions.length === 0) fail(`${where} has no captions in "annotations".`);
    if (!picked) return;
    const matches = picked.matches(image.fileName);
    if (matches.length === 0) fail(`${where}: the file is not among the ${picked.size} picked files.`);
    if (matches.length > 1) fail(`${where}: the name fits several picked files (${matches.slice(0, 3).join(', ')}).`);
    image.file = matches[0];
  });
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isImageId(value: unknown): value is ImageId {
  return (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && value.trim() !== '');
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);
const describeValue = (value: unknown): string => (value === undefined ? 'nothing' : `${Array.isArray(value) ? 'an array' : show(value)}`);
