/** Float64 CPU references and comparison helpers for the kernel tests. */

/** Deterministic uniform(-scale, scale) values (mulberry32), so a failure reproduces. */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

export interface Comparison {
  maxAbs: number;
  maxRel: number;
  worstIndex: number;
  maxRef: number;
}

/** Max error of `actual` vs `expected`, and whether |a - e| <= atol + rtol·|e| everywhere. */
export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>): Comparison {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let maxAbs = 0, maxRel = 0, worstIndex = -1, maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const diff = Number.isNaN(a) ? Infinity : Math.abs(a - e);
    if (diff > maxAbs) { maxAbs = diff; worstIndex = i; }
    maxRel = Math.max(maxRel, diff / Math.max(Math.abs(e), 1e-6));
    maxRef = Math.max(maxRef, Math.abs(e));
  }
  return { maxAbs, maxRel, worstIndex, maxRef };
}

export function allClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): { ok: boolean; detail: string } {
  let ok = actual.length === expected.length;
  let detail = ok ? '' : `length ${actual.length} != ${expected.length}`;
  for (let i = 0; ok && i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      ok = false;
      detail = `index ${i}: got ${a}, expected ${e} (atol ${atol}, rtol ${rtol})`;
    }
  }
  return { ok, detail };
}

export function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse for a reference; use a series / continued fraction instead.
  const ax = Math.abs(x);
  let result: number;
  if (ax < 3) {
    let sum = ax, term = ax;
    for (let n = 1; n < 100; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    result = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc continued fraction (Lentz), accurate for large x.
    let f = ax, c = ax, d = 0;
    for (let n = 1; n < 200; n++) {
      const an = n / 2;
      d = ax + an * d; d = 1 / d;
      c = ax + an / c;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    result = 1 - Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  }
  return x < 0 ? -result : result;
}

export type ActivationName = 'none' | 'gelu' | 'gelu_new' | 'quick_gelu';

export function activationRef(x: number, kind: ActivationName): number {
  switch (kind) {
    case 'gelu': return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case 'gelu_new': return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    case 'quick_gelu': return x / (1 + Math.exp(-1.702 * x));
    default: return x;
  }
}

/** C[b] = act(A[b] · op(B[b]) + bias) + residual, in float64. */
export function matmulRef(
  a: Float32Array, b: Float32Array, batch: number, M: number, N: number, K: number,
  opts: { transB: boolean; batchedB?: boolean; bias?: Float32Array; residual?: Float32Array; activation?: ActivationName },
): Float64Array {
  const out = new Float64Array(batch * M * N);
  for (let t = 0; t < batch; t++) {
    const bOff = opts.batchedB ? t * N * K : 0;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const bv = opts.transB ? b[bOff + n * K + k]! : b[bOff + k * N + n]!;
          s += a[(t * M + m) * K + k]! * bv;
        }
        if (opts.bias) s += opts.bias[n]!;
        s = activationRef(s, opts.activation ?? 'none');
        const at = (t * M + m) * N + n;
        if (opts.residual) s += opts.residual[at]!;
        out[at] = s;
      }
    }
  }
  return out;
}

/** Softmax over rows of length L of x + mask (mask row r % maskRows), in float64. A row with no finite entry gives zeros. */
export function softmaxRef(x: Float32Array, rows: number, L: number, mask?: Float32Array, maskRows = 1): Float64Array {
  const out = new Float64Array(rows * L);
  for (let r = 0; r < rows; r++) {
    const v = Array.from({ length: L }, (_, c) => x[r * L + c]! + (mask ? mask[(r % maskRows) * L + c]! : 0));
    const m = Math.max(...v);
    if (m === -Infinity) continue;
    const e = v.map((t) => Math.exp(t - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((t, c) => { out[r * L + c] = t / s; });
  }
  return out;
}

/** LayerNorm over rows of length H, in float64 (two-pass). */
export function layerNormRef(x: Float32Array, rows: number, H: number, weight: Float32Array, bias: Float32Array, eps: number): Float64Array {
  const out = new Float64Array(rows * H);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < H; c++) mean += x[r * H + c]!;
    mean /= H;
    let variance = 0;
    for (let c = 0; c < H; c++) variance += (x[r * H + c]! - mean) ** 2;
    variance /= H;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let c = 0; c < H; c++) out[r * H + c] = (x[r * H + c]! - mean) * inv * weight[c]! + bias[c]!;
  }
  return out;
}

/** Host-side heads view: element (b, t, h, d) at offset + b·batchStride + t·rowStride + h·headDim + d. */
export interface HostHeads {
  data: Float32Array;
  offset?: number;
  rowStride: number;
  batchStride: number;
}

