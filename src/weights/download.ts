/**
 * Downloads one file into the cache. A `.safetensors` file is fetched header first (Range: the 8-byte
 * length, then the JSON header), validated, then streamed from the first byte the cache lacks, so an
 * interrupted download resumes instead of starting over. A server that ignores Range sends the whole file
 * in answer to the first request; the header is validated as it streams past and the rest is kept.
 * Other files (JSON, tokenizers) are small and fetched in one plain GET.
 */
import { IrisError, throwIfAborted } from '../errors';
import { BodyReader } from './body-reader';
import { FileSink, type SinkTarget } from './file-sink';
import { contentLength, contentRange, etagOf, sha256FromEtag } from './hub-url';
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
}

export async function downloadFile(job: DownloadJob): Promise<Uint8Array | null> {
  if (!isSafetensorsFile(job.ref.file)) return downloadWhole(job);
  let body: BodyReader | undefined;
  let sink = await FileSink.resume(job);
  if (!sink) {
    const probe = await request(job, 'bytes=0-7');
    if (!probe) return absent(job);
    ({ sink, body } = await (probe.status === 206 ? startWithRanges(job, probe) : startWithoutRanges(job, probe)));
  } else {
    await job.ensureSpace(sink.size - sink.done);
  }
  if (sink.done < sink.size) await pump(job, body ?? (await openRest(job, sink)), sink);
  return sink.finish();
}

/** The server honours Range: read the header with two small requests before committing to the data. */
async function startWithRanges(job: DownloadJob, probe: Response): Promise<{ sink: FileSink; body?: BodyReader }> {
  const total = contentRange(probe)?.total;
  if (total === undefined) throw failed(job, 'the server answered a Range request without a valid Content-Range');
  const first8 = await exactBody(job, probe, Math.min(total, 8));
  const headerLength = readHeaderLength(first8, total, job.ref.file);
  const headerResponse = await request(job, `bytes=8-${7 + headerLength}`);
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

/** Asks for everything from the first missing byte; the answer must belong to the same file. */
async function openRest(job: DownloadJob, sink: FileSink): Promise<BodyReader> {
  const response = await request(job, `bytes=${sink.done}-`);
  if (!response) throw failed(job, 'the file is gone from the server');
  const etag = etagOf(response);
  const range = contentRange(response);
  const size = response.status === 206 ? range?.total : contentLength(response);
  const sameFile = (!sink.meta.etag || !etag || etag === sink.meta.etag) && (size === undefined || size === sink.size);
  if (!sameFile || (response.status === 206 && range?.start !== sink.done)) {
    discard(response);
    await job.cache.removeFile(job.ref);
    throw failed(job, 'the file changed on the server during the download', 'Load again to start it afresh.');
  }
  const body = new BodyReader(response);
  if (response.status !== 206 && !(await body.skip(sink.done))) throw failed(job, 'the connection closed early');
  return body;
}

/** Streams the body into the sink; when the network fails, keeps every byte that arrived for the next attempt. */
async function pump(job: DownloadJob, body: BodyReader, sink: FileSink): Promise<void> {
  for (;;) {
    let piece: Uint8Array | undefined;
    try {
      piece = await body.next();
    } catch (cause) {
      await sink.flush().catch(() => undefined);
      throw networkError(job, cause);
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
    throw failed(job, `the connection closed after ${sink.done} of ${sink.size} bytes`, 'Load again to resume.');
  }
}

async function downloadWhole(job: DownloadJob): Promise<Uint8Array | null> {
  const response = await request(job);
  if (!response) return absent(job);
  const body = new BodyReader(response);
  const pieces: Uint8Array[] = [];
  let length = 0;
  try {
    for (let piece = await body.next(); piece; piece = await body.next()) {
      pieces.push(piece);
      length += piece.byteLength;
    }
  } catch (cause) {
    throw networkError(job, cause);
  }
  const sink = await newSink(job, response, length);
  for (const piece of pieces) await sink.push(piece);
  return sink.finish();
}

async function newSink(job: DownloadJob, response: Response, size: number): Promise<FileSink> {
  await job.ensureSpace(size);
  const etag = etagOf(response);
  return new FileSink(job, size, job.chunkSize, { etag, sha256: sha256FromEtag(etag) });
}

async function absent(job: DownloadJob): Promise<null> {
  await job.cache.complete(job.ref, { kind: 'missing' });
  return null;
}

/** GET with an optional Range; null for a 404 of an optional file; any other failure is a typed error. */
async function request(job: DownloadJob, range?: string): Promise<Response | null> {
  throwIfAborted(job.signal, `Downloading ${job.ref.file}`);
  let response: Response;
  try {
    // no-store: the cache is ours; a second copy in the HTTP cache would only eat the storage quota.
    response = await job.fetch(job.url, { headers: range ? { Range: range } : {}, signal: job.signal, cache: 'no-store' });
  } catch (cause) {
    throw networkError(job, cause);
  }
  if (response.ok) return response;
  discard(response);
  if (response.status === 404 && job.optional) return null;
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
    throw networkError(job, cause);
  }
  if (bytes.byteLength !== n) throw failed(job, `the server sent ${bytes.byteLength} bytes where ${n} were asked for`);
  return new Uint8Array(bytes);
}

async function readOrFail(job: DownloadJob, body: BodyReader, n: number): Promise<Uint8Array> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await body.exactly(n);
  } catch (cause) {
    throw networkError(job, cause);
  }
  if (!bytes) throw failed(job, 'the connection closed early');
  return bytes;
}

function networkError(job: DownloadJob, cause: unknown): IrisError {
  if (job.signal?.aborted) return new IrisError('aborted', `Downloading ${job.ref.file} was cancelled.`, { cause: job.signal.reason });
  return failed(job, `the network failed (${(cause as Error)?.message ?? String(cause)})`, 'Check the connection and load again; the download resumes where it stopped.', cause);
}

function failed(job: DownloadJob, reason: string, hint?: string, cause?: unknown): IrisError {
  return new IrisError('download-failed', `Downloading ${job.ref.file} of ${job.ref.repo} failed: ${reason}.`, { hint, cause });
}
