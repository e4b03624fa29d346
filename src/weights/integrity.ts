/**
 * Pinned files: a catalogue entry names the exact bytes it expects at its commit (size and sha256, or whichever
 * of them is published). A download is checked against them twice: what the server announces before any byte is
 * stored (Content-Length / Content-Range total and the LFS ETag, which is the sha256), and the completed file
 * before it is marked complete in the cache. A mismatch is 'integrity-mismatch' and nothing of the file stays cached.
 */
import { IrisError } from '../errors';
import { Sha256 } from './sha256';
import type { FileRef } from './weight-cache';

/** What public sources give of a file: its size, its sha256 (64 lower-case hex digits), or both. */
export type PinnedFile = { bytes: number; sha256?: string } | { bytes?: number; sha256: string };

/** Bytes hashed between yields, so a 600 MB check does not hold the worker for seconds at a stretch. */
const SLICE_BYTES = 8 * 2 ** 20;

/** Whether a size and server-given sha256 can belong to the pinned file (for deciding to drop a stale partial). */
export function announcedMatches(pinned: PinnedFile | undefined, size: number, serverSha256: string | undefined): boolean {
  if (!pinned) return true;
  return (pinned.bytes === undefined || size === pinned.bytes) && (!pinned.sha256 || !serverSha256 || serverSha256 === pinned.sha256);
}

/** Throws before the download starts when the server announces another file than the pinned one. */
export function checkAnnounced(ref: FileRef, pinned: PinnedFile | undefined, size: number, serverSha256: string | undefined): void {
  if (!pinned || announcedMatches(pinned, size, serverSha256)) return;
  const what = pinned.bytes !== undefined && size !== pinned.bytes ? `${size.toLocaleString('en')} bytes, not the pinned ${pinned.bytes.toLocaleString('en')}` : `sha256 ${serverSha256}, not the pinned ${pinned.sha256}`;
  throw mismatch(ref, `the server announces ${what}`);
}

/**
 * Checks a completed file against its pin. `alreadyHashed` is a sha256 of exactly these bytes computed
 * elsewhere (the ETag check), which spares a second pass when it is the pinned one.
 */
export async function verifyPinned(ref: FileRef, pinned: PinnedFile | undefined, bytes: Uint8Array, alreadyHashed?: string): Promise<void> {
  if (!pinned) return;
  if (pinned.bytes !== undefined && bytes.byteLength !== pinned.bytes) throw mismatch(ref, `it is ${bytes.byteLength.toLocaleString('en')} bytes, not the pinned ${pinned.bytes.toLocaleString('en')}`);
  if (!pinned.sha256 || alreadyHashed === pinned.sha256) return;
  const sha256 = await sha256Sliced(bytes);
  if (sha256 !== pinned.sha256) throw mismatch(ref, `its sha256 is ${sha256}, not the pinned ${pinned.sha256}`);
}

/** SHA-256 of `bytes`, in slices with a macrotask yield between them. */
export async function sha256Sliced(bytes: Uint8Array): Promise<string> {
  const hash = new Sha256();
  for (let offset = 0; offset < bytes.byteLength; offset += SLICE_BYTES) {
    hash.update(bytes.subarray(offset, offset + SLICE_BYTES));
    if (offset + SLICE_BYTES < bytes.byteLength) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return hash.hex();
}

function mismatch(ref: FileRef, reason: string): IrisError {
  return new IrisError('integrity-mismatch', `${ref.file} of ${ref.repo} at ${ref.revision} is not the pinned file: ${reason}. Nothing of it was kept.`, {
    hint: 'The repository may have been rewritten, or a proxy altered the download. Load again; if it persists, pass another revision ("org/name@commit").',
  });
}
