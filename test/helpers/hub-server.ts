// A local stand-in for the Hugging Face Hub (Node http), serving ../shared/golden/* in the Hub's URL layout
// `/{org}/{name}/resolve/{revision}/{file}`. Like the Hub it answers small files directly (with
// X-Repo-Commit and ETag) and redirects LFS files (.safetensors, .onnx) with a 302 to a content-addressed
// path (ETag = sha256), honours Range (switchable), sends CORS headers for a cross-origin-isolated page,
// can inject faults, and logs every request with the body bytes it sent. A branch added with addBranch has its
// own commit and files (e.g. a safetensors-conversion `refs/pr/N`), and `GET /api/models/{repo}/discussions`
// answers in the Hub API's shape from what setDiscussions gave.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { GOLDEN_DIR } from './golden';

export type HubFault = {
  file: string;
  repo?: string;
  /** Only responses with a longer body (e.g. skip the 8-byte header probe); 'drop' implies its afterBytes. */
  minBytes?: number;
} & (
  | { kind: 'drop'; afterBytes: number } // the first response longer than afterBytes: send that many, then cut the connection
  | { kind: 'status'; status: number } // answer with this HTTP status
  | { kind: 'wrong-length'; extraBytes: number } // announce more bytes than are sent, then close
  | { kind: 'slow'; bytesPerTick: number; tickMs: number } // trickle the body
  | { kind: 'flip' } // send the body with its first byte changed
  | { kind: 'html' } // answer 200 with a login page (text/html), as a captive portal does
  | { kind: 'truncate'; keepBytes: number } // send only the first keepBytes, chunked (no Content-Length), and end cleanly
  | { kind: 'claim-total'; total: number } // announce `total` as the file size (Content-Range total, or Content-Length)
);

/**
 * How the server identifies versions of a file. 'strong': the Hub's ETags (sha256 / git blob id);
 * 'weak': a weak ETag made of the size only (unchanged when same-size content changes); 'last-modified':
 * no ETag, a Last-Modified date per version; 'none': neither.
 */
export type HubValidators = 'strong' | 'weak' | 'last-modified' | 'none';

export interface HubRequest {
  method: string;
  /** The raw request path, e.g. with `refs%2Fpr%2F1` still encoded. */
  path: string;
  repo?: string;
  file?: string;
  range?: string;
  ifRange?: string;
  status: number;
  /** Body bytes written (for a trickled or cut response: as far as it got). */
  bytes: number;
}

export interface HubServerOptions {
  /** Repository → folder under `root`, e.g. {'iris-test/tiny-clip': 'clip'}. */
  repos: Record<string, string>;
  root?: string;
  /** Honour Range requests (206); false answers every GET with the whole file (200). */
  ranges?: boolean;
  /** Branch names that resolve (to one fake commit per repository); the commit itself works too. */
  branches?: string[];
}

/** One entry of the Hub API's discussion list (the fields Iris reads, as the Hub names them). */
export interface HubDiscussion {
  num: number;
  title: string;
  status: 'open' | 'closed' | 'merged' | 'draft';
  isPullRequest: boolean;
  author: { name: string };
}

interface Content {
  repo: string;
  file: string;
  bytes: Buffer;
  sha256: string;
}

const LFS = /\.(safetensors|onnx|bin)$/;
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag, X-Repo-Commit, X-Linked-Etag, X-Linked-Size, Accept-Ranges, X-Error-Code',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

