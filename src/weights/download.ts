/**
 * Downloads one file into the cache. A `.safetensors` file is fetched header first (Range: the 8-byte
 * length, then the JSON header), validated, then streamed from the first byte the cache lacks, so an
 * interrupted download resumes instead of starting over. A server that ignores Range sends the whole file
 * in answer to the first request; the header is validated as it streams past and the rest is kept.
 * Other files (JSON, tokenizers) are small and fetched in one plain GET, then checked (length, the hash
 * the server gave, that they parse) before they are stored.
 *
 * The requests for one file are tied together by its validator (a strong ETag, else Last-Modified): it is
 * sent as If-Range and compared on every answer, and a file that changed on the server is started over
 * instead of being spliced from two versions. Without a validator nothing is resumed.
 */
import { IrisError, throwIfAborted } from '../errors';
import { BodyReader } from './body-reader';
import { matchesDigest } from './digest';
import { contentProblem } from './file-content';
import { checkAnnouncedSize, FileSink, MAX_FILE_BYTES, type SinkTarget } from './file-sink';
import { contentLength, contentRange, digestFromEtag, etagOf, isEncoded, isHtmlResponse, validatorOf } from './hub-url';
import { isSafetensorsFile, parseHeader, readHeaderLength } from './safetensors';

export interface DownloadJob extends SinkTarget {
  url: string;
  /** A 404 is not an error: the result is null (and the cache remembers the file is absent). */
  optional: boolean;
  fetch: typeof fetch;
  chunkSize: number;
  signal: AbortSignal | undefined;
  /** Throws 'not-enough-storage' when `bytes` more will not fit. */
  ensureSpace(bytes: number): Promise<void>;
  /**
   * Shared by one Hub's downloads: cleared once a request carrying If-Range failed to reach the server (a
   * CORS preflight it refuses), so later requests go without it; answers are still checked by validator.
   */
  ifRange: { usable: boolean };
}

/** The file changed on the server between two requests for it: what was stored belongs to the old one. */
class FileChanged extends Error {}

export async function downloadFile(job: DownloadJob): Promise<Uint8Array | null> {
  if (!isSafetensorsFile(job.ref.file)) return downloadWhole(job);
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadSafetensors(job);
    } catch (error) {
      if (!(error instanceof FileChanged)) throw error;
      await job.cache.removeFile(job.ref);
      if (attempt > 0) throw failed(job, 'the file changed on the server while it was downloading', 'Load again later.');
    }
  }
}

async function downloadSafetensors(job: DownloadJob): Promise<Uint8Array | null> {
  let body: BodyReader | undefined;
  let sink = await FileSink.resume(job);
  if (sink) {
    await job.ensureSpace(sink.size - sink.done);
    if (sink.done < sink.size) ({ sink, body } = await openRest(job, sink));
  } else {
    let first = await request(job, 'bytes=0-7');
    if (!first) return null;
    if (first.status === 206 && !validatorOf(first)) {
      // Nothing ties separate Range answers to one version of the file: take it in one answer.
      discard(first);
      first = await request(job);
      if (!first) return null;
    }
    ({ sink, body } = await (first.status === 206 ? startWithRanges(job, first) : startWithoutRanges(job, first)));
  }
  if (sink.done < sink.size) await pump(job, body ?? (await openRest(job, sink)).body, sink);
  return sink.finish();
}

/** The server honours Range: read the header with two small requests before committing to the data. */
async function startWithRanges(job: DownloadJob, probe: Response): Promise<{ sink: FileSink; body?: BodyReader }> {
  const total = contentRange(probe)?.total;
  if (total === undefined) throw failed(job, 'the server answered a Range request without a valid Content-Range');
  checkAnnouncedSize(job.ref, total);
  const validator = validatorOf(probe)!;
  const first8 = await exactBody(job, probe, Math.min(total, 8));
  const headerLength = readHeaderLength(first8, total, job.ref.file);
  const headerResponse = await request(job, `bytes=8-${7 + headerLength}`, validator);
  if (headerResponse?.status === 200 || (headerResponse?.status === 206 && !sameFile(headerResponse, validator, total))) {
    discard(headerResponse);
    throw new FileChanged();
  }
  if (headerResponse?.status !== 206 || contentRange(headerResponse)?.start !== 8) {
    discard(headerResponse);
    throw failed(job, 'the server did not answer the header Range request');
  }
  const json = await exactBody(job, headerResponse, headerLength);
  parseHeader(json, total, job.ref.file);
  const sink = await newSink(job, probe, total);
  await sink.push(first8);
  await sink.push(json);
  return { sink };
}

