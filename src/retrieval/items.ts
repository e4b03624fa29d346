/**
 * What add() is given, turned into keys, versions and pixels. A File is keyed by its path in the picked
 * folder (`webkitRelativePath`, else its name) and versioned by size:lastModified, so adding the same folder
 * again skips every unchanged file without reading it, and a changed file replaces its old vector.
 * Anything that is not a decodable image is reported with a reason, never thrown.
 */
import { IrisError, isIrisError } from '../errors';
import { decodeImage, decodeImageBytes, type ImageInput } from '../image/decode';
import type { RgbaImage } from '../image/rgba-image';
import type { IndexItem, SkipReason } from './types';

export interface KeyedItem {
  key: string;
  version: string;
  image: IndexItem['image'];
}

/** The key of a File: its path inside the picked folder, else its name. */
export function fileKey(file: File): string {
  return file.webkitRelativePath || file.name;
}

export function fileVersion(blob: Blob): string {
  return typeof File !== 'undefined' && blob instanceof File ? `${blob.size}:${blob.lastModified}` : `${blob.size}`;
}

export function keyedItem(item: File | IndexItem, position: number): KeyedItem {
  if (typeof File !== 'undefined' && item instanceof File) return { key: fileKey(item), version: fileVersion(item), image: item };
  const candidate = item as Partial<IndexItem> | null;
  if (!candidate || typeof candidate !== 'object' || typeof candidate.key !== 'string' || candidate.key === '' || candidate.image === undefined) {
    throw new IrisError('bad-input', `Item ${position} is neither a File nor { key, image }.`, {
      hint: 'Pass File objects (from <input type=file> or drag and drop), or { key: string, image: Blob | ArrayBuffer | ImageData | url }.',
    });
  }
  const version = candidate.version ?? (candidate.image instanceof Blob ? fileVersion(candidate.image) : '');
  return { key: candidate.key, version, image: candidate.image };
}

export class SkipError extends Error {
  constructor(
    readonly reason: SkipReason,
    message: string,
  ) {
    super(message);
  }
}

/** MIME types that are not images but are worth a decoding attempt (unknown or generic). */
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/** Reads and decodes one item; a file that is not a usable image throws a SkipError with its reason. */
export async function decodeItem(item: KeyedItem, signal?: AbortSignal): Promise<RgbaImage> {
  const { image } = item;
  if (image instanceof Blob) {
    const type = image.type.toLowerCase();
    if (!type.startsWith('image/') && !GENERIC_TYPES.has(type)) throw new SkipError('not-an-image', `${type} is not an image type.`);
    if (image.size === 0) throw new SkipError('empty', 'The file is empty (0 bytes).');
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await image.arrayBuffer());
    } catch (error) {
      throw new SkipError('unreadable', `The file could not be read (${(error as Error)?.name ?? 'error'}); it may have been moved or deleted.`);
    }
    return decodeOrSkip(() => decodeImageBytes(bytes, image.type));
  }
  return decodeOrSkip(() => decodeImage(image as ImageInput, { signal }));
}

async function decodeOrSkip(decode: () => Promise<RgbaImage>): Promise<RgbaImage> {
  try {
    return await decode();
  } catch (error) {
    if (isIrisError(error, 'bad-image') || isIrisError(error, 'bad-input')) throw new SkipError('undecodable', error.message);
    if (isIrisError(error, 'download-failed')) throw new SkipError('unreadable', error.message);
    throw error;
  }
}
