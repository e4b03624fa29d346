/**
 * Content hashes the Hub vouches for, and checking bytes against them. The Hub's ETag (X-Linked-Etag for
 * LFS files) is the sha256 of an LFS file and the git blob id of any other file: the sha1 of
 * `"blob <length>\0"` followed by the content. Both are computed with crypto.subtle over the whole file,
 * which the loader holds in memory anyway.
 */
export interface ServerDigest {
  algorithm: 'sha256' | 'git-sha1';
  /** Lower-case hex. */
  hex: string;
}

/** The sha256 of `bytes` as hex; undefined where crypto.subtle is unavailable (insecure contexts). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string | undefined> {
  return digestHex('SHA-256', [bytes]);
}

/** The git blob id of `bytes` (what `git hash-object` prints); undefined without crypto.subtle. */
export async function gitBlobSha1Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string | undefined> {
  return digestHex('SHA-1', [new TextEncoder().encode(`blob ${bytes.byteLength}\0`), bytes]);
}

/** True or false when the digest could be computed; undefined where crypto.subtle is unavailable. */
export async function matchesDigest(bytes: Uint8Array<ArrayBuffer>, digest: ServerDigest): Promise<boolean | undefined> {
  const hex = digest.algorithm === 'sha256' ? await sha256Hex(bytes) : await gitBlobSha1Hex(bytes);
  return hex === undefined ? undefined : hex === digest.hex;
}

async function digestHex(algorithm: 'SHA-256' | 'SHA-1', parts: Uint8Array[]): Promise<string | undefined> {
  if (!globalThis.crypto?.subtle) return undefined;
  let data = parts[0]!;
  if (parts.length > 1) {
    data = new Uint8Array(parts.reduce((sum, p) => sum + p.byteLength, 0));
    let offset = 0;
    for (const p of parts) {
      data.set(p, offset);
      offset += p.byteLength;
    }
  }
  const digest = new Uint8Array(await crypto.subtle.digest(algorithm, data as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
