import { IrisError } from '../errors';

/**
 * Image resizing that reproduces Pillow's `Image.resize` on 8-bit images bit for bit, because the Hugging Face
 * image processors resize with PIL and the models were trained on exactly those pixels.
 *
 * What PIL does (and so what this does):
 *  - two separable passes, horizontal first, then vertical; a pass is skipped when that side keeps its size;
 *  - output pixel i samples around centre (i + 0.5) * scale in input coordinates, scale = inSize / outSize;
 *  - when downsampling, the filter is stretched by the scale (support * scale taps), which anti-aliases;
 *  - weights are normalised to sum to 1, then turned into fixed point with 22 fractional bits;
 *  - each pass accumulates integers, rounds, and clamps to 0..255, so the intermediate image is uint8 too.
 */

export type ResampleFilter = 'bicubic' | 'bilinear';

interface Kernel {
  /** Half-width of the filter in input pixels at scale 1. */
  readonly support: number;
  readonly weight: (x: number) => number;
}

// Keys's cubic convolution with a = -0.5 (PIL's BICUBIC).
const CUBIC_A = -0.5;
function cubicWeight(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return ((CUBIC_A + 2) * t - (CUBIC_A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * CUBIC_A;
  return 0;
}

function triangleWeight(x: number): number {
  const t = Math.abs(x);
  return t < 1 ? 1 - t : 0;
}

const KERNELS: Record<ResampleFilter, Kernel> = {
  bicubic: { support: 2, weight: cubicWeight },
  bilinear: { support: 1, weight: triangleWeight },
};

/** Fractional bits of the fixed-point weights: 32-bit accumulator minus 8 bits of pixel and 2 bits of headroom. */
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** For each output index along one axis: which input indices it reads and with what fixed-point weights. */
interface AxisWeights {
  /** First input index read by output i. */
  readonly first: Int32Array;
  /** Number of input indices read by output i. */
  readonly count: Int32Array;
  /** Row i (stride `taps`) holds the weights for inputs first[i] .. first[i] + count[i] - 1. */
  readonly weights: Int32Array;
  readonly taps: number;
}

function axisWeights(inSize: number, outSize: number, kernel: Kernel): AxisWeights {
  const scale = inSize / outSize;
  const stretch = Math.max(scale, 1); // widen the filter only when shrinking
  const support = kernel.support * stretch;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const raw = new Float64Array(taps);
  const invStretch = 1 / stretch; // PIL multiplies by the reciprocal; dividing could differ in the last bit

  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    // Truncation (not floor) of centre ± support + 0.5, as PIL does; clamping makes the two agree here anyway.
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const n = hi - lo;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      raw[k] = kernel.weight((lo + k - centre + 0.5) * invStretch);
      sum += raw[k]!;
    }
    for (let k = 0; k < n; k++) {
      const w = sum !== 0 ? raw[k]! / sum : raw[k]!;
      // Round half away from zero into fixed point (C's (int) cast truncates toward zero).
      weights[i * taps + k] = Math.trunc(w < 0 ? w * ONE - 0.5 : w * ONE + 0.5);
    }
    first[i] = lo;
    count[i] = n;
  }
  return { first, count, weights, taps };
}

function clampToByte(fixedPoint: number): number {
  const v = fixedPoint >> PRECISION_BITS; // arithmetic shift = floor; HALF was added up front, so this rounds
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function resizeRows(src: Uint8Array, w: number, h: number, outW: number, axis: AxisWeights): Uint8Array {
  const out = new Uint8Array(outW * h * 3);
  const { first, count, weights, taps } = axis;
  for (let y = 0; y < h; y++) {
    const rowIn = y * w * 3;
    const rowOut = y * outW * 3;
    for (let x = 0; x < outW; x++) {
      let r = HALF;
      let g = HALF;
      let b = HALF;
      const base = rowIn + first[x]! * 3;
      const wBase = x * taps;
      for (let k = 0, n = count[x]!; k < n; k++) {
        const wk = weights[wBase + k]!;
        const p = base + k * 3;
        r += src[p]! * wk;
        g += src[p + 1]! * wk;
        b += src[p + 2]! * wk;
      }
      const o = rowOut + x * 3;
      out[o] = clampToByte(r);
      out[o + 1] = clampToByte(g);
      out[o + 2] = clampToByte(b);
    }
  }
  return out;
}

function resizeColumns(src: Uint8Array, w: number, outH: number, axis: AxisWeights): Uint8Array {
  const rowLen = w * 3;
  const out = new Uint8Array(rowLen * outH);
  const acc = new Float64Array(rowLen); // one output row of accumulators, so the inner loop walks memory in order
  const { first, count, weights, taps } = axis;
  for (let y = 0; y < outH; y++) {
    acc.fill(HALF);
    for (let k = 0, n = count[y]!; k < n; k++) {
      const wk = weights[y * taps + k]!;
      const rowIn = (first[y]! + k) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] += src[rowIn + i]! * wk;
    }
    const rowOut = y * rowLen;
    for (let i = 0; i < rowLen; i++) out[rowOut + i] = clampToByte(acc[i]!);
  }
  return out;
}

/**
 * Resizes a tightly packed RGB (HWC, uint8) image to outW x outH exactly as Pillow's `Image.resize` does with
 * `Image.BICUBIC` / `Image.BILINEAR` on an "RGB" image. Always returns a new array.
 */
export function resizeRGB(
  src: Uint8Array,
  w: number,
  h: number,
  outW: number,
  outH: number,
  filter: ResampleFilter,
): Uint8Array {
  for (const [name, v] of [['w', w], ['h', h], ['outW', outW], ['outH', outH]] as const) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new IrisError('bad-input', `resizeRGB: ${name} must be a positive integer, got ${v}.`);
    }
  }
  if (src.length !== w * h * 3) {
    throw new IrisError('bad-input', `resizeRGB: expected ${w * h * 3} bytes for ${w}x${h} RGB, got ${src.length}.`);
  }
  const kernel = KERNELS[filter];
  if (!kernel) throw new IrisError('bad-input', `resizeRGB: unknown filter '${String(filter)}'.`);

  let pixels = src;
  if (outW !== w) pixels = resizeRows(pixels, w, h, outW, axisWeights(w, outW, kernel));
  if (outH !== h) pixels = resizeColumns(pixels, outW, outH, axisWeights(h, outH, kernel));
  return pixels === src ? src.slice() : pixels;
}
