/**
 * Every failure Iris reports is an IrisError with a stable `code` (for programs) and a message that says
 * what happened and what to do (for people). Errors cross the worker boundary as {code, message, hint}.
 */
export type IrisErrorCode =
  | 'webgpu-unavailable' // no navigator.gpu, no adapter, or requestDevice failed
  | 'device-lost' // the GPU device was lost; the next call re-creates it
  | 'gpu-error' // a validation / out-of-memory error from WebGPU
  | 'non-finite' // debug mode found NaN/Inf in a kernel's output
  | 'numerical-error' // a decoder's logits came out NaN/Inf while generating (f32 may help where f16 is on)
  | 'safetensors-invalid' // corrupt, truncated or malformed safetensors file
  | 'tensor-missing' // a parameter the model needs is not in the checkpoint
  | 'tensor-shape' // a parameter has the wrong shape
  | 'unsupported-model' // config.json describes a model type Iris cannot run
  | 'bad-config' // config/preprocessor/generation json missing fields or malformed
  | 'bad-image' // zero-size, undecodable or absurdly large image
  | 'bad-input' // wrong arguments (shapes, empty label list, ...)
  | 'tokenizer' // tokenizer files missing or malformed
  | 'download-failed' // network error, HTTP error status, wrong content length
  | 'integrity-mismatch' // a download is not the file the catalogue pins (size or sha256); nothing of it is cached
  | 'aborted' // the caller's AbortSignal fired
  | 'not-enough-storage' // navigator.storage.estimate() says the download will not fit
  | 'quota-exceeded' // IndexedDB refused a write (QuotaExceededError)
  | 'cache-corrupt'; // a cached file failed its integrity check (it is removed and re-fetched)

export class IrisError extends Error {
  override readonly name = 'IrisError';
  constructor(
    readonly code: IrisErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(options.hint ? `${message} ${options.hint}` : message, { cause: options.cause });
    this.hint = options.hint;
  }
  readonly hint: string | undefined;

  /** Rebuilds an error from its toJSON() form (the message already carries the hint). */
  static fromJSON(data: { code: IrisErrorCode; message: string; hint?: string }): IrisError {
    const error = new IrisError(data.code, data.message);
    Object.defineProperty(error, 'hint', { value: data.hint });
    return error;
  }

  /** Plain-object form that survives structured clone (worker → page). */
  toJSON(): { code: IrisErrorCode; message: string; hint?: string } {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isIrisError(error: unknown, code?: IrisErrorCode): error is IrisError {
  return error instanceof IrisError && (code === undefined || error.code === code);
}

/** Throws the standard 'aborted' error if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new IrisError('aborted', `${what} was cancelled.`, { cause: signal.reason });
}