export class HubServer {
  readonly log: HubRequest[] = [];
  ranges: boolean;
  validators: HubValidators = 'strong';
  /** Honour If-Range (answer 200 with the whole file when its validator does not match). */
  ifRange = true;
  private faults: HubFault[] = [];
  private readonly virtual = new Map<string, Buffer>();
  /** How often each virtual file was replaced: its Last-Modified moves on by a minute each time. */
  private readonly versions = new Map<string, number>();
  /** `${repo}@${branch}` → that branch's own files (nothing else of the repository is served there). */
  private readonly branchFiles = new Map<string, Map<string, Buffer>>();
  private readonly discussions = new Map<string, HubDiscussion[]>();
  private readonly byHash = new Map<string, Content>();
  private readonly root: string;
  private readonly branches: string[];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: HubServerOptions,
  ) {
    this.ranges = options.ranges ?? true;
    this.root = options.root ?? GOLDEN_DIR;
    this.branches = options.branches ?? ['main', 'refs/pr/1'];
  }

  static async start(options: HubServerOptions): Promise<HubServer> {
    let hub: HubServer | undefined;
    const server = createServer((req, res) => hub!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('hub server has no TCP address');
    hub = new HubServer(server, `http://127.0.0.1:${address.port}`, options);
    return hub;
  }

  /** Serves `bytes` as `file` of `repo` (repositories made of such files need no folder); again: a new version. */
  addFile(repo: string, file: string, bytes: Uint8Array): void {
    const key = `${repo}/${file}`;
    if (this.virtual.has(key)) this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    this.virtual.set(key, Buffer.from(bytes));
  }

  /** A branch of `repo` with its own commit and only these files (e.g. the Hub bot's `refs/pr/N` conversion). */
  addBranch(repo: string, branch: string, files: Record<string, Uint8Array>): void {
    this.branchFiles.set(`${repo}@${branch}`, new Map(Object.entries(files).map(([file, bytes]) => [file, Buffer.from(bytes)])));
  }

  /** What `GET /api/models/{repo}/discussions` lists (filtered by its `author`, `type` and `status` parameters). */
  setDiscussions(repo: string, discussions: HubDiscussion[]): void {
    this.discussions.set(repo, discussions);
  }

  /** Each fault applies once, to the next matching GET (HEAD requests are never faulted). */
  fault(fault: HubFault): void {
    this.faults.push(fault);
  }

  /** The fake commit of a repository (every plain branch), or of a branch added with addBranch. */
  commitOf(repo: string, branch?: string): string {
    const own = branch !== undefined && this.branchFiles.has(`${repo}@${branch}`);
    return createHash('sha1').update(own ? `commit of ${repo}@${branch}` : `commit of ${repo}`).digest('hex');
  }

  /** GET/HEAD requests (redirects included), optionally only those for one file. */
  requests(file?: string, repo?: string): HubRequest[] {
    return this.log.filter((r) => r.method !== 'OPTIONS' && (file === undefined || r.file === file) && (repo === undefined || r.repo === repo));
  }

  bytesServed(file: string, repo?: string): number {
    return this.requests(file, repo).reduce((sum, r) => sum + r.bytes, 0);
  }

  resetLog(): void {
    this.log.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const entry: HubRequest = { method: req.method ?? 'GET', path: req.url ?? '/', status: 0, bytes: 0, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined };
    this.log.push(entry);
    const send = (status: number, headers: Record<string, string | number> = {}, body = ''): void => {
      entry.status = status;
      res.writeHead(status, { ...CORS, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method === 'OPTIONS') {
      return send(204, { 'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS', 'Access-Control-Allow-Headers': 'Range, If-Range', 'Access-Control-Max-Age': 600 });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405);

    const [pathname, query = ''] = entry.path.split('?') as [string, string?];
    const parts = pathname.split('/').slice(1);
    if (parts[0] === 'api' && parts[1] === 'models' && parts[4] === 'discussions' && parts.length === 5) {
      return this.listDiscussions(`${parts[2]}/${parts[3]}`, new URLSearchParams(query), send);
    }
    if (parts[0] === '__lfs' && parts.length === 2) {
      const content = this.byHash.get(parts[1]!);
      if (!content) return send(404);
      Object.assign(entry, { repo: content.repo, file: content.file });
      return this.serve(req, res, entry, content.bytes, {
        ...this.validatorHeaders(content.repo, content.file, content.bytes, `"${content.sha256}"`),
        'Cache-Control': 'public, max-age=31536000, immutable',
      });
    }
    const at = parts.indexOf('resolve');
    if (at < 1 || at > 2 || parts.length < at + 3) return send(404, { 'X-Error-Code': 'EntryNotFound' });
    const repo = parts.slice(0, at).join('/');
    const revision = decodeURIComponent(parts[at + 1]!);
    const file = parts.slice(at + 2).map(decodeURIComponent).join('/');
    Object.assign(entry, { repo, file });

    if (!this.hasRepo(repo)) return send(404, { 'X-Error-Code': 'RepositoryNotFound' });
    const branch = this.branchOf(repo, revision);
    if (branch === undefined && !this.branches.includes(revision) && revision !== this.commitOf(repo)) return send(404, { 'X-Error-Code': 'RevisionNotFound' });
    const bytes = branch === undefined ? this.read(repo, file) : this.branchFiles.get(`${repo}@${branch}`)!.get(file);
    if (!bytes) return send(404, { 'X-Error-Code': 'EntryNotFound' });

    const commit = { 'X-Repo-Commit': this.commitOf(repo, branch) };
    if (LFS.test(file)) {
      // Like the Hub: a redirect to a content-addressed store; what fetch() finally sees lacks X-Repo-Commit.
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      this.byHash.set(sha256, { repo, file, bytes, sha256 });
      const linked: Record<string, string | number> = this.validators === 'strong' ? { 'X-Linked-Etag': `"${sha256}"` } : {};
      return send(302, { ...commit, Location: `/__lfs/${sha256}`, ...linked, 'X-Linked-Size': bytes.length });
    }
    const blobSha1 = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    return this.serve(req, res, entry, bytes, { ...commit, ...this.validatorHeaders(repo, file, bytes, `"${blobSha1}"`), 'Cache-Control': 'no-cache' });
  }

  private validatorHeaders(repo: string, file: string, bytes: Buffer, strongEtag: string): Record<string, string> {
    const version = this.versions.get(`${repo}/${file}`) ?? 0;
    switch (this.validators) {
      case 'strong': return { ETag: strongEtag };
      case 'weak': return { ETag: `W/"${bytes.length}"` };
      case 'last-modified': return { 'Last-Modified': new Date(Date.UTC(2024, 0, 1, 0, version)).toUTCString() };
      case 'none': return {};
    }
  }

  /** If-Range matches a strong ETag exactly, or the Last-Modified date exactly; a weak ETag never. */
  private ifRangeMatches(ifRange: string, headers: Record<string, string | number>): boolean {
    if (ifRange.startsWith('W/')) return false;
    const etag = headers.ETag;
    if (typeof etag === 'string') return !etag.startsWith('W/') && etag === ifRange;
    return headers['Last-Modified'] === ifRange;
  }

  private serve(req: IncomingMessage, res: ServerResponse, entry: HubRequest, bytes: Buffer, headers: Record<string, string | number>): void {
    let status = 200;
    let body = bytes;
    const type = entry.file?.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    const out: Record<string, string | number> = { ...CORS, ...headers, 'Content-Type': type };
    if (this.ranges) out['Accept-Ranges'] = 'bytes';
    let range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && this.ifRange && typeof ifRange === 'string' && !this.ifRangeMatches(ifRange, headers)) range = null;
    if (this.ranges && range && (range[1] || range[2])) {
      const size = bytes.length;
      let start = range[1] ? Number(range[1]) : size - Number(range[2]);
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      start = Math.max(0, start);
      if (start >= size || start > end) {
        entry.status = 416;
        res.writeHead(416, { ...out, 'Content-Range': `bytes */${size}` });
        return void res.end();
      }
      status = 206;
      body = bytes.subarray(start, end + 1);
      out['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    out['Content-Length'] = body.length;
    entry.status = status;
    if (req.method === 'HEAD') {
      res.writeHead(status, out);
      return void res.end();
    }

    const fault = this.takeFault(entry, body.length);
    if (fault?.kind === 'status') {
      entry.status = fault.status;
      res.writeHead(fault.status, { ...CORS, 'Content-Type': 'text/plain' });
      return void res.end(`injected ${fault.status}`);
    }
    if (fault?.kind === 'html') {
      entry.status = 200;
      const page = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Wi-Fi login</form></body></html>';
      res.writeHead(200, { ...CORS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page) });
      entry.bytes = Buffer.byteLength(page);
      return void res.end(page);
    }
    if (fault?.kind === 'truncate') {
      delete out['Content-Length'];
      res.writeHead(status, out);
      entry.bytes = Math.min(fault.keepBytes, body.length);
      return void res.end(body.subarray(0, fault.keepBytes));
    }
    if (fault?.kind === 'claim-total') {
      if (status === 206) out['Content-Range'] = String(out['Content-Range']).replace(/\/\d+$/, `/${fault.total}`);
      else out['Content-Length'] = fault.total;
      res.writeHead(status, out);
      entry.bytes = body.length;
      // A 200 that claims more than it sends is cut off after what it has (as a lying server would be).
      if (status === 206) return void res.end(body);
      res.write(body, () => setTimeout(() => res.destroy(), 30));
      return;
    }
    if (fault?.kind === 'drop' || fault?.kind === 'wrong-length') {
      const sent = fault.kind === 'drop' ? body.subarray(0, fault.afterBytes) : body;
      if (fault.kind === 'wrong-length') out['Content-Length'] = body.length + fault.extraBytes;
      res.writeHead(status, out);
      entry.bytes = sent.length;
      // Let the bytes reach the client before the connection is cut, so byte counts are exact.
      res.write(sent, () => setTimeout(() => res.destroy(), 30));
      return;
    }
    res.writeHead(status, out);
    if (fault?.kind === 'slow') return this.trickle(res, entry, body, fault.bytesPerTick, fault.tickMs);
    if (fault?.kind === 'flip') body = Buffer.concat([Buffer.from([body[0]! ^ 0xff]), body.subarray(1)]);
    entry.bytes = body.length;
    res.end(body);
  }

  private trickle(res: ServerResponse, entry: HubRequest, body: Buffer, bytesPerTick: number, tickMs: number): void {
    let offset = 0;
    let closed = false;
    res.on('close', () => (closed = true));
    const tick = (): void => {
      if (closed) return;
      const piece = body.subarray(offset, offset + bytesPerTick);
      offset += piece.length;
      entry.bytes = offset;
      if (offset >= body.length) return void res.end(piece);
      res.write(piece);
      setTimeout(tick, tickMs);
    };
    tick();
  }

  private takeFault(entry: HubRequest, bodyLength: number): HubFault | undefined {
    const index = this.faults.findIndex(
      (f) => f.file === entry.file && (f.repo === undefined || f.repo === entry.repo) && bodyLength > (f.kind === 'drop' ? f.afterBytes : (f.minBytes ?? -1)),
    );
    return index < 0 ? undefined : this.faults.splice(index, 1)[0];
  }

  /** The addBranch branch that `revision` names (by name or by its commit). */
  private branchOf(repo: string, revision: string): string | undefined {
    for (const key of this.branchFiles.keys()) {
      const branch = key.slice(repo.length + 1);
      if (key.startsWith(`${repo}@`) && (revision === branch || revision === this.commitOf(repo, branch))) return branch;
    }
    return undefined;
  }

  private listDiscussions(repo: string, params: URLSearchParams, send: (status: number, headers?: Record<string, string | number>, body?: string) => void): void {
    if (!this.hasRepo(repo)) return send(404, { 'Content-Type': 'application/json' }, JSON.stringify({ error: 'Repository not found' }));
    const type = params.get('type') ?? 'all';
    const status = params.get('status') ?? 'all';
    const author = params.get('author');
    const listed = (this.discussions.get(repo) ?? []).filter(
      (d) => (type === 'all' || (type === 'pull_request') === d.isPullRequest) && (status === 'all' || d.status === status) && (!author || d.author.name === author),
    );
    send(200, { 'Content-Type': 'application/json' }, JSON.stringify({ discussions: listed, count: listed.length, start: 0, numClosedDiscussions: 0 }));
  }

  private hasRepo(repo: string): boolean {
    return repo in this.options.repos || [...this.virtual.keys()].some((k) => k.startsWith(`${repo}/`)) || [...this.branchFiles.keys()].some((k) => k.startsWith(`${repo}@`));
  }

  private read(repo: string, file: string): Buffer | undefined {
    const virtual = this.virtual.get(`${repo}/${file}`);
    if (virtual) return virtual;
    const folder = this.options.repos[repo];
    if (!folder || file.split('/').some((s) => s === '..' || s === '')) return undefined;
    const full = path.join(this.root, folder, file);
    return existsSync(full) ? readFileSync(full) : undefined;
  }
}
