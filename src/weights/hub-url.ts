/** Hugging Face Hub URLs and the response headers the loader reads. */
import { IrisError } from '../errors';
import type { ServerDigest } from './digest';

export const DEFAULT_HUB_URL = 'https://huggingface.co';

/**
 * `{baseUrl}/{repo}/resolve/{revision}/{file}`. The revision is one path segment, so a branch like
 * `refs/pr/1` is sent as `refs%2Fpr%2F1` (as the Hub expects); each segment of `file` is escaped.
 */
export function resolveUrl(baseUrl: string, repo: string, revision: string, file: string): string {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(repo)) throw new IrisError('bad-input', `"${repo}" is not a Hugging Face repository name (expected "org/name").`);
  const segments = file.split('/');
  if (!file || segments.some((s) => s === '' || s === '.' || s === '..')) throw new IrisError('bad-input', `"${file}" is not a file path inside a repository.`);
  if (!revision) throw new IrisError('bad-input', 'The revision is empty.');
  return `${baseUrl.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${segments.map(encodeURIComponent).join('/')}`;
}

export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

/** The commit a branch or tag resolved to, when the server says (the Hub's `X-Repo-Commit`). */
export function repoCommit(response: Response): string | undefined {
  const commit = response.headers.get('X-Repo-Commit')?.trim().toLowerCase();
  return commit && isCommitHash(commit) ? commit : undefined;
}

export function etagOf(response: Response): string | undefined {
  return response.headers.get('X-Linked-Etag') ?? response.headers.get('ETag') ?? undefined;
}

/**
 * What the server's ETag vouches for: 64 hex digits are an LFS file's sha256, 40 a git blob id (the Hub's
 * ETag for every other file). A CDN that compresses marks the ETag weak but keeps its value: still a hash.
 */
export function digestFromEtag(etag: string | undefined): ServerDigest | undefined {
  const bare = etag?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  if (!bare) return undefined;
  if (/^[0-9a-f]{64}$/.test(bare)) return { algorithm: 'sha256', hex: bare };
  if (/^[0-9a-f]{40}$/.test(bare)) return { algorithm: 'git-sha1', hex: bare };
  return undefined;
}

/**
 * The validator that ties the requests of one file together (sent as If-Range, compared on every answer):
 * a strong ETag, else Last-Modified. A weak ETag stays the same when the bytes change, so it is never one.
 */
export function validatorOf(response: Response): string | undefined {
  const etag = etagOf(response)?.trim();
  if (etag && !etag.startsWith('W/')) return etag;
  return response.headers.get('Last-Modified')?.trim() || undefined;
}

/** A login page or captive portal answers 200 with HTML where a file was asked for. */
export function isHtmlResponse(response: Response): boolean {
  return /^\s*text\/html\b/i.test(response.headers.get('Content-Type') ?? '');
}

/** Whether the body is sent compressed (then Content-Length counts the compressed bytes, not the file's). */
export function isEncoded(response: Response): boolean {
  const encoding = response.headers.get('Content-Encoding')?.trim().toLowerCase();
  return !!encoding && encoding !== 'identity';
}

/** `Content-Range: bytes start-end/total` → {start, total}; undefined when absent or malformed. */
export function contentRange(response: Response): { start: number; total: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('Content-Range')?.trim() ?? '');
  if (!match) return undefined;
  const [start, total] = [Number(match[1]), Number(match[3])];
  return Number.isSafeInteger(start) && Number.isSafeInteger(total) ? { start, total } : undefined;
}

export function contentLength(response: Response): number | undefined {
  const value = response.headers.get('Content-Length');
  const n = value === null ? NaN : Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