/** The server ignored Range and is sending the whole file: validate the header from the stream. */
async function startWithoutRanges(job: DownloadJob, response: Response): Promise<{ sink: FileSink; body: BodyReader }> {
  const total = contentLength(response);
  if (total === undefined) throw failed(job, 'the server sent no Content-Length');
  checkAnnouncedSize(job.ref, total);
  const body = new BodyReader(response);
  const first8 = await readOrFail(job, body, Math.min(total, 8));
  const headerLength = readHeaderLength(first8, total, job.ref.file);
  const json = await readOrFail(job, body, headerLength);
  parseHeader(json, total, job.ref.file);
  const sink = await newSink(job, response, total);
  await sink.push(first8);
  await sink.push(json);
  return { sink, body };
}

/**
 * Asks for everything from the first missing byte, with If-Range. A 206 must carry the same validator; a
 * 200 is either a server that ignores Range (same validator: skip what is stored) or, through If-Range,
 * the server saying the file changed: then that answer is the new file, and the download starts over on it.
 */
async function openRest(job: DownloadJob, sink: FileSink): Promise<{ sink: FileSink; body: BodyReader }> {
  const validator = sink.meta.validator;
  const response = await request(job, `bytes=${sink.done}-`, validator);
  if (!response) throw failed(job, 'the file is gone from the server');
  if (response.status === 206) {
    if (!validator || !sameFile(response, validator, sink.size) || contentRange(response)?.start !== sink.done) {
      discard(response);
      throw new FileChanged();
    }
    return { sink, body: new BodyReader(response) };
  }
  const length = contentLength(response);
  if (validator && validatorOf(response) === validator && (length === undefined || length === sink.size)) {
    const body = new BodyReader(response);
    if (!(await body.skip(sink.done))) throw failed(job, 'the connection closed early');
    return { sink, body };
  }
  await job.cache.removeFile(job.ref);
  return startWithoutRanges(job, response);
}

function sameFile(response: Response, validator: string, size: number): boolean {
  return validatorOf(response) === validator && contentRange(response)?.total === size;
}

/** Streams the body into the sink; when the network fails, keeps every byte that arrived for the next attempt. */
async function pump(job: DownloadJob, body: BodyReader, sink: FileSink): Promise<void> {
  for (;;) {
    let piece: Uint8Array | undefined;
    try {
      piece = await body.next();
    } catch (cause) {
      const kept = await sink.flush().then(() => true, () => false);
      throw networkError(job, cause, kept && sink.resumable);
    }
    if (!piece) break;
    // Storage errors (quota-exceeded) pass through as they are; the stored prefix stays resumable.
    await sink.push(piece).catch((error: unknown) => {
      body.cancel();
      throw error;
    });
  }
  if (sink.done < sink.size) {
    await sink.flush();
    throw failed(job, `the connection closed after ${sink.done} of ${sink.size} bytes`, sink.resumable ? 'Load again to resume.' : 'Load again.');
  }
}

/** A small file in one GET, checked whole before it is stored: length, the server's hash, that it parses. */
async function downloadWhole(job: DownloadJob): Promise<Uint8Array | null> {
  const response = await request(job);
  if (!response) return null;
  const announced = contentLength(response);
  if (announced !== undefined) checkAnnouncedSize(job.ref, announced);
  const body = new BodyReader(response);
  const pieces: Uint8Array[] = [];
  let length = 0;
  try {
    for (let piece = await body.next(); piece; piece = await body.next()) {
      pieces.push(piece);
      length += piece.byteLength;
      if (length > MAX_FILE_BYTES) {
        body.cancel();
        checkAnnouncedSize(job.ref, length);
      }
    }
  } catch (cause) {
    throw networkError(job, cause, false);
  }
  const bytes = new Uint8Array(length);
  pieces.reduce((offset, piece) => (bytes.set(piece, offset), offset + piece.byteLength), 0);
  const retry = 'Load again; if it keeps failing, something on the network (a portal or a proxy) is answering in place of the server.';
  const digest = digestFromEtag(etagOf(response));
  if (digest) {
    // The hash settles it (a compressed answer's Content-Length counts compressed bytes).
    if ((await matchesDigest(bytes, digest)) === false) {
      throw failed(job, `the ${length} bytes received do not match the ${digest.algorithm === 'sha256' ? 'sha256' : 'git blob id'} the server gave (cut short or altered on the way)`, retry);
    }
  } else if (announced !== undefined && !isEncoded(response) && announced !== length) {
    throw failed(job, `the server announced ${announced} bytes but sent ${length}`, retry);
  }
  const problem = contentProblem(job.ref.file, bytes);
  if (problem) throw failed(job, problem, retry);
  const sink = await newSink(job, response, length);
  await sink.push(bytes);
  return sink.finish();
}

