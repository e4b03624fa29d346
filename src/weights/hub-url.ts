/** Hugging Face Hub URLs and the response headers the loader reads. */
import { IrisError } from '../errors';

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

/** LFS files' ETags are the content's sha256 (64 hex digits, maybe quoted or weak); that is checkable. */
export function sha256FromEtag(etag: string | undefined): string | undefined {
  const bare = etag?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return bare && /^[0-9a-f]{64}$/.test(bare) ? bare : undefined;
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
