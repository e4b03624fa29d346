/**
 * Deterministic parameter values. Each tensor has its own random stream, seeded from (seed, name), so a
 * tensor's values do not depend on which other tensors exist, on their order, on the chunk size, or on the
 * output dtype: the f16 file holds exactly f32ToF16Bits of the f32 file's values.
 */
import { f32ToF16Bits } from '../../src/gpu/half';
import { elementCount, type SafetensorsDtype, type TensorData, type TensorHeader } from '../../src/weights/safetensors-writer';
import type { ParamSpec } from '../../src/families/stand-in-spec';

export type FloatDtype = 'f32' | 'f16';

/** 32-bit FNV-1a of the name, mixed with the seed: the start of one tensor's stream. */
export function tensorSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** sfc32 (small fast counter generator), seeded through splitmix32. */
class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    for (let i = 0; i < 12; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
}

/** Standard normal values by Box–Muller, both outputs used; the stream is independent of how it is chunked. */
class NormalStream {
  private readonly rng: Sfc32;
  private spare = NaN;
  constructor(seed: number) {
    this.rng = new Sfc32(seed);
  }
  fill(out: Float32Array, mean: number, std: number): void {
    let i = 0;
    if (!Number.isNaN(this.spare) && out.length > 0) {
      out[i++] = mean + std * this.spare;
      this.spare = NaN;
    }
    while (i < out.length) {
      const u1 = (this.rng.next() + 1) * 2 ** -32; // (0, 1]: log is finite
      const u2 = this.rng.next() * 2 ** -32;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      out[i++] = mean + std * r * Math.cos(theta);
      const second = r * Math.sin(theta);
      if (i < out.length) out[i++] = mean + std * second;
      else this.spare = second;
    }
  }
}

/** The safetensors dtype a parameter is stored in: the float dtype, except the integer buffers. */
export function storedDtype(spec: ParamSpec, dtype: FloatDtype): SafetensorsDtype {
  if (spec.init.kind === 'arange') return 'I64';
  if (spec.init.kind === 'causal-mask') return 'U8';
  return dtype === 'f16' ? 'F16' : 'F32';
}

/** A parameter's float values, chunk by chunk (each chunk is reused: consume it before asking for the next). */
export function* floatChunks(spec: ParamSpec, seed: number, chunkElements = 1 << 20): Generator<Float32Array> {
  const total = elementCount(spec.shape);
  const init = spec.init;
  const stream = init.kind === 'normal' ? new NormalStream(tensorSeed(seed, spec.name)) : null;
  const buffer = new Float32Array(Math.min(chunkElements, total));
  for (let done = 0; done < total; done += buffer.length) {
    const chunk = buffer.length <= total - done ? buffer : buffer.subarray(0, total - done);
    if (init.kind === 'normal') stream!.fill(chunk, init.mean, init.std);
    else if (init.kind === 'constant') chunk.fill(init.value);
    else throw new Error(`${spec.name}: ${init.kind} is not a float initialisation.`);
    yield chunk;
  }
}

/** All of a (small) parameter's float values at once: for tests. */
export function floatValues(spec: ParamSpec, seed: number): Float32Array {
  const out = new Float32Array(elementCount(spec.shape));
  let offset = 0;
  for (const chunk of floatChunks(spec, seed)) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function* f16Chunks(chunks: Iterable<Float32Array>): Generator<Uint16Array> {
  let out = new Uint16Array(0);
  for (const chunk of chunks) {
    if (out.length < chunk.length) out = new Uint16Array(chunk.length);
    const view = out.subarray(0, chunk.length);
    for (let i = 0; i < chunk.length; i++) view[i] = f32ToF16Bits(chunk[i]!);
    yield view;
  }
}

function* arangeI64(spec: ParamSpec): Generator<BigInt64Array> {
  const n = spec.shape[spec.shape.length - 1] ?? 1;
  const row = new BigInt64Array(n);
  for (let i = 0; i < n; i++) row[i] = BigInt(i);
  for (let r = elementCount(spec.shape) / n; r > 0; r--) yield row;
}

/** torch.tril(ones(n, n)) as uint8, one row at a time (repeated over any leading axes). */
function* causalMaskU8(spec: ParamSpec): Generator<Uint8Array> {
  const [rows, cols] = spec.shape.slice(-2) as [number, number];
  const row = new Uint8Array(cols);
  for (let m = elementCount(spec.shape) / (rows * cols); m > 0; m--) {
    for (let r = 0; r < rows; r++) {
      row.fill(0).fill(1, 0, Math.min(r + 1, cols));
      yield row;
    }
  }
}

/** The tensor a spec becomes in a file of the given dtype: header fields plus lazily generated data. */
export function tensorFor(spec: ParamSpec, dtype: FloatDtype, seed: number): TensorHeader & { data: TensorData } {
  const stored = storedDtype(spec, dtype);
  const data =
    stored === 'I64' ? arangeI64(spec)
    : stored === 'U8' ? causalMaskU8(spec)
    : stored === 'F16' ? f16Chunks(floatChunks(spec, seed))
    : floatChunks(spec, seed);
  return { name: spec.name, dtype: stored, shape: spec.shape, data };
}