/**
 * Multi-head attention in float64 with an arbitrary visibility predicate (query i, key j are indices of
 * this call). Returns the output [B, Lq, H·D] and the probabilities [B, H, Lq, Lk]; a query that sees no
 * key gets zeros in both.
 */
export function attentionRef(
  q: HostHeads, k: HostHeads, v: HostHeads,
  dims: { batch: number; heads: number; headDim: number; queryLen: number; keyLen: number; scale?: number },
  visible: (b: number, i: number, j: number) => boolean = () => true,
): { out: Float64Array; probs: Float64Array } {
  const { batch: B, heads: H, headDim: D, queryLen: Lq, keyLen: Lk } = dims;
  const scale = dims.scale ?? 1 / Math.sqrt(D);
  const at = (view: HostHeads, b: number, t: number, h: number, d: number) =>
    view.data[(view.offset ?? 0) + b * view.batchStride + t * view.rowStride + h * D + d]!;
  const out = new Float64Array(B * Lq * H * D);
  const probs = new Float64Array(B * H * Lq * Lk);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < Lq; i++) {
        const scores: number[] = [];
        for (let j = 0; j < Lk; j++) {
          if (!visible(b, i, j)) { scores.push(-Infinity); continue; }
          let s = 0;
          for (let d = 0; d < D; d++) s += at(q, b, i, h, d) * at(k, b, j, h, d);
          scores.push(s * scale);
        }
        const m = Math.max(...scores);
        if (m === -Infinity) continue;
        const e = scores.map((s) => Math.exp(s - m));
        const sum = e.reduce((a, c) => a + c, 0);
        for (let j = 0; j < Lk; j++) {
          const pr = e[j]! / sum;
          probs[((b * H + h) * Lq + i) * Lk + j] = pr;
          for (let d = 0; d < D; d++) out[((b * Lq + i) * H + h) * D + d] += pr * at(v, b, j, h, d);
        }
      }
    }
  }
  return { out, probs };
}

/** Token (+ position) embedding gather in float64; ids outside [0, V) give zero rows. */
export function embedRef(ids: Int32Array, B: number, L: number, table: Float32Array, V: number, H: number, positions?: Float32Array, positionOffset = 0): Float64Array {
  const out = new Float64Array(B * L * H);
  for (let n = 0; n < B * L; n++) {
    const id = ids[n]!;
    if (id < 0 || id >= V) continue;
    const t = (n % L) + positionOffset;
    for (let c = 0; c < H; c++) out[n * H + c] = table[id * H + c]! + (positions ? positions[t * H + c]! : 0);
  }
  return out;
}

/** Conv2d with kernel = stride = p (a ViT patch embedding) in float64, as [B, (H/p)·(W/p), hidden]. */
export function patchEmbedRef(pixels: Float32Array, B: number, C: number, H: number, W: number, weight: Float32Array, hidden: number, p: number, bias?: Float32Array): Float64Array {
  const ny = H / p, nx = W / p;
  const out = new Float64Array(B * ny * nx * hidden);
  for (let b = 0; b < B; b++) {
    for (let py = 0; py < ny; py++) {
      for (let px = 0; px < nx; px++) {
        for (let o = 0; o < hidden; o++) {
          let s = bias ? bias[o]! : 0;
          for (let c = 0; c < C; c++) {
            for (let kh = 0; kh < p; kh++) {
              for (let kw = 0; kw < p; kw++) {
                s += pixels[((b * C + c) * H + py * p + kh) * W + px * p + kw]! * weight[((o * C + c) * p + kh) * p + kw]!;
              }
            }
          }
          out[((b * ny + py) * nx + px) * hidden + o] = s;
        }
      }
    }
  }
  return out;
}

/** [classToken; patches] + positions in float64: patches [B, N, H] → [B, N + 1, H]. */
export function visionEmbeddingsRef(patches: Float32Array, B: number, N: number, H: number, classToken: Float32Array, positions: Float32Array): Float64Array {
  const out = new Float64Array(B * (N + 1) * H);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t <= N; t++) {
      for (let c = 0; c < H; c++) {
        const value = t === 0 ? classToken[c]! : patches[(b * N + t - 1) * H + c]!;
        out[(b * (N + 1) + t) * H + c] = value + positions[t * H + c]!;
      }
    }
  }
  return out;
}

/** Largest |value|: a test whose reference is (nearly) all zeros cannot tell a working kernel from a no-op. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  return m;
}