async function newSink(job: DownloadJob, response: Response, size: number): Promise<FileSink> {
  await job.ensureSpace(size);
  const etag = etagOf(response);
  const digest = digestFromEtag(etag);
  return new FileSink(job, size, job.chunkSize, {
    etag,
    validator: validatorOf(response),
    sha256: digest?.algorithm === 'sha256' ? digest.hex : undefined,
    gitSha1: digest?.algorithm === 'git-sha1' ? digest.hex : undefined,
  });
}

/**
 * GET with an optional Range (and If-Range); null for a 404 of an optional file, which the cache records as
 * missing; any other failure, and a web page where a file was asked for, is a typed error.
 */
async function request(job: DownloadJob, range?: string, ifRange?: string): Promise<Response | null> {
  throwIfAborted(job.signal, `Downloading ${job.ref.file}`);
  const headers: Record<string, string> = range ? { Range: range } : {};
  const withIfRange = !!(range && ifRange && job.ifRange.usable);
  if (withIfRange) headers['If-Range'] = ifRange!;
  let response: Response;
  try {
    // no-store: the cache is ours; a second copy in the HTTP cache would only eat the storage quota.
    response = await job.fetch(job.url, { headers, signal: job.signal, cache: 'no-store' });
  } catch (cause) {
    if (!withIfRange || job.signal?.aborted) throw networkError(job, cause, false);
    // If-Range makes the request non-simple: a server whose CORS rules leave it out fails the preflight.
    job.ifRange.usable = false;
    return request(job, range, ifRange);
  }
  if (response.ok) {
    if (!isHtmlResponse(response)) return response;
    discard(response);
    throw failed(job, 'the server answered with a web page (text/html), not the file: a login page or a network portal?', 'Sign in to the network, or check the Hub address, and load again.');
  }
  discard(response);
  if (response.status === 404 && job.optional) {
    // Only the Hub's own "no such file" is remembered for good; any other 404 is asked again next time.
    const confirmed = response.headers.get('X-Error-Code') === 'EntryNotFound';
    await job.cache.complete(job.ref, { kind: 'missing', confirmed });
    return null;
  }
  const hint = response.status === 404 || response.status === 401
    ? 'Check the repository name, the revision and the file name (private and gated repositories are not supported).'
    : 'The server may be busy; try again later.';
  throw failed(job, `the server answered ${response.status} ${response.statusText} for ${job.url}`, hint);
}

function discard(response: Response | null): void {
  void response?.body?.cancel().catch(() => undefined);
}

async function exactBody(job: DownloadJob, response: Response, n: number): Promise<Uint8Array> {
  let bytes: ArrayBuffer;
  try {
    bytes = await response.arrayBuffer();
  } catch (cause) {
    throw networkError(job, cause, false);
  }
  if (bytes.byteLength !== n) throw failed(job, `the server sent ${bytes.byteLength} bytes where ${n} were asked for`);
  return new Uint8Array(bytes);
}

async function readOrFail(job: DownloadJob, body: BodyReader, n: number): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await body.exactly(n);
  } catch (cause) {
    throw networkError(job, cause, false);
  }
  if (!bytes) throw failed(job, 'the connection closed early');
  return bytes;
}

/** `resumable`: bytes of this file are stored, and a later load can prove it is the same file. */
function networkError(job: DownloadJob, cause: unknown, resumable: boolean): IrisError {
  if (job.signal?.aborted) return new IrisError('aborted', `Downloading ${job.ref.file} was cancelled.`, { cause: job.signal.reason });
  const hint = resumable ? 'Check the connection and load again; the download resumes where it stopped.' : 'Check the connection and load again.';
  return failed(job, `the network failed (${(cause as Error)?.message ?? String(cause)})`, hint, cause);
}

function failed(job: DownloadJob, reason: string, hint?: string, cause?: unknown): IrisError {
  return new IrisError('download-failed', `Downloading ${job.ref.file} of ${job.ref.repo} failed: ${reason}.`, { hint, cause });
}
