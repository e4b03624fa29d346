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
